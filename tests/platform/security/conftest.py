"""Fixtures for users, tokens and the security log: fast argon2, a clock the test can move."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from metacrm.platform.runtime import Platform
from metacrm.platform.security import tokens, users
from metacrm.platform.storage.platform_tables import security_log
from tests.conftest import ADMIN_PASSWORD

USER_EMAIL = "user@example.com"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2 with the smallest work factors, so throttling tests can sign in many times."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


class Clock:
    """The time the user and token services see; tests move it forward instead of sleeping."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(users, "utcnow", c)
    monkeypatch.setattr(tokens, "utcnow", c)
    return c


@pytest.fixture
def alice(platform: Platform) -> users.User:
    return platform.users.create(USER_EMAIL, ADMIN_PASSWORD, name="Alice")


def events(platform: Platform, event: str | None = None) -> list[Any]:
    """Security log rows, oldest first (optionally of one event)."""
    query = sa.select(security_log).order_by(security_log.c.id)
    if event:
        query = query.where(security_log.c.event == event)
    with platform.engine.connect() as conn:
        return conn.execute(query).all()
