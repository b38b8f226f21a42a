"""The security log: an append-only trail of sign-ins, token use and account changes.

Kept apart from field history because it answers a different question
("who got in, and how?") and must be written even when nothing else is,
for example on a failed login. Rows are only ever inserted; nothing in the
platform updates or deletes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Engine

from ..storage.platform_tables import security_log
from ..storage.store import utcnow
from ..storage.engine import write_transaction

LOGIN_SUCCEEDED = "login_succeeded"
LOGIN_FAILED = "login_failed"
TOKEN_CREATED = "token_created"
TOKEN_REVOKED = "token_revoked"
TOKEN_USED = "token_used"
USER_CREATED = "user_created"
USER_DISABLED = "user_disabled"
USER_ENABLED = "user_enabled"
PASSWORD_CHANGED = "password_changed"
LOGGED_OUT = "logged_out"
TWO_FACTOR_CHANGED = "two_factor_changed"
PASSWORD_RESET_REQUESTED = "password_reset_requested"

EVENTS = frozenset({LOGIN_SUCCEEDED, LOGIN_FAILED, TOKEN_CREATED, TOKEN_REVOKED, TOKEN_USED,
                    USER_CREATED, USER_DISABLED, PASSWORD_CHANGED})
EVENTS |= {LOGGED_OUT, TWO_FACTOR_CHANGED, PASSWORD_RESET_REQUESTED, USER_ENABLED}
#: Roles granted or revoked (``detail``: granted, revoked, admin).
PERMISSION_CHANGED = "permission_changed"
#: A metadata version applied or rolled back, or archives purged (``detail``: version, kind, reason).
METADATA_CHANGED = "metadata_changed"
EVENTS |= {PERMISSION_CHANGED, METADATA_CHANGED}

# Record-level access changes (manual shares, record teams, ethical walls).
SHARE_GRANTED = "share_granted"
SHARE_REVOKED = "share_revoked"
TEAM_MEMBER_ADDED = "team_member_added"
TEAM_MEMBER_REMOVED = "team_member_removed"
DENY_ADDED = "deny_added"
DENY_REMOVED = "deny_removed"
EVENTS |= {SHARE_GRANTED, SHARE_REVOKED, TEAM_MEMBER_ADDED, TEAM_MEMBER_REMOVED, DENY_ADDED, DENY_REMOVED}


def record(conn_or_engine: Connection | Engine, event: str, *, actor_id: int | None = None, subject: str = "",
           ip: str = "", detail: dict[str, Any] | None = None) -> None:
    """Append one event.

    Given a connection, the row joins that connection's transaction, so an
    account change and its log entry commit or roll back together; given an
    engine, it is written in a transaction of its own (used when there is
    nothing else to commit, as on a failed login).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown security event {event!r}")
    row = dict(at=utcnow(), actor_id=actor_id, event=event, subject=subject[:254], ip=(ip or "")[:64],
               detail=detail or {})
    if isinstance(conn_or_engine, Engine):
        with write_transaction(conn_or_engine) as conn:
            conn.execute(security_log.insert().values(**row))
    else:
        conn_or_engine.execute(security_log.insert().values(**row))
