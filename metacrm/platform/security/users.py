"""Users, their passwords (argon2), roles and sign-in throttling. Tokens build on this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterable

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from metacrm.metadata.definitions import ADMIN_ROLE
from metacrm.metadata.names import did_you_mean

from ..errors import Conflict, NotFound, Unprocessable
from ..storage.platform_tables import login_attempt, user, user_role
from ..storage.store import utcnow
from ..storage.engine import write_transaction
from . import security_log
from .role_names import check_defined, split_admin

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
#: After this many failed sign-ins for one email within THROTTLE_WINDOW, further attempts are refused unchecked.
MAX_FAILED_LOGINS = 5
THROTTLE_WINDOW = dt.timedelta(minutes=15)
#: A successful sign-in is recorded at most this often per user: HTTP Basic signs in on every
#: request, and writing two rows per API call would cost more than the call itself.
SUCCESS_RECORD_INTERVAL = dt.timedelta(minutes=1)
MAX_ROLE_LENGTH = 40


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything MetaCRM stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    is_active: bool
    is_admin: bool
    roles: frozenset[str] = field(default_factory=frozenset)
    locale: str = "en"
    time_zone: str = "UTC"
    is_portal: bool = False


USER_COLUMNS = (user.c.id, user.c.email, user.c.name, user.c.is_active, user.c.is_admin, user.c.locale,
                 user.c.time_zone, user.c.is_portal)


def _normalise(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Unprocessable("Password too short", errors=[{
            "path": "password", "message": f"must be at least {MIN_PASSWORD_LENGTH} characters"}])


def _check_roles(roles: Iterable[str]) -> frozenset[str]:
    cleaned = frozenset(r.strip() for r in roles)
    bad = sorted(r for r in cleaned if not r or len(r) > MAX_ROLE_LENGTH)
    if bad:
        raise Unprocessable("Invalid role name", errors=[{
            "path": "roles", "message": f"role names must be 1 to {MAX_ROLE_LENGTH} characters: {bad}"}])
    return cleaned


def load_user(conn: Connection, row: Any) -> User:
    """A User from a row holding the USER_COLUMNS, with its roles (shared with the token service)."""
    roles = conn.execute(sa.select(user_role.c.role).where(user_role.c.user_id == row.id)).scalars()
    return User(row.id, row.email, row.name, row.is_active, row.is_admin, frozenset(roles), row.locale,
                row.time_zone, row.is_portal)


class UserService:
    def __init__(self, engine: Engine, *, defined_roles: Callable[[], Collection[str]] | None = None):
        """``defined_roles`` names the roles of the current metadata; assignments of other names are
        refused (without it, as in unit tests of this service alone, any well-formed name is accepted)."""
        self.engine = engine
        self.defined_roles = defined_roles

    def _assignable(self, roles: Iterable[str]) -> tuple[bool, frozenset[str]]:
        """Checked role names split into (admin?, the rest): ``admin`` is the is_admin flag."""
        role_set = _check_roles(roles)
        if self.defined_roles is not None:
            check_defined(role_set, self.defined_roles())
        return split_admin(role_set)

    def create(self, email: str, password: str, *, name: str = "", is_admin: bool = False,
               roles: Iterable[str] = (), actor_id: int | None = None) -> User:
        email = _normalise(email)
        if "@" not in email:
            raise Unprocessable("Invalid email", errors=[{"path": "email", "message": "must be an email address"}])
        _check_password(password)
        wants_admin, role_set = self._assignable(roles)
        is_admin = is_admin or wants_admin
        with write_transaction(self.engine) as conn:
            if conn.execute(sa.select(user.c.id).where(user.c.email == email)).first():
                raise Conflict(f"a user with email {email} already exists")
            now = utcnow()
            new_id = conn.execute(user.insert().values(
                email=email, name=name, password_hash=_hasher.hash(password), is_active=True,
                is_admin=is_admin, created_at=now, password_changed_at=now,
            )).inserted_primary_key[0]
            if role_set:
                conn.execute(user_role.insert(), [{"user_id": new_id, "role": r} for r in sorted(role_set)])
            security_log.record(conn, security_log.USER_CREATED, actor_id=actor_id, subject=email,
                                detail={"is_admin": is_admin, "roles": sorted(role_set)})
        return User(new_id, email, name, True, is_admin, role_set)

    def get_by_email(self, email: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*USER_COLUMNS).where(user.c.email == _normalise(email))).first()
            return load_user(conn, row) if row else None

    def get(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*USER_COLUMNS).where(user.c.id == user_id)).first()
            return load_user(conn, row) if row else None

    def display_names(self, ids: Iterable[Any]) -> dict[int, str]:
        """Names (or emails) of users, one statement for a page of owners and audit actors; unknown ids left out."""
        wanted = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
        if not wanted:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(user.c.id, user.c.name, user.c.email).where(user.c.id.in_(wanted))).all()
        return {r.id: r.name or r.email for r in rows}

    def list(self) -> list[User]:
        """Every user, active or not, ordered by email."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*USER_COLUMNS).order_by(user.c.email)).all()
            roles: dict[int, set[str]] = {}
            for user_id, role in conn.execute(sa.select(user_role.c.user_id, user_role.c.role)):
                roles.setdefault(user_id, set()).add(role)
        return [User(r.id, r.email, r.name, r.is_active, r.is_admin, frozenset(roles.get(r.id, ())), r.locale,
                     r.time_zone, r.is_portal) for r in rows]

    def _require_id(self, conn: Connection, email: str) -> int:
        found = conn.execute(sa.select(user.c.id).where(user.c.email == _normalise(email))).scalar()
        if found is None:
            raise NotFound(f"no user with email {_normalise(email)}")
        return found

    def disable(self, email: str, *, actor_id: int | None = None) -> None:
        """Stop the user signing in, with a password or any token; their records stay theirs."""
        with write_transaction(self.engine) as conn:
            user_id = self._require_id(conn, email)
            conn.execute(user.update().where(user.c.id == user_id).values(is_active=False))
            security_log.record(conn, security_log.USER_DISABLED, actor_id=actor_id, subject=_normalise(email))

    def enable(self, email: str, *, actor_id: int | None = None) -> None:
        """Let a deactivated user sign in again (their password and roles are as they were)."""
        with write_transaction(self.engine) as conn:
            user_id = self._require_id(conn, email)
            conn.execute(user.update().where(user.c.id == user_id).values(is_active=True))
            security_log.record(conn, security_log.USER_ENABLED, actor_id=actor_id, subject=_normalise(email))

    def set_password(self, email: str, password: str, *, actor_id: int | None = None) -> None:
        _check_password(password)
        with write_transaction(self.engine) as conn:
            user_id = self._require_id(conn, email)
            conn.execute(user.update().where(user.c.id == user_id).values(
                password_hash=_hasher.hash(password), password_changed_at=utcnow()))
            security_log.record(conn, security_log.PASSWORD_CHANGED, actor_id=actor_id, subject=_normalise(email))

    def set_roles(self, user_id: int, roles: Iterable[str], *, actor_id: int | None = None,
                  admin: bool | None = None) -> frozenset[str]:
        """Replace the user's roles with exactly these; returns them (without ``admin``).

        ``admin`` among them makes the user an administrator. Its absence takes the flag away only when
        ``admin`` is False (the REST API, where the list is the whole truth); None leaves the flag as is.
        """
        wants_admin, role_set = self._assignable(roles)
        with write_transaction(self.engine) as conn:
            current = self._locked(conn, user.c.id == user_id, f"no user with id {user_id}")
            now_admin = True if wants_admin else (current.is_admin if admin is None else admin)
            self._change_roles(conn, current, now_admin, role_set, actor_id)
        return role_set

    def grant_role(self, email: str, role: str, *, actor_id: int | None = None) -> User:
        """Add one role (``admin``: make an administrator); granting a role held already changes nothing."""
        wants_admin, role_set = self._assignable([role])
        with write_transaction(self.engine) as conn:
            current = self._locked(conn, user.c.email == _normalise(email), f"no user with email {_normalise(email)}")
            self._change_roles(conn, current, current.is_admin or wants_admin, current.roles | role_set, actor_id)
        return self.get(current.id)  # type: ignore[return-value]

    def revoke_role(self, email: str, role: str, *, actor_id: int | None = None) -> User:
        """Take one role away (``admin``: the administrator flag); a role the user lacks is an error."""
        role = role.strip()
        with write_transaction(self.engine) as conn:
            current = self._locked(conn, user.c.email == _normalise(email), f"no user with email {_normalise(email)}")
            held = sorted(current.roles | ({ADMIN_ROLE} if current.is_admin else set()))
            if role not in held:
                raise Unprocessable(f"{current.email} does not hold the role {role}", errors=[{
                    "path": "role", "code": "not_held",
                    "message": f"{current.email} holds {', '.join(held) or 'no role'}{did_you_mean(role, held)}"}])
            self._change_roles(conn, current, current.is_admin and role != ADMIN_ROLE, current.roles - {role},
                               actor_id)
        return self.get(current.id)  # type: ignore[return-value]

    def _locked(self, conn: Connection, where: Any, missing: str) -> User:
        """The user, its row locked on PostgreSQL so two role changes cannot interleave."""
        query = sa.select(*USER_COLUMNS).where(where)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise NotFound(missing)
        return load_user(conn, row)

    def _change_roles(self, conn: Connection, current: User, now_admin: bool, roles: frozenset[str],
                      actor_id: int | None) -> None:
        """Write the difference and log it as a permission change (nothing, when nothing changes)."""
        granted = sorted(roles - current.roles) + ([ADMIN_ROLE] if now_admin and not current.is_admin else [])
        revoked = sorted(current.roles - roles) + ([ADMIN_ROLE] if current.is_admin and not now_admin else [])
        if not granted and not revoked:
            return
        if ADMIN_ROLE in revoked and current.is_active and self._active_admins(conn) <= 1:
            raise Conflict(f"{current.email} is the last active administrator; make someone else an admin first")
        if now_admin != current.is_admin:
            conn.execute(user.update().where(user.c.id == current.id).values(is_admin=now_admin))
        gone = [r for r in revoked if r != ADMIN_ROLE]
        if gone:
            conn.execute(user_role.delete().where(user_role.c.user_id == current.id, user_role.c.role.in_(gone)))
        new = [r for r in granted if r != ADMIN_ROLE]
        if new:
            conn.execute(user_role.insert(), [{"user_id": current.id, "role": r} for r in new])
        security_log.record(conn, security_log.PERMISSION_CHANGED, actor_id=actor_id, subject=current.email,
                            detail={"granted": granted, "revoked": revoked})

    @staticmethod
    def _active_admins(conn: Connection) -> int:
        return conn.execute(sa.select(sa.func.count()).select_from(user).where(
            user.c.is_admin.is_(True), user.c.is_active.is_(True))).scalar() or 0

    def role_counts(self) -> dict[str, int]:
        """How many active users hold each role (``admin``: active administrators)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(user_role.c.role, sa.func.count()).select_from(
                user_role.join(user, user.c.id == user_role.c.user_id)).where(user.c.is_active.is_(True))
                .group_by(user_role.c.role)).all()
            admins = self._active_admins(conn)
        return {ADMIN_ROLE: admins, **{role: count for role, count in rows}}

    def roles(self, user_id: int) -> frozenset[str]:
        with self.engine.connect() as conn:
            return frozenset(conn.execute(sa.select(user_role.c.role).where(user_role.c.user_id == user_id)).scalars())

    def authenticate(self, email: str, password: str, ip: str = "") -> User | None:
        """The active user with these credentials, or None.

        Unknown emails, wrong passwords and disabled users cost the same
        argon2 check and get the same None. After MAX_FAILED_LOGINS failures
        within THROTTLE_WINDOW (counting only failures since the last
        success) the password is not even checked, so guessing stalls.
        """
        email = _normalise(email)
        now = utcnow()
        with self.engine.connect() as conn:
            if self._throttled(conn, email, now):
                security_log.record(self.engine, security_log.LOGIN_FAILED, subject=email, ip=ip,
                                    detail={"reason": "throttled"})
                return None
            row = conn.execute(sa.select(*USER_COLUMNS, user.c.password_hash)
                               .where(user.c.email == email)).first()
            stored = row.password_hash if row and row.password_hash else _DUMMY_HASH
            try:
                _hasher.verify(stored, password)
                ok = row is not None and bool(row.is_active)
            except (VerificationError, InvalidHashError):
                ok = False
            found = load_user(conn, row) if ok else None
        if found is None:
            with write_transaction(self.engine) as conn:
                conn.execute(login_attempt.insert().values(email=email, ip=ip[:64], at=now, succeeded=False))
                security_log.record(conn, security_log.LOGIN_FAILED, subject=email, ip=ip)
            return None
        self._record_success(email, found.id, ip, now)
        return found

    def _throttled(self, conn: Connection, email: str, now: dt.datetime) -> bool:
        last_success = conn.execute(sa.select(sa.func.max(login_attempt.c.at)).where(
            login_attempt.c.email == email, login_attempt.c.succeeded.is_(True))).scalar()
        since = now - THROTTLE_WINDOW
        last_success = as_utc(last_success)
        if last_success is not None and last_success > since:
            since = last_success
        failures = conn.execute(sa.select(sa.func.count()).select_from(login_attempt).where(
            login_attempt.c.email == email, login_attempt.c.succeeded.is_(False),
            login_attempt.c.at > since)).scalar() or 0
        return failures >= MAX_FAILED_LOGINS

    def _record_success(self, email: str, user_id: int, ip: str, now: dt.datetime) -> None:
        """Reset the failure window and log the sign-in, unless one was recorded in the last minute
        with no failure since (which is what keeps HTTP Basic from writing on every request)."""
        with write_transaction(self.engine) as conn:
            latest = conn.execute(sa.select(login_attempt.c.at, login_attempt.c.succeeded)
                                  .where(login_attempt.c.email == email)
                                  .order_by(login_attempt.c.at.desc(), login_attempt.c.id.desc()).limit(1)).first()
            if latest is not None and latest.succeeded and as_utc(latest.at) > now - SUCCESS_RECORD_INTERVAL:
                return
            conn.execute(login_attempt.insert().values(email=email, ip=ip[:64], at=now, succeeded=True))
            conn.execute(user.update().where(user.c.id == user_id).values(last_login_at=now))
            security_log.record(conn, security_log.LOGIN_SUCCEEDED, actor_id=user_id, subject=email, ip=ip)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(user)).scalar() or 0


_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")
