"""What a browser session and a password-reset link are bound to.

Both carry a *stamp* derived from the user's password-change time and
second-factor state instead of a plain user id: changing the password (or
turning TOTP on or off) silently ends every other session and voids every
reset link already sent, without a server-side session table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..storage.platform_tables import user
from ..storage.engine import write_transaction
from . import security_log
from .users import USER_COLUMNS, User, as_utc, load_user

#: A TOTP code is accepted one 30-second step early or late (clock drift on phones).
TOTP_VALID_WINDOW = 1
TOTP_ISSUER = "MetaCRM"


@dataclass(frozen=True)
class Credentials:
    user: User
    stamp: str
    totp_secret: str | None


def stamp_of(user_id: int, password_changed_at: dt.datetime | None, totp_secret: str | None) -> str:
    changed = as_utc(password_changed_at)
    material = f"{user_id}|{changed.isoformat() if changed else ''}|{'totp' if totp_secret else ''}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


class CredentialService:
    def __init__(self, engine: Engine):
        self.engine = engine

    def load(self, user_id: int) -> Credentials | None:
        """The user with their current stamp, or None if unknown."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*USER_COLUMNS, user.c.password_changed_at, user.c.totp_secret)
                               .where(user.c.id == user_id)).first()
            if row is None:
                return None
            return Credentials(load_user(conn, row), stamp_of(row.id, row.password_changed_at, row.totp_secret),
                               row.totp_secret)

    def session_user(self, user_id: int, stamp: str) -> User | None:
        """The active user a session cookie names, if its stamp is still current."""
        found = self.load(user_id)
        if found is None or not found.user.is_active or found.stamp != stamp:
            return None
        return found.user

    @staticmethod
    def new_totp_secret() -> str:
        return pyotp.random_base32()

    @staticmethod
    def totp_uri(secret: str, email: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)

    @staticmethod
    def verify_totp(secret: str, code: str) -> bool:
        code = "".join(ch for ch in code if ch.isdigit())
        return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=TOTP_VALID_WINDOW)

    def set_totp(self, user_id: int, secret: str | None) -> None:
        """Turn the second factor on (with a secret the user proved they hold) or off."""
        with write_transaction(self.engine) as conn:
            email = conn.execute(sa.select(user.c.email).where(user.c.id == user_id)).scalar_one()
            conn.execute(user.update().where(user.c.id == user_id).values(totp_secret=secret))
            security_log.record(conn, security_log.TWO_FACTOR_CHANGED, actor_id=user_id, subject=email,
                                detail={"enabled": bool(secret)})
