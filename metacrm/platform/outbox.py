"""Outgoing email, kept in a table admins can read.

Without SMTP (``METACRM_SMTP_URL`` unset) messages wait here as ``queued``:
a password-reset link is then handed over by an admin, never lost. With SMTP,
the ``email.send`` job records each delivered message here as ``sent``, under
the kind ``job:<id>``, which is also how a retried job knows it already sent.
Queuing joins the caller's transaction when given a connection, so a message
exists exactly when the change that sent it does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .storage.platform_tables import outbox
from .storage.store import utcnow
from .storage.engine import write_transaction

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


def queue(conn_or_engine: Connection | Engine, *, to: str, subject: str, body: str, kind: str = "email",
          status: str = "queued") -> int:
    now = utcnow()
    row = dict(to_address=to[:254], subject=subject[:MAX_SUBJECT], body=body, kind=kind[:40],
               status=status, created_at=now, sent_at=now if status == "sent" else None,
               attempts=1 if status == "sent" else 0)
    if isinstance(conn_or_engine, Engine):
        with write_transaction(conn_or_engine) as conn:
            return conn.execute(outbox.insert().values(**row)).inserted_primary_key[0]
    return conn_or_engine.execute(outbox.insert().values(**row)).inserted_primary_key[0]


def find_kind(conn: Connection, kind: str) -> OutgoingMessage | None:
    """The message recorded under ``kind`` (``job:<id>`` for messages sent by a job), if any."""
    r = conn.execute(sa.select(outbox).where(outbox.c.kind == kind).order_by(outbox.c.id).limit(1)).first()
    return None if r is None else OutgoingMessage(r.id, r.to_address, r.subject, r.body, r.created_at, r.status,
                                                  r.kind)


def messages(engine: Engine, *, to: str | None = None, limit: int = 100) -> list[OutgoingMessage]:
    """The newest messages first (optionally for one address)."""
    query = sa.select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    if to is not None:
        query = query.where(outbox.c.to_address == to)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [OutgoingMessage(r.id, r.to_address, r.subject, r.body, r.created_at, r.status, r.kind) for r in rows]
