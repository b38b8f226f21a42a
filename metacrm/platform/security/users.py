"""Users and their passwords (argon2). Roles and tokens build on this."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from ..errors import Conflict, Unprocessable
from ..storage.platform_tables import user
from ..storage.store import utcnow

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    is_active: bool
    is_admin: bool


class UserService:
    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, email: str, password: str, *, name: str = "", is_admin: bool = False) -> User:
        email = email.strip().lower()
        if "@" not in email:
            raise Unprocessable("Invalid email", errors=[{"path": "email", "message": "must be an email address"}])
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Unprocessable("Password too short", errors=[{
                "path": "password", "message": f"must be at least {MIN_PASSWORD_LENGTH} characters"}])
        with self.engine.begin() as conn:
            if conn.execute(sa.select(user.c.id).where(user.c.email == email)).first():
                raise Conflict(f"a user with email {email} already exists")
            new_id = conn.execute(user.insert().values(
                email=email, name=name, password_hash=_hasher.hash(password), is_active=True,
                is_admin=is_admin, created_at=utcnow(),
            )).inserted_primary_key[0]
        return User(new_id, email, name, True, is_admin)

    def get_by_email(self, email: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(user.c.id, user.c.email, user.c.name, user.c.is_active, user.c.is_admin)
                               .where(user.c.email == email.strip().lower())).first()
        return User(*row) if row else None

    def authenticate(self, email: str, password: str) -> User | None:
        """The active user with these credentials, or None (same cost either way)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(user.c.id, user.c.email, user.c.name, user.c.is_active, user.c.is_admin,
                                         user.c.password_hash).where(user.c.email == email.strip().lower())).first()
        stored = row.password_hash if row and row.password_hash else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.is_active:
            return None
        return User(row.id, row.email, row.name, row.is_active, row.is_admin)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(user)).scalar() or 0


_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")
