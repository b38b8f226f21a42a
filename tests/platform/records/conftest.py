"""Fixtures for the record service: real users to act as, and one-line checks on its answers."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from metacrm.platform.records import Actor, RecordInvalid, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.security import users
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating the users these tests act as should not cost a production argon2 hash each."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def records(platform: Platform) -> RecordService:
    return platform.records


def make_actor(platform: Platform, email: str) -> Actor:
    """An Actor backed by a real user row, so ``owner`` and ``created_by`` point at something.

    An admin: these tests exercise the record pipeline, not permissions (tests/platform/security does).
    """
    return Actor.from_user(platform.users.create(email, ADMIN_PASSWORD, is_admin=True))


@pytest.fixture
def alice(platform: Platform) -> Actor:
    return make_actor(platform, "alice@example.com")


@pytest.fixture
def bob(platform: Platform) -> Actor:
    return make_actor(platform, "bob@example.com")


def row_count(platform: Platform, object_name: str) -> int:
    """Rows in the object's table, recycle bin included: what was really written."""
    table = platform.schema.get().tables[object_name]
    with platform.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def field_codes(call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, str]:
    """Call, expect RecordInvalid, and return its errors as {field: code}."""
    with pytest.raises(RecordInvalid) as info:
        call(*args, **kwargs)
    return {e.field: e.code for e in info.value.field_errors}


def field_messages(call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, str]:
    """Call, expect RecordInvalid, and return its errors as {field: message}."""
    with pytest.raises(RecordInvalid) as info:
        call(*args, **kwargs)
    return {e.field: e.message for e in info.value.field_errors}
