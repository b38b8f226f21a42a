"""Manual shares, record teams and denies: the per-record grants people make, stored and logged.

These rows are what the access predicate (``record_access``) reads. Who may
change them is decided by the caller (the API: edit access to the record for
shares and teams, admins only for denies); this module checks the rows
themselves (a user or role that exists, a known access level) and writes
every change to the security log in the same transaction, because a grant
or an ethical wall is a permission change that must be answerable later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from metacrm.metadata.definitions import SHARE_ACCESS

from ..errors import Conflict, NotFound, Unprocessable
from ..records.hooks import WriteContext
from ..storage.platform_tables import record_deny, record_share, record_team, user
from ..storage.store import utcnow
from ..storage.engine import write_transaction
from . import security_log

KINDS = {"shares": record_share, "team": record_team, "denies": record_deny}
#: Security-log events per kind: (added, removed).
EVENTS = {"shares": (security_log.SHARE_GRANTED, security_log.SHARE_REVOKED),
          "team": (security_log.TEAM_MEMBER_ADDED, security_log.TEAM_MEMBER_REMOVED),
          "denies": (security_log.DENY_ADDED, security_log.DENY_REMOVED)}
MAX_PER_RECORD = 1000


@dataclass(frozen=True)
class Grant:
    """One share, team membership or deny as the API shows it."""

    kind: str
    row: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.row.items() if k != "object"}
        out["created_at"] = self.row["created_at"].isoformat() if self.row.get("created_at") else None
        return out


class SharingStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def list(self, kind: str, object_name: str, record_id: int) -> list[Grant]:
        table = KINDS[kind]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table).where(table.c.object == object_name, table.c.record_id == record_id)
                                .order_by(table.c.id).limit(MAX_PER_RECORD)).mappings().all()
        return [Grant(kind, dict(r)) for r in rows]

    def add(self, kind: str, object_name: str, record_id: int, body: Mapping[str, Any], *, actor_id: int | None,
            roles: Iterable[str] = ()) -> Grant:
        """Validate ``body`` for the kind and insert it; ``roles`` are the role names metadata defines."""
        values = self._values(kind, body, set(roles))
        table = KINDS[kind]
        row = {**values, "object": object_name, "record_id": record_id, "created_at": utcnow(),
               "created_by": actor_id}
        added, _ = EVENTS[kind]
        try:
            with write_transaction(self.engine) as conn:
                self._require_user(conn, values.get("user_id"))
                if kind == "shares" and self._duplicate_share(conn, row):
                    raise Conflict("This record is already shared with them; remove that share first to change it")
                new_id = conn.execute(table.insert().values(**row).returning(table.c.id)).scalar_one()
                security_log.record(conn, added, actor_id=actor_id, subject=f"{object_name}#{record_id}",
                                    detail={k: v for k, v in values.items()})
        except IntegrityError:
            raise Conflict("They are already listed on this record; remove them first to change it") from None
        return Grant(kind, {"id": new_id, **row})

    def remove(self, kind: str, object_name: str, record_id: int, grant_id: int, *, actor_id: int | None) -> None:
        table = KINDS[kind]
        _, removed = EVENTS[kind]
        with write_transaction(self.engine) as conn:
            found = conn.execute(sa.select(table).where(table.c.id == grant_id, table.c.object == object_name,
                                                        table.c.record_id == record_id)).mappings().first()
            if found is None:
                raise NotFound(f"{object_name} #{record_id} has no {_singular(kind)} {grant_id}")
            conn.execute(sa.delete(table).where(table.c.id == grant_id))
            detail = {k: v for k, v in found.items() if k in ("id", "user_id", "role", "access", "team_role", "reason")}
            security_log.record(conn, removed, actor_id=actor_id, subject=f"{object_name}#{record_id}", detail=detail)

    def after_write(self, context: WriteContext) -> None:
        """A purged record takes its shares, team and denies with it (its id could be reused by no one,
        but the rows would only be clutter); an ``after_write`` hook, in the purge's transaction."""
        if context.operation != "purge":
            return
        for table in KINDS.values():
            context.conn.execute(sa.delete(table).where(table.c.object == context.obj.name,
                                                        table.c.record_id == context.record_id))

    # --- checks ------------------------------------------------------------------------------
    def _values(self, kind: str, body: Mapping[str, Any], roles: set[str]) -> dict[str, Any]:
        problems: list[dict[str, str]] = []
        allowed = {"shares": ("user_id", "role", "access"), "team": ("user_id", "team_role", "access"),
                   "denies": ("user_id", "reason")}[kind]
        for key in body:
            if key not in allowed:
                problems.append({"field": key, "message": f"is not a property of a {_singular(kind)} "
                                 f"(use {', '.join(allowed)})"})
        out: dict[str, Any] = {}
        uid = body.get("user_id")
        if uid is not None:
            if isinstance(uid, bool) or not isinstance(uid, int) or not 0 < uid < 2**63:
                problems.append({"field": "user_id", "message": "must be the id of a user"})
            else:
                out["user_id"] = uid
        if kind == "shares":
            role = body.get("role")
            if (uid is None) == (role is None):
                problems.append({"field": "user_id", "message": "share with exactly one of user_id or role"})
            elif role is not None:
                if not isinstance(role, str) or role not in roles:
                    problems.append({"field": "role", "message": f"must be a defined role ({', '.join(sorted(roles)) or 'none defined'})"})
                else:
                    out["role"] = role
        elif uid is None:
            problems.append({"field": "user_id", "message": "is required"})
        if kind in ("shares", "team"):
            access = body.get("access", "read")
            if access not in SHARE_ACCESS:
                problems.append({"field": "access", "message": 'must be "read" or "edit"'})
            out["access"] = access
        for key, limit in (("team_role", 60), ("reason", 500)):
            if key in allowed:
                text = body.get(key, "")
                if not isinstance(text, str) or len(text) > limit or "\x00" in text:
                    problems.append({"field": key, "message": f"must be text of at most {limit} characters"})
                else:
                    out[key] = text
        if problems:
            raise Unprocessable(f"The {_singular(kind)} is invalid", errors=problems)
        return out

    def _require_user(self, conn: Connection, user_id: int | None) -> None:
        if user_id is None:
            return
        if conn.execute(sa.select(user.c.id).where(user.c.id == user_id)).first() is None:
            raise Unprocessable("The user does not exist", errors=[{"field": "user_id",
                                                                     "message": f"no user with id {user_id} exists"}])

    def _duplicate_share(self, conn: Connection, row: Mapping[str, Any]) -> bool:
        t = record_share
        who = t.c.user_id == row["user_id"] if row.get("user_id") is not None else t.c.role == row["role"]
        return conn.execute(sa.select(t.c.id).where(t.c.object == row["object"], t.c.record_id == row["record_id"],
                                                    who)).first() is not None


def _singular(kind: str) -> str:
    return {"shares": "share", "team": "team member", "denies": "deny"}[kind]
