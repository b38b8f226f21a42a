"""Audit: field history of every record change, and the access log of sensitive reads.

Both are record-pipeline hooks installed when the platform is built, so every
path that changes or reads records (forms, REST, imports, workflows) is
audited the same way:

* :class:`FieldHistory` (an ``after_write`` hook) writes one
  ``metacrm_field_history`` row per create, update, delete, restore and purge,
  in the write's own transaction, with ``changes = {field: [old, new]}`` in
  JSON form (exact decimals as strings, dates ISO 8601).
* :class:`AccessLog` (an ``after_read`` hook) writes one ``metacrm_access_log``
  row per read of a sensitive object: who, how, which records, which
  sensitive fields, and why (the caller's stated purpose).

Both tables are append-only: this module only inserts and selects, and no
API offers a way to change or remove their rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metacrm.metadata.compiled import CompiledObject

from ..records import values
from ..records.hooks import ReadContext, WriteContext
from ..storage.engine import write_transaction
from ..storage.platform_tables import access_log, field_history
from ..storage.store import utcnow

#: Bookkeeping the platform changes on every write: never listed as a change.
UNLISTED = frozenset({"id", "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at"})
LONG_TYPES = frozenset({"long_text", "rich_text"})
MAX_TEXT = 1000
TRUNCATED = "… [truncated]"
MAX_PURPOSE = 200
DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def is_sensitive(obj: CompiledObject) -> bool:
    """An object is sensitive when any of its fields is (objects carry no flag of their own)."""
    return any(f.definition.sensitive for f in obj.fields.values())


def sensitive_fields(obj: CompiledObject) -> tuple[str, ...]:
    return tuple(name for name, f in obj.fields.items() if f.definition.sensitive)


def _json_values(obj: CompiledObject, record: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """The named values in JSON form (one encoding pass per record), long text clipped."""
    encoded = values.to_json(obj, {k: record.get(k) for k in names})
    for name in names:
        f, value = obj.fields.get(name), encoded[name]
        if f is not None and f.definition.type in LONG_TYPES and isinstance(value, str) and len(value) > MAX_TEXT:
            encoded[name] = value[:MAX_TEXT] + TRUNCATED
    return encoded


def _tracked(obj: CompiledObject, name: str) -> bool:
    f = obj.fields.get(name)
    return name not in UNLISTED and (f is None or f.definition.track_history)


def changes_of(context: WriteContext) -> dict[str, list[Any]]:
    """``{field: [old, new]}``: non-empty initial values on create, changed fields on update
    (fields with ``track_history: false`` left out)."""
    obj, before, after = context.obj, context.before, context.after
    if context.operation == "create" and after is not None:
        names = [k for k, v in after.items() if _tracked(obj, k) and not values.is_empty(v)]
        new = _json_values(obj, after, names)
        return {k: [None, new[k]] for k in names}
    if context.operation == "update" and before is not None and after is not None:
        names = [k for k in values.changed_fields(before, after) if _tracked(obj, k)]
        old, new = _json_values(obj, before, names), _json_values(obj, after, names)
        return {k: [old[k], new[k]] for k in names}
    return {}  # delete, restore, purge: the operation itself is the change


class FieldHistory:
    """The ``after_write`` hook: one history row per written record, in the same transaction.

    ``many`` takes a whole batch (a bulk create or an import chunk) and writes its rows with one
    executemany: a statement per record was two thirds of an import's time.
    """

    def __call__(self, context: WriteContext) -> None:
        self.many([context])

    def many(self, contexts: Sequence[WriteContext]) -> None:
        rows = [row for row in map(_history_row, contexts) if row is not None]
        if rows:
            contexts[0].conn.execute(field_history.insert(), rows)


def _history_row(context: WriteContext) -> dict[str, Any] | None:
    changes = changes_of(context)
    if context.operation == "update" and not changes:
        return None
    snapshot = context.after if context.after is not None else context.before
    version = snapshot.get("version") if snapshot is not None else None
    if context.operation == "delete" and version is not None:
        version += 1  # the delete stamped a new version on the row
    return {"object": context.obj.name, "record_id": context.record_id, "operation": context.operation,
            "version": version, "actor_id": context.actor.id, "at": utcnow(), "changes": changes}


class AccessLog:
    """The ``after_read`` hook: one access-log row per read of a sensitive object."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __call__(self, context: ReadContext) -> None:
        watched = sensitive_fields(context.obj)
        if not watched:
            return
        seen = [f for f in watched if any(f in record for record in context.records)]
        with write_transaction(self.engine) as conn:
            conn.execute(access_log.insert().values(
                at=utcnow(), actor_id=context.actor.id, action=context.action, object=context.obj.name,
                record_ids=[r["id"] for r in context.records], fields=seen,
                purpose=(context.purpose or "")[:MAX_PURPOSE]))


@dataclass
class HistoryPage:
    entries: list[dict[str, Any]]
    next_cursor: str | None


def _at(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _page(conn: Any, query: sa.Select[Any], table: sa.Table, limit: int, before_id: int | None,
          shape: Any) -> HistoryPage:
    limit = max(1, min(limit, MAX_LIMIT))
    if before_id is not None:
        query = query.where(table.c.id < before_id)
    rows = list(conn.execute(query.order_by(table.c.id.desc()).limit(limit + 1)).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return HistoryPage([shape(r) for r in rows], str(rows[-1]["id"]) if more else None)


class AuditService:
    """Reads the audit tables (newest first); writing is left to the hooks above."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def history(self, object_name: str, record_id: int, *, limit: int = DEFAULT_LIMIT,
                before_id: int | None = None) -> HistoryPage:
        """One record's changes, newest first; pass ``next_cursor`` back as ``before_id`` for more."""
        t = field_history
        query = sa.select(t).where(t.c.object == object_name, t.c.record_id == record_id)
        with self.engine.connect() as conn:
            return _page(conn, query, t, limit, before_id, _history_entry)

    def access(self, *, object_name: str | None = None, limit: int = DEFAULT_LIMIT,
               before_id: int | None = None) -> HistoryPage:
        """Access-log rows, newest first, optionally of one object."""
        t = access_log
        query = sa.select(t)
        if object_name:
            query = query.where(t.c.object == object_name)
        with self.engine.connect() as conn:
            return _page(conn, query, t, limit, before_id, _access_entry)


def _history_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "operation": row["operation"], "version": row["version"],
            "actor_id": row["actor_id"], "at": _at(row["at"]), "changes": row["changes"]}


def _access_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "at": _at(row["at"]), "actor_id": row["actor_id"], "action": row["action"],
            "object": row["object"], "record_ids": row["record_ids"], "fields": row["fields"],
            "purpose": row["purpose"]}
