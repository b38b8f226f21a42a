"""Actions that reach outside: send an email from a template, call a webhook.

They never run inside the save: each enqueues a job (``platform.jobs``) in
the save's transaction, so a rolled-back save sends nothing and a committed
one sends after commit, retried by the jobs layer (``email.send``,
``webhook.call``). They are registered by the built-in ``messaging`` plugin
(``metacrm/plugins/builtin/messaging.py``), like a third party's actions.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..storage.platform_tables import user
from .actions import ActionContext
from .conditions import value_of
from .record_actions import ActionFailed
from .templates import TemplateFailed, render


def json_safe(value: Any) -> Any:
    """Dates and decimals as text, so a payload survives the job table and the queue."""
    return json.loads(json.dumps(value, default=str))


def person(conn: Connection, user_id: Any) -> dict[str, Any] | None:
    """A user as merge fields see them (id, email, name) plus their manager's id."""
    if user_id is None:
        return None
    row = conn.execute(sa.select(user.c.id, user.c.email, user.c.name, user.c.manager_id, user.c.is_active)
                       .where(user.c.id == int(user_id))).first()
    return None if row is None else {"id": row.id, "email": row.email, "name": row.name,
                                     "manager_id": row.manager_id, "active": bool(row.is_active)}


def merge_fields(ctx: ActionContext) -> dict[str, Any]:
    owner = person(ctx.conn, ctx.record.get("owner"))
    manager = person(ctx.conn, owner["manager_id"]) if owner else None
    public = ("id", "email", "name")
    return {"record": ctx.engine.records.to_json(ctx.obj.name, ctx.record),
            "owner": {k: owner[k] for k in public} if owner else {},
            "manager": {k: manager[k] for k in public} if manager else {},
            "object": ctx.obj.definition.label, "workflow": ctx.workflow.label}


def recipients(ctx: ActionContext, fields: Mapping[str, Any]) -> list[str]:
    """``owner``, ``owner.manager``, ``creator``, addresses and "=expressions" → active users' or given addresses."""
    wanted = ctx.params["to"] if isinstance(ctx.params["to"], (list, tuple)) else [ctx.params["to"]]
    found: list[str] = []
    for to in wanted:
        if to == "owner" and fields["owner"]:
            found.append(fields["owner"]["email"])
        elif to == "owner.manager" and fields["manager"]:
            found.append(fields["manager"]["email"])
        elif to == "creator":
            creator = person(ctx.conn, ctx.record.get("created_by"))
            if creator:
                found.append(creator["email"])
        elif isinstance(to, str) and to.startswith("="):
            value = value_of(to, ctx.scope)
            found.extend(v for v in (value if isinstance(value, (list, tuple)) else [value]) if isinstance(v, str) and v)
        elif isinstance(to, str) and "@" in to:
            found.append(to)
    return list(dict.fromkeys(found))


def send_email(ctx: ActionContext) -> Mapping[str, Any]:
    fields = merge_fields(ctx)
    to = recipients(ctx, fields)
    if not to:
        return {"to": [], "skipped": "no recipient (no owner, manager or address)"}
    try:
        subject = render(ctx.params["subject"], fields).strip().replace("\n", " ")
        body = render(ctx.params["body"], fields)
        html = render(ctx.params["html"], fields, html=True) if ctx.params.get("html") else None
    except TemplateFailed as exc:
        raise ActionFailed(str(exc)) from None
    jobs = ctx.engine.require_jobs()
    ids = []
    for address in to:
        payload = {"to": address, "subject": subject[:250], "body": body, **({"html": html} if html else {})}
        ids.append(jobs.enqueue(ctx.conn, "email.send", payload))
    return {"to": to, "jobs": ids}


def call_webhook(ctx: ActionContext) -> Mapping[str, Any]:
    body = ctx.params.get("body")
    if isinstance(body, Mapping):
        payload = {k: value_of(v, ctx.scope) for k, v in body.items()}
    elif isinstance(body, str):
        try:
            payload = {"text": render(body, merge_fields(ctx))}
        except TemplateFailed as exc:
            raise ActionFailed(str(exc)) from None
    else:
        payload = {"workflow": ctx.workflow.name, "object": ctx.obj.name, "trigger": ctx.trigger,
                   "record": ctx.engine.records.to_json(ctx.obj.name, ctx.record)}
    job = {"url": ctx.params["url"], "body": json_safe(payload), "secret": ctx.params.get("secret") or "",
           **({"headers": dict(ctx.params["headers"])} if ctx.params.get("headers") else {})}
    return {"url": ctx.params["url"], "job": ctx.engine.require_jobs().enqueue(ctx.conn, "webhook.call", job)}
