"""API tokens: long random secrets for scripts and integrations, instead of a password.

Only a SHA-256 of each token is stored, so a copy of the database does not
hand out working credentials; the token itself is shown once, at creation.
A plain hash (not argon2) is enough because the secret has 256 bits of
entropy: there is nothing to guess, and lookups stay one indexed query.
Looking the hash up also means no secret is ever compared byte by byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..errors import NotFound, Unprocessable
from ..storage.platform_tables import api_token, user
from ..storage.store import utcnow
from ..storage.engine import write_transaction
from . import security_log
from .users import USER_COLUMNS, User, as_utc, load_user

TOKEN_PREFIX = "mcrm"
SCOPES = ("read", "write")
#: last_used_at (and a token_used log entry) is written at most this often per token:
#: a script calling the API in a loop should not turn every read into a write.
USE_RECORD_INTERVAL = dt.timedelta(minutes=1)
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token after creation: never the secret."""

    id: int
    user_id: int
    name: str
    prefix: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def display(self) -> str:
        """How a user recognises the token: its public start, e.g. ``mcrm_1a2b3c4d_…``."""
        return f"{TOKEN_PREFIX}_{self.prefix}_…"

    def active(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def hash_token(token_text: str) -> str:
    return hashlib.sha256(token_text.encode("utf-8")).hexdigest()


def _info(row: sa.Row) -> TokenInfo:
    return TokenInfo(row.id, row.user_id, row.name, row.prefix, row.scope, as_utc(row.created_at),
                     as_utc(row.expires_at), as_utc(row.last_used_at), as_utc(row.revoked_at))


_TOKEN_COLUMNS = (api_token.c.id, api_token.c.user_id, api_token.c.name, api_token.c.prefix, api_token.c.scope,
                  api_token.c.created_at, api_token.c.expires_at, api_token.c.last_used_at, api_token.c.revoked_at)


class TokenService:
    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, user_id: int, name: str, *, scope: str = "write",
               expires_at: dt.datetime | None = None) -> tuple[str, TokenInfo]:
        """A new token for the user: (the token text, to show once; what can be shown later)."""
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise Unprocessable("Invalid token name", errors=[{
                "path": "name", "message": f"must be 1 to {MAX_NAME_LENGTH} characters"}])
        if scope not in SCOPES:
            raise Unprocessable("Invalid token scope", errors=[{"path": "scope", "message": "must be read or write"}])
        now = utcnow()
        if expires_at is not None and as_utc(expires_at) <= now:  # type: ignore[operator]
            raise Unprocessable("Token already expired", errors=[{
                "path": "expires_at", "message": "must be in the future"}])
        prefix = secrets.token_hex(4)
        token_text = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        with write_transaction(self.engine) as conn:
            owner = conn.execute(sa.select(user.c.email).where(user.c.id == user_id)).scalar()
            if owner is None:
                raise NotFound(f"no user with id {user_id}")
            token_id = conn.execute(api_token.insert().values(
                user_id=user_id, name=name, prefix=prefix, token_hash=hash_token(token_text), scope=scope,
                created_at=now, expires_at=expires_at)).inserted_primary_key[0]
            security_log.record(conn, security_log.TOKEN_CREATED, actor_id=user_id, subject=owner,
                                detail={"token_id": token_id, "name": name, "scope": scope})
        return token_text, TokenInfo(token_id, user_id, name, prefix, scope, now, as_utc(expires_at), None, None)

    def authenticate(self, token_text: str, ip: str = "") -> tuple[User, TokenInfo] | None:
        """The active user and token this text belongs to, or None.

        Unknown, revoked and expired tokens and tokens of disabled users
        all give the same None, so a caller learns nothing about which.
        """
        if not token_text.startswith(f"{TOKEN_PREFIX}_"):
            return None
        now = utcnow()
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_TOKEN_COLUMNS).where(api_token.c.token_hash == hash_token(token_text))
                               ).first()
            if row is None:
                return None
            info = _info(row)
            owner_row = conn.execute(sa.select(*USER_COLUMNS).where(user.c.id == info.user_id)).first()
            if not info.active(now) or owner_row is None or not owner_row.is_active:
                return None
            owner = load_user(conn, owner_row)
        if info.last_used_at is None or info.last_used_at <= now - USE_RECORD_INTERVAL:
            with write_transaction(self.engine) as conn:
                conn.execute(api_token.update().where(api_token.c.id == info.id).values(last_used_at=now))
                security_log.record(conn, security_log.TOKEN_USED, actor_id=owner.id, subject=owner.email, ip=ip,
                                    detail={"token_id": info.id})
        return owner, info

    def list(self, user_id: int) -> list[TokenInfo]:
        """The user's tokens, revoked and expired ones included, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*_TOKEN_COLUMNS).where(api_token.c.user_id == user_id)
                                .order_by(api_token.c.id)).all()
        return [_info(r) for r in rows]

    def revoke(self, token_id: int, by_user: User | None) -> TokenInfo:
        """Revoke a token for good. Its owner or an admin may; ``None`` is the operator (the CLI).

        Revoking twice is harmless and keeps the first revocation time.
        """
        with write_transaction(self.engine) as conn:
            row = conn.execute(sa.select(*_TOKEN_COLUMNS).where(api_token.c.id == token_id)).first()
            # Someone else's token answers like a missing one: ids are not a way to probe.
            if row is None or (by_user is not None and not by_user.is_admin and by_user.id != row.user_id):
                raise NotFound(f"no token with id {token_id}")
            info = _info(row)
            if info.revoked_at is not None:
                return info
            now = utcnow()
            conn.execute(api_token.update().where(api_token.c.id == token_id).values(revoked_at=now))
            owner = conn.execute(sa.select(user.c.email).where(user.c.id == info.user_id)).scalar() or ""
            security_log.record(conn, security_log.TOKEN_REVOKED, actor_id=by_user.id if by_user else None,
                                subject=owner, detail={"token_id": token_id, "name": info.name})
        return TokenInfo(**{**info.__dict__, "revoked_at": now})


__all__ = ["TokenInfo", "TokenService", "hash_token"]
