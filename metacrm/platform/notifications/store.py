"""Notifications: write them in the caller's transaction, list and mark them read for their user only.

Every function that reads or changes notifications takes the user's id and
filters by it, so no caller can see or mark another user's messages by
guessing ids (the API answers 404 for someone else's notification).
"""

from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import NotFound
from ..security.users import as_utc
from ..storage.store import utcnow
from ..storage.engine import write_transaction
from .tables import notification, notification_preference

MAX_MESSAGE = 2000


def add(conn: Connection, user_ids: Iterable[int], message: str, *, object_name: str | None = None,
        record_id: int | None = None) -> list[int]:
    """One notification per user, in the caller's transaction (a rolled-back save notifies nobody)."""
    now, ids = utcnow(), []
    for user_id in dict.fromkeys(user_ids):
        ids.append(conn.execute(notification.insert().values(
            user_id=user_id, message=message[:MAX_MESSAGE], object=object_name, record_id=record_id,
            created_at=now).returning(notification.c.id)).scalar_one())
    return ids


def _json(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in ("created_at", "read_at"):
        out[key] = as_utc(out[key]).isoformat() if out[key] is not None else None
    return out


def listing(engine: Engine, user_id: int, *, unread: bool = False, limit: int = 50,
            before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """The user's notifications newest first, and the cursor of the next page (None at the end)."""
    query = (sa.select(notification).where(notification.c.user_id == user_id)
             .order_by(notification.c.id.desc()).limit(limit + 1))
    if unread:
        query = query.where(notification.c.read_at.is_(None))
    if before is not None:
        query = query.where(notification.c.id < before)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    page = [_json(r) for r in rows[:limit]]
    return page, (page[-1]["id"] if len(rows) > limit else None)


def unread_count(engine: Engine, user_id: int, *, cap: int = 99) -> int:
    """How many are unread, counted up to ``cap + 1`` (the bell shows "99+" beyond)."""
    inner = (sa.select(notification.c.id).where(notification.c.user_id == user_id, notification.c.read_at.is_(None))
             .limit(cap + 1).subquery())
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one()


def mark_read(engine: Engine, user_id: int, notification_id: int) -> dict[str, Any]:
    """Mark one of the user's notifications read (again is harmless); someone else's is not found."""
    mine = sa.and_(notification.c.id == notification_id, notification.c.user_id == user_id)
    with write_transaction(engine) as conn:
        conn.execute(notification.update().where(mine, notification.c.read_at.is_(None)).values(read_at=utcnow()))
        row = conn.execute(sa.select(notification).where(mine)).first()
    if row is None:
        raise NotFound(f"you have no notification #{notification_id}")
    return _json(row)


def mark_all_read(engine: Engine, user_id: int) -> int:
    with write_transaction(engine) as conn:
        return conn.execute(notification.update().where(notification.c.user_id == user_id,
                                                        notification.c.read_at.is_(None))
                            .values(read_at=utcnow())).rowcount


def wants_email(conn: Connection, user_ids: Iterable[int]) -> set[int]:
    ids = list(user_ids)
    if not ids:
        return set()
    return set(conn.execute(sa.select(notification_preference.c.user_id).where(
        notification_preference.c.user_id.in_(ids), notification_preference.c.email.is_(True))).scalars())


def email_preference(engine: Engine, user_id: int) -> bool:
    with engine.connect() as conn:
        return bool(wants_email(conn, [user_id]))


def set_email_preference(engine: Engine, user_id: int, email: bool) -> bool:
    with write_transaction(engine) as conn:
        done = conn.execute(notification_preference.update().where(notification_preference.c.user_id == user_id)
                            .values(email=email, updated_at=utcnow())).rowcount
        if not done:
            conn.execute(notification_preference.insert().values(user_id=user_id, email=email, updated_at=utcnow()))
    return email

