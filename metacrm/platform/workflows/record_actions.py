"""Actions that change records in the triggering save's transaction: set fields, create a record,
update related records, assign the owner.

Each writes through ``RecordService.create_in``/``update_in`` — the one write
path, so validation, permissions, audit and events apply, and the change
commits or rolls back with the save that triggered it.
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from ..storage.platform_tables import user, user_role
from ..storage.store import utcnow
from .actions import ActionContext, action
from .conditions import value_of
from .tables import workflow_round_robin

#: update_related changes at most this many records per run (a workflow is not a bulk job).
MAX_RELATED = 200


class ActionFailed(Exception):
    """An action could not do its work; the message is for the admin reading the run log."""


def mapped(ctx: ActionContext, mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Field values of a mapping: "=expression" values evaluated over the triggering record."""
    return {name: value_of(source, ctx.scope) for name, source in mapping.items()}


@action("set_field")
def set_field(ctx: ActionContext) -> Mapping[str, Any]:
    changes = mapped(ctx, ctx.params["fields"])
    ctx.engine.records.update_in(ctx.conn, ctx.actor, ctx.obj.name, ctx.record["id"], changes)
    return {"fields": sorted(changes)}


@action("create_record")
def create_record(ctx: ActionContext) -> Mapping[str, Any]:
    target = ctx.params["object"]
    created = ctx.engine.records.create_in(ctx.conn, ctx.actor, target, mapped(ctx, ctx.params["fields"]))
    return {"object": target, "id": created["id"]}


@action("update_related")
def update_related(ctx: ActionContext) -> Mapping[str, Any]:
    changes = mapped(ctx, ctx.params["fields"])
    records = ctx.engine.records
    if "lookup" in ctx.params:
        f = ctx.obj.fields[ctx.params["lookup"]]
        target_id = ctx.record.get(f.name)
        if target_id is None:
            return {"object": f.definition.target, "ids": []}
        records.update_in(ctx.conn, ctx.actor, f.definition.target, int(target_id), changes)
        return {"object": f.definition.target, "ids": [int(target_id)]}
    target, via = ctx.params["object"], ctx.params["via"]
    table = ctx.live.tables[target]
    ids = list(ctx.conn.execute(sa.select(table.c.id).where(table.c[via] == ctx.record["id"],
                                                            table.c.deleted_at.is_(None))
                                .order_by(table.c.id).limit(MAX_RELATED + 1)).scalars())
    if len(ids) > MAX_RELATED:
        raise ActionFailed(f"more than {MAX_RELATED} {target} records point at this one; "
                           "a workflow updates at most that many (use a scheduled job for bulk changes)")
    for rid in ids:
        records.update_in(ctx.conn, ctx.actor, target, rid, changes)
    return {"object": target, "ids": ids}


@action("assign_owner")
def assign_owner(ctx: ActionContext) -> Mapping[str, Any]:
    if "user" in ctx.params:
        chosen = value_of(ctx.params["user"], ctx.scope)
        if isinstance(chosen, bool) or not isinstance(chosen, int):
            raise ActionFailed(f"the user expression gave {chosen!r}, not a user id")
        how = "user"
    else:
        chosen, how = next_in_turn(ctx, ctx.params["role"]), "round_robin"
    ctx.engine.records.update_in(ctx.conn, ctx.actor, ctx.obj.name, ctx.record["id"], {"owner": chosen})
    return {"owner": chosen, "by": how}


def next_in_turn(ctx: ActionContext, role: str) -> int:
    """The active user of ``role`` after the one given the last record (by id, wrapping round).

    The position is a row locked in this transaction, so two saves at once hand out different users
    on PostgreSQL; on SQLite writes are serialised anyway.
    """
    conn = ctx.conn
    users = list(conn.execute(sa.select(user.c.id).join(user_role, user_role.c.user_id == user.c.id)
                              .where(user_role.c.role == role, user.c.is_active.is_(True))
                              .order_by(user.c.id)).scalars())
    if not users:
        raise ActionFailed(f'no active user has the role "{role}" to assign the record to')
    key = f"{ctx.obj.name}:{ctx.workflow.name}:{ctx.index}"
    last = conn.execute(sa.select(workflow_round_robin.c.last_user_id).where(workflow_round_robin.c.key == key)
                        .with_for_update()).first()
    after = [u for u in users if last is None or last[0] is None or u > last[0]]
    chosen = after[0] if after else users[0]
    if last is None:
        conn.execute(workflow_round_robin.insert().values(key=key, last_user_id=chosen, updated_at=utcnow()))
    else:
        conn.execute(workflow_round_robin.update().where(workflow_round_robin.c.key == key)
                     .values(last_user_id=chosen, updated_at=utcnow()))
    return chosen
