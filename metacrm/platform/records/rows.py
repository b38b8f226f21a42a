"""Loading one stored row, and whether the acting user may reach it (record-level access).

Kept apart from the service's pipeline: every single-record operation starts
here, and the answer for a record the user may not read is worded exactly
like the answer for a missing id, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject

from ..errors import Forbidden
from ..schema_cache import LiveSchema
from .actor import Actor
from .errors import RecordNotFound
from .hooks import RecordHooks


def safe_id(record_id: Any) -> int | None:
    """The id as a positive 64-bit integer, or None (ids arrive as URL text)."""
    try:
        rid = int(str(record_id))
    except ValueError:
        return None
    return rid if 0 < rid < 2**63 else None


def record_id(obj: CompiledObject, value: Any) -> int:
    rid = safe_id(value)
    if rid is None:
        raise RecordNotFound(f"{obj.definition.label} #{value} does not exist")
    return rid


def load(conn: Connection, live: LiveSchema, obj: CompiledObject, value: Any, *,
         deleted: bool | None = False, lock: bool = False) -> Mapping[str, Any]:
    """The stored row (live, in the bin, or either with ``deleted=None``), locked for update on PostgreSQL."""
    table = live.tables[obj.name]
    rid = record_id(obj, value)
    query = sa.select(table).where(table.c.id == rid)
    if deleted is not None:
        query = query.where(table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None))
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        where = " in the recycle bin" if deleted else ""
        raise RecordNotFound(f"{obj.definition.label} #{value} does not exist{where}")
    return row


def visible_ids(hooks: RecordHooks, conn: Connection, live: LiveSchema, obj: CompiledObject, actor: Actor,
                ids: list[int], mode: str) -> set[int]:
    """Which of ``ids`` the actor may read (or edit), asked of the database with the row filter."""
    clauses = hooks.row_clauses(actor, live, obj, mode)
    if not clauses:
        return set(ids)
    table = live.tables[obj.name]
    return set(conn.execute(sa.select(table.c.id).where(table.c.id.in_(ids), *clauses)).scalars())


def require_access(hooks: RecordHooks, conn: Connection, live: LiveSchema, obj: CompiledObject, actor: Actor,
                   rid: int, action: str, *, in_bin: bool = False) -> None:
    """Record-level access to one record: 404 when it is not readable (its existence is not
    revealed: the same words as for a missing id) for ``action="read"``; for a change (checked
    after the read and the object permission), 403 saying whom to ask when edit access is lacking."""
    if not hooks.row_filter:
        return
    if action == "read":
        if not visible_ids(hooks, conn, live, obj, actor, [rid], "read"):
            where = " in the recycle bin" if in_bin else ""
            raise RecordNotFound(f"{obj.definition.label} #{rid} does not exist{where}")
    elif not visible_ids(hooks, conn, live, obj, actor, [rid], "edit"):
        raise Forbidden(hooks.row_filter[0].refusal(actor, obj, rid, action), object=obj.name, action=action,
                        id=rid)
