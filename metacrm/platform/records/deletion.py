"""Delete, restore and purge, honouring what points at a record.

Deleting moves a record to the recycle bin (``deleted_at``/``deleted_by``);
references to it follow their ``on_delete``: ``restrict`` refuses and names
the referencing records, ``set_null`` clears them, ``cascade`` (master-detail)
deletes the details too, stamped with the same ``deleted_at`` so that
restoring the master brings exactly those details back. Purge removes a
record from the bin for good.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..schema_cache import LiveSchema
from .errors import DeleteRestricted

MAX_LISTED = 20


@dataclass(frozen=True)
class Reference:
    """A field of ``object`` that can point at records of another object."""

    object: str
    field: str
    on_delete: str  # restrict | set_null | cascade
    polymorphic: bool = False


def references_to(live: LiveSchema, target: str) -> list[Reference]:
    refs = []
    for obj in live.compiled.objects.values():
        for f in obj.fields.values():
            d = f.definition
            if d.type in ("lookup", "master_detail") and d.target == target:
                default = "cascade" if d.type == "master_detail" else "restrict"
                refs.append(Reference(obj.name, d.name, d.on_delete or default))
            elif d.type == "polymorphic_lookup" and target in d.targets:
                refs.append(Reference(obj.name, d.name, d.on_delete or "set_null", polymorphic=True))
    return refs


def _pointing(live: LiveSchema, ref: Reference, target: str, ids: list[int]) -> sa.ColumnElement[bool]:
    table = live.tables[ref.object]
    if ref.polymorphic:
        return sa.and_(table.c[f"{ref.field}_object"] == target, table.c[f"{ref.field}_id"].in_(ids))
    return table.c[ref.field].in_(ids)


def _null_values(ref: Reference) -> dict[str, Any]:
    if ref.polymorphic:
        return {f"{ref.field}_object": None, f"{ref.field}_id": None}
    return {ref.field: None}


@dataclass
class DeletionPlan:
    """Every record a delete touches, grouped by object: what is deleted and what is cleared."""

    deleted: dict[str, list[int]]
    cleared: list[tuple[Reference, list[int]]]  # (reference, ids of records whose field is cleared)


def plan_delete(conn: Connection, live: LiveSchema, object_name: str, record_id: int, *,
                live_only: bool = True) -> DeletionPlan:
    """Walk the cascade tree; raise DeleteRestricted listing every blocking record."""
    plan, blockers = _walk(conn, live, object_name, record_id, live_only)
    if blockers:
        shown = ", ".join(f"{b['object']} #{b['id']} ({b['field']})" for b in blockers[:MAX_LISTED])
        more = f" and {len(blockers) - MAX_LISTED} more" if len(blockers) > MAX_LISTED else ""
        raise DeleteRestricted(
            f"{len(blockers)} record(s) still point at {object_name} #{record_id}: {shown}{more}. "
            "Change or delete them first.",
            referencing=blockers[:200], total=len(blockers))
    return plan


@dataclass
class DeletionImpact:
    """What deleting a record would do, without doing it (the confirmation page shows this)."""

    deleted: dict[str, int]  # object → records deleted, the record itself and its cascaded details
    cleared: dict[tuple[str, str], int]  # (object, field) → records whose set_null reference is emptied
    blockers: dict[tuple[str, str], list[int]]  # (object, field) → ids of restrict references refusing it


def delete_impact(conn: Connection, live: LiveSchema, object_name: str, record_id: int) -> DeletionImpact:
    """A dry run of :func:`plan_delete`: reads only, never raises for blockers, counts instead."""
    plan, blockers = _walk(conn, live, object_name, record_id, True)
    cleared: dict[tuple[str, str], int] = {}
    for ref, ids in plan.cleared:
        cleared[(ref.object, ref.field)] = cleared.get((ref.object, ref.field), 0) + len(ids)
    blocking: dict[tuple[str, str], list[int]] = {}
    for b in blockers:
        blocking.setdefault((b["object"], b["field"]), []).append(b["id"])
    return DeletionImpact({name: len(ids) for name, ids in plan.deleted.items()}, cleared, blocking)


def _walk(conn: Connection, live: LiveSchema, object_name: str, record_id: int,
          live_only: bool) -> tuple[DeletionPlan, list[dict[str, Any]]]:
    plan = DeletionPlan(deleted={}, cleared=[])
    blockers: list[dict[str, Any]] = []
    frontier = [(object_name, [record_id])]
    while frontier:
        current, ids = frontier.pop()
        known = plan.deleted.setdefault(current, [])
        ids = [i for i in ids if i not in known]
        if not ids:
            continue
        known.extend(ids)
        for ref in references_to(live, current):
            table = live.tables[ref.object]
            query = sa.select(table.c.id).where(_pointing(live, ref, current, ids))
            if live_only:
                query = query.where(table.c.deleted_at.is_(None))
            found = list(conn.execute(query.order_by(table.c.id)).scalars())
            if ref.object == current:
                found = [i for i in found if i not in ids]
            if not found:
                continue
            if ref.on_delete == "restrict":
                blockers.extend({"object": ref.object, "id": i, "field": ref.field} for i in found)
            elif ref.on_delete == "set_null":
                plan.cleared.append((ref, found))
            else:
                frontier.append((ref.object, found))
    return plan, blockers


def soft_delete(conn: Connection, live: LiveSchema, plan: DeletionPlan, *, actor_id: int | None,
                now: dt.datetime, set_null_now: dt.datetime | None = None) -> None:
    for ref, ids in plan.cleared:
        table = live.tables[ref.object]
        conn.execute(sa.update(table).where(table.c.id.in_(ids)).values(
            **_null_values(ref), updated_at=set_null_now or now, updated_by=actor_id, version=table.c.version + 1))
    for object_name, ids in plan.deleted.items():
        table = live.tables[object_name]
        conn.execute(sa.update(table).where(table.c.id.in_(ids), table.c.deleted_at.is_(None)).values(
            deleted_at=now, deleted_by=actor_id, version=table.c.version + 1))


def cascade_group(conn: Connection, live: LiveSchema, object_name: str, record_id: int,
                  deleted_at: dt.datetime) -> dict[str, list[int]]:
    """The records deleted together with this one (same stamp, reached through cascades)."""
    group: dict[str, list[int]] = {object_name: [record_id]}
    frontier = [(object_name, [record_id])]
    while frontier:
        current, ids = frontier.pop()
        for ref in references_to(live, current):
            if ref.on_delete != "cascade":
                continue
            table = live.tables[ref.object]
            found = list(conn.execute(sa.select(table.c.id).where(
                _pointing(live, ref, current, ids), table.c.deleted_at == deleted_at)).scalars())
            known = group.setdefault(ref.object, [])
            found = [i for i in found if i not in known]
            if found:
                known.extend(found)
                frontier.append((ref.object, found))
    return group


def restore_group(conn: Connection, live: LiveSchema, group: dict[str, list[int]], *, actor_id: int | None,
                  now: dt.datetime) -> None:
    for object_name, ids in group.items():
        table = live.tables[object_name]
        conn.execute(sa.update(table).where(table.c.id.in_(ids)).values(
            deleted_at=None, deleted_by=None, updated_at=now, updated_by=actor_id, version=table.c.version + 1))


def hard_delete(conn: Connection, live: LiveSchema, plan: DeletionPlan) -> None:
    """Purge: clear set-null references, then delete details before their masters."""
    for ref, ids in plan.cleared:
        table = live.tables[ref.object]
        conn.execute(sa.update(table).where(table.c.id.in_(ids)).values(**_null_values(ref)))
    for object_name, ids in reversed(list(plan.deleted.items())):
        table = live.tables[object_name]
        conn.execute(sa.delete(table).where(table.c.id.in_(ids)))
