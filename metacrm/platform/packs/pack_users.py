"""Where packs meet users: who owns a pack's demo records, and roles that leave with a pack.

A pack's roles are metadata, but users hold them by name (``metacrm_user_role``).
Demo records are spread over the users of the pack's roles so every rep sees a
pipeline of their own; uninstalling a pack that defined roles takes those role
names from users, since a role no definition describes grants nothing and
would only block later role checks (``UserService`` refuses unknown names).
"""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..storage.platform_tables import user, user_role


def demo_owners(conn: Connection, roles: Iterable[str], author: str) -> list[int]:
    """Active users holding one of ``roles`` (by id), else the active user whose email is ``author``."""
    names = sorted(set(roles))
    if names:
        found = list(conn.execute(
            sa.select(user.c.id).distinct().join(user_role, user_role.c.user_id == user.c.id)
            .where(user_role.c.role.in_(names), user.c.is_active.is_(True)).order_by(user.c.id)).scalars())
        if found:
            return found
    installer = conn.execute(sa.select(user.c.id).where(sa.func.lower(user.c.email) == author.strip().lower(),
                                                        user.c.is_active.is_(True))).scalar()
    return [installer] if installer is not None else []


def take_roles(conn: Connection, roles: Iterable[str]) -> int:
    """Remove ``roles`` from every user; returns how many assignments were removed."""
    names = sorted(set(roles))
    if not names:
        return 0
    return conn.execute(sa.delete(user_role).where(user_role.c.role.in_(names))).rowcount or 0
