"""Merging a duplicate into its master, in one transaction through the record service.

The master takes the values chosen from the duplicate (``update_in``, as the actor: field
history records each change), every lookup, master-detail and polymorphic lookup that
points at the duplicate is moved to the master, and the duplicate goes to the recycle bin
(as the actor: its history shows the delete). Any refusal — the actor may not update the
master or delete the duplicate (403), a chosen value is invalid (422) — rolls everything back.

References are moved with the platform's rights on behalf of the actor (as workflows and
lead conversion do: field history names the actor): a merge must not leave a colleague's
activity pointing at a record in the bin just because the actor may not edit that activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..records import deletion, values
from ..records import rows as row_access
from ..records.actor import Actor
from ..records.errors import FieldError, RecordInvalid, RecordNotFound, invalid
from ..schema_cache import LiveSchema

if TYPE_CHECKING:
    from ..records import RecordService

CHOICES = ("master", "duplicate")
#: Computed fields take no chosen value: the master recomputes them.
COMPUTED = ("formula", "rollup", "autonumber")


@dataclass
class MergeResult:
    master: dict[str, Any]
    #: The records whose reference now points at the master, by object.
    moved: dict[str, list[int]] = field(default_factory=dict)
    deleted: dict[str, list[int]] = field(default_factory=dict)


def mergeable_fields(obj: Any) -> list[str]:
    """Fields whose value may be taken from the duplicate (stored, not computed)."""
    return [n for n, f in obj.fields.items() if f.definition.type not in COMPUTED]


def merge_records(records: "RecordService", actor: Actor, object_name: str, master_id: Any, duplicate_id: Any,
                  choices: Mapping[str, Any] | None = None) -> MergeResult:
    """Merge ``duplicate_id`` into ``master_id``; ``choices`` maps a field to "master" (default) or "duplicate"."""
    live = records.cache.get()
    obj = live.compiled.object(object_name)
    if obj is None:
        raise RecordNotFound(f'there is no object "{object_name}"')
    _check_choices(obj, choices or {})
    if row_access.safe_id(master_id) is not None and row_access.safe_id(master_id) == row_access.safe_id(duplicate_id):
        raise invalid(obj.definition.label, [FieldError("duplicate_id", "same_record",
                                                        "a record cannot be merged into itself")])
    platform = replace(actor, is_admin=True, is_system=True, is_portal=False)
    with records.write() as conn:
        live = records.cache.get(conn)
        obj = live.compiled.objects[object_name]
        master = _readable(records, conn, live, obj, actor, master_id)
        duplicate = _readable(records, conn, live, obj, actor, duplicate_id)
        as_json = values.to_json(obj, duplicate)
        changes = {name: as_json.get(name) for name, choice in (choices or {}).items()
                   if choice == "duplicate" and duplicate.get(name) != master.get(name)}
        moved = _move_references(records, conn, live, obj.name, platform, duplicate["id"], master["id"])
        deleted = records.delete_in(conn, actor, obj.name, duplicate["id"])
        after = records.update_in(conn, actor, obj.name, master["id"], changes)
    return MergeResult(after, moved, deleted)


def _check_choices(obj: Any, choices: Mapping[str, Any]) -> None:
    if not isinstance(choices, Mapping):
        raise RecordInvalid("fields must be a JSON object of field: \"master\" | \"duplicate\"",
                            [FieldError("fields", "invalid", "must be a JSON object")])
    allowed = set(mergeable_fields(obj))
    errors = []
    for name, choice in choices.items():
        if name not in allowed:
            why = "is computed" if name in obj.fields else "is not a field of this object"
            errors.append(FieldError(str(name), "not_mergeable", f'"{name}" {why}; choose among stored fields'))
        elif choice not in CHOICES:
            errors.append(FieldError(str(name), "invalid_choice", 'must be "master" or "duplicate"'))
    if errors:
        raise invalid(obj.definition.label, errors)


def _readable(records: "RecordService", conn: Connection, live: LiveSchema, obj: Any, actor: Actor,
              record_id: Any) -> dict[str, Any]:
    """The live record, locked, if the actor may read it (404 worded as for a missing id otherwise)."""
    row = row_access.load(conn, live, obj, record_id, lock=True)
    row_access.require_access(records.hooks, conn, live, obj, actor, row["id"], "read")
    return values.from_row(obj, row)


def _move_references(records: "RecordService", conn: Connection, live: LiveSchema, object_name: str,
                     actor: Actor, duplicate_id: int, master_id: int) -> dict[str, list[int]]:
    """Point every live reference to the duplicate at the master, each an update through the service.
    A record of the same object that would point at itself (the master reporting to the duplicate) is cleared."""
    moved: dict[str, list[int]] = {}
    for ref in deletion.references_to(live, object_name):
        table = live.tables[ref.object]
        if ref.polymorphic:
            pointing = sa.and_(table.c[f"{ref.field}_object"] == object_name,
                               table.c[f"{ref.field}_id"] == duplicate_id)
            target: Any = {"object": object_name, "id": master_id}
        else:
            pointing, target = table.c[ref.field] == duplicate_id, master_id
        query = sa.select(table.c.id).where(pointing, table.c.deleted_at.is_(None)).order_by(table.c.id)
        for rid in list(conn.execute(query).scalars()):
            if ref.object == object_name and rid == duplicate_id:
                continue  # the duplicate itself goes to the bin
            value = None if ref.object == object_name and rid == master_id else target
            records.update_in(conn, actor, ref.object, rid, {ref.field: value})
            moved.setdefault(ref.object, []).append(rid)
    return moved
