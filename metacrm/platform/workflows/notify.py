"""The ``notify`` action: an in-app notification for users, plus an email for those who asked for one.

``{"type": "notify", "to": "owner", "message": "{{ record.name }} was won", "link": true}``

``to`` is ``owner``, ``owner.manager``, ``creator``, a role (its active
users), a user id, an ``"=expression"`` giving ids, or a list of these. The
rows are written in the run's transaction (a rolled-back save notifies
nobody); the emails are ``email.send`` jobs enqueued in it. A notification
that finds no recipient is a success with nothing to do, like ``send_email``.
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from ..notifications import store
from ..storage.platform_tables import user, user_role
from .actions import ActionContext, action
from .conditions import value_of
from .message_actions import merge_fields, person
from .record_actions import ActionFailed
from .templates import TemplateFailed, render


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]


def recipient_ids(ctx: ActionContext) -> list[int]:
    """The active users ``to`` names, in order, each once."""
    wanted = ctx.params["to"] if isinstance(ctx.params["to"], (list, tuple)) else [ctx.params["to"]]
    found: list[int] = []
    for to in wanted:
        if to == "owner":
            found.extend(_ids(ctx.record.get("owner")))
        elif to == "owner.manager":
            owner = person(ctx.conn, ctx.record.get("owner"))
            found.extend(_ids(owner["manager_id"]) if owner else [])
        elif to == "creator":
            found.extend(_ids(ctx.record.get("created_by")))
        elif isinstance(to, str) and to.startswith("="):
            found.extend(_ids(value_of(to, ctx.scope)))
        elif isinstance(to, str):
            found.extend(ctx.conn.execute(sa.select(user_role.c.user_id).where(user_role.c.role == to)
                                          .order_by(user_role.c.user_id)).scalars())
        else:
            found.extend(_ids(to))
    if not found:
        return []
    active = set(ctx.conn.execute(sa.select(user.c.id).where(user.c.id.in_(found), user.c.is_active.is_(True)))
                 .scalars())
    return [u for u in dict.fromkeys(found) if u in active]


@action("notify")
def notify(ctx: ActionContext) -> Mapping[str, Any]:
    users = recipient_ids(ctx)
    if not users:
        return {"to": [], "skipped": "no recipient"}
    fields = merge_fields(ctx)
    try:
        message = render(ctx.params["message"], fields).strip()
    except TemplateFailed as exc:
        raise ActionFailed(str(exc)) from None
    link = ctx.params.get("link", True) and ctx.record.get("id") is not None
    ids = store.add(ctx.conn, users, message, object_name=ctx.obj.name if link else None,
                    record_id=ctx.record.get("id") if link else None)
    emailed = sorted(store.wants_email(ctx.conn, users))
    jobs = []
    if emailed:
        queue = ctx.engine.require_jobs()
        addresses = dict(ctx.conn.execute(sa.select(user.c.id, user.c.email).where(user.c.id.in_(emailed))).all())
        subject = message.splitlines()[0][:200] if message else ctx.workflow.label
        for user_id in emailed:
            jobs.append(queue.enqueue(ctx.conn, "email.send", {"to": addresses[user_id], "subject": subject,
                                                               "body": message}))
    return {"to": users, "notifications": ids, **({"emails": jobs} if jobs else {})}
