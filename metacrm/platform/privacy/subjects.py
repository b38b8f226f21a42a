"""Personal-data tools: everything held about one person, and erasing them while keeping aggregates.

"A person" is a record of any object flagged ``personal_data: true`` (base CRM:
contact and lead). Both tools act as the system after checking the caller
(an admin or a user holding the ``privacy_officer`` role) and write a
security-log entry, so a data-subject request is itself on record.

*Export* gathers the record, every record pointing at it through a lookup
(activities, campaign memberships, cases, ...), its field history, the
access-log entries that name it, and the files its fields reference.
*Erase* anonymises the personal fields (sensitive ones, those the retention
policy lists, emails and phones of personal objects, and the name, which
becomes "Erased person #id") through the RecordService, then scrubs the old
values of those fields from the record's field history. Related records,
amounts and counts stay, so reports over history keep adding up. A record
under legal hold is refused.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from metacrm.metadata.retention import anonymised_values, personal_fields

from ..errors import Forbidden, Unprocessable
from ..files.tables import file as file_table
from ..records import Actor, values
from ..records.actor import SYSTEM
from ..records.deletion import references_to
from ..records.errors import RecordNotFound
from ..runtime import Platform
from ..security import security_log
from . import events
from ..storage.engine import write_transaction
from ..storage.platform_tables import access_log, field_history
from ..storage.store import utcnow

OFFICER_ROLE = "privacy_officer"
ERASED = "[erased]"


def require_officer(actor: Actor) -> None:
    if not (actor.is_admin or OFFICER_ROLE in actor.roles):
        raise Forbidden("Only administrators and privacy officers can export or erase a person's data")


def _person(platform: Platform, object_name: str) -> Any:
    live = platform.schema.get()
    obj = live.compiled.object(object_name)
    if obj is None:
        raise RecordNotFound(f'there is no object "{object_name}"')
    if not obj.definition.personal_data:
        personal = sorted(n for n, o in live.compiled.objects.items() if o.definition.personal_data)
        raise Unprocessable(f'{object_name} records are not people (the object is not flagged personal_data); '
                            f'objects holding people: {", ".join(personal) or "none"}')
    return live, obj


def subject_export(platform: Platform, actor: Actor, object_name: str, record_id: int) -> dict[str, Any]:
    """Everything held about one person, as one JSON document (audited)."""
    require_officer(actor)
    live, obj = _person(platform, object_name)
    record = platform.records.get(SYSTEM, object_name, record_id, include_deleted=True,
                                  purpose="data-subject access request")
    document: dict[str, Any] = {"object": object_name, "id": record_id, "exported_at": utcnow().isoformat(),
                                "record": values.to_json(obj, record), "related": {}, "files": []}
    with platform.engine.connect() as conn:
        for ref in references_to(live, object_name):
            table, child = live.tables[ref.object], live.compiled.objects[ref.object]
            where = (sa.and_(table.c[f"{ref.field}_object"] == object_name, table.c[f"{ref.field}_id"] == record_id)
                     if ref.polymorphic else table.c[ref.field] == record_id)
            rows = conn.execute(sa.select(table).where(where).order_by(table.c.id)).mappings()
            found = [values.to_json(child, values.from_row(child, row)) for row in rows]
            if found:
                document["related"].setdefault(ref.object, []).extend(
                    {"via": ref.field, **r} for r in found)
        document["field_history"] = [_jsonable(dict(r)) for r in conn.execute(
            sa.select(field_history).where(field_history.c.object == object_name,
                                           field_history.c.record_id == record_id).order_by(field_history.c.id)
        ).mappings()]
        document["access_log"] = [_jsonable(dict(r)) for r in conn.execute(
            sa.select(access_log).where(access_log.c.object == object_name).order_by(access_log.c.id)).mappings()
            if record_id in (r["record_ids"] or [])]
        keys = _file_keys(document["record"])
        if keys:
            meta = [c for c in file_table.c if c.name != "bytes"]
            document["files"] = [_jsonable(dict(r)) for r in conn.execute(
                sa.select(*meta).where(file_table.c.key.in_(keys))).mappings()]
    security_log.record(platform.engine, events.PERSONAL_DATA_EXPORTED, actor_id=actor.id, subject=f"{object_name}#{record_id}",
                        detail={"related": {k: len(v) for k, v in document["related"].items()},
                                "files": len(document["files"])})
    return document


def file_bytes(platform: Platform, keys: list[str]) -> dict[str, bytes]:
    with platform.engine.connect() as conn:
        rows = conn.execute(sa.select(file_table.c.key, file_table.c.bytes).where(file_table.c.key.in_(keys)))
        return {r.key: bytes(r.bytes) for r in rows}


def erase_subject(platform: Platform, actor: Actor, object_name: str, record_id: int, *,
                  reason: str = "erasure request") -> dict[str, Any]:
    """Anonymise one person and scrub their values from the record's field history (audited)."""
    require_officer(actor)
    live, obj = _person(platform, object_name)
    assert platform.legal_holds is not None
    platform.legal_holds.require_free(obj.definition.label, object_name, record_id, "erased")
    names = personal_fields(obj.definition)
    changes = anonymised_values(obj.definition, record_id, names)
    record = platform.records.update(SYSTEM, object_name, record_id, changes)
    scrubbed = scrub_history(platform, object_name, record_id, names)
    security_log.record(platform.engine, events.PERSONAL_DATA_ERASED, actor_id=actor.id, subject=f"{object_name}#{record_id}",
                        detail={"fields": sorted(changes), "history_rows": scrubbed, "reason": reason})
    return {"object": object_name, "id": record_id, "erased_fields": sorted(changes),
            "history_rows_scrubbed": scrubbed, "record": values.to_json(obj, record)}


def scrub_history(platform: Platform, object_name: str, record_id: int, names: tuple[str, ...]) -> int:
    """Replace the personal fields' old and new values in the record's field history with "[erased]"."""
    wanted = set(names)
    count = 0
    with write_transaction(platform.engine) as conn:
        rows = conn.execute(sa.select(field_history.c.id, field_history.c.changes).where(
            field_history.c.object == object_name, field_history.c.record_id == record_id)).all()
        for row in rows:
            changes = dict(row.changes or {})
            touched = {k: [None if v is None else ERASED for v in pair] for k, pair in changes.items()
                       if k in wanted and isinstance(pair, list)}
            if touched and any(changes[k] != v for k, v in touched.items()):
                conn.execute(sa.update(field_history).where(field_history.c.id == row.id)
                             .values(changes={**changes, **touched}))
                count += 1
    return count


def _file_keys(record: dict[str, Any]) -> list[str]:
    keys = []
    for value in record.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("key"), str) and "content_type" in item:
                keys.append(item["key"])
    return keys


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    from ..backup.codec import encode_row  # noqa: PLC0415

    return encode_row(row)
