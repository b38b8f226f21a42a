"""Outgoing email, queued in a table first.

Until SMTP delivery exists (workflows bring it), messages wait in the
outbox, which admins can read: a password-reset link is then handed over
by an admin, never lost. Queuing joins the caller's transaction when given
a connection, so a message exists exactly when the change that sent it does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .storage.platform_tables import outbox
from .storage.store import utcnow

MAX_SUBJECT = 250


@dataclass(frozen=True)
class OutgoingMessage:
    id: int
    to: str
    subject: str
    body: str
    created_at: dt.datetime
    status: str  # queued | sent | failed
    kind: str


def queue(conn_or_engine: Connection | Engine, *, to: str, subject: str, body: str, kind: str = "email") -> int:
    row = dict(to_address=to[:254], subject=subject[:MAX_SUBJECT], body=body, kind=kind[:40],
               status="queued", created_at=utcnow())
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.begin() as conn:
            return conn.execute(outbox.insert().values(**row)).inserted_primary_key[0]
    return conn_or_engine.execute(outbox.insert().values(**row)).inserted_primary_key[0]


def messages(engine: Engine, *, to: str | None = None, limit: int = 100) -> list[OutgoingMessage]:
    """The newest messages first (optionally for one address)."""
    query = sa.select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    if to is not None:
        query = query.where(outbox.c.to_address == to)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [OutgoingMessage(r.id, r.to_address, r.subject, r.body, r.created_at, r.status, r.kind) for r in rows]
