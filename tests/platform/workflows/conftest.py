"""Fixtures for workflows: users to act as, a manually drained job queue, a helper to read the run log."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from metacrm.platform.jobs import Jobs
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.security import users
from metacrm.platform.storage.platform_tables import outbox
from metacrm.platform.workflows.tables import workflow_run
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def jobs(platform: Platform) -> Iterator[Jobs]:
    """The in-process queue, drained by the test (``jobs.run_pending()``) rather than by a thread."""
    platform.jobs.stop()
    platform.jobs = Jobs(platform, mode="manual")
    platform.workflows.register_jobs(platform.jobs)
    yield platform.jobs


@pytest.fixture
def records(platform: Platform, jobs: Jobs) -> RecordService:
    return platform.records


def make_user(platform: Platform, email: str, *, roles: tuple[str, ...] = (), manager: int | None = None,
              admin: bool = True) -> Actor:
    user = platform.users.create(email, ADMIN_PASSWORD, is_admin=admin, roles=list(roles))
    if manager is not None:
        with platform.engine.begin() as conn:
            conn.execute(sa.update(users.user).where(users.user.c.id == user.id).values(manager_id=manager))
    return Actor.from_user(user)


@pytest.fixture
def alice(platform: Platform) -> Actor:
    return make_user(platform, "alice@example.com")


def runs(platform: Platform, **where: Any) -> list[dict[str, Any]]:
    query = sa.select(workflow_run).order_by(workflow_run.c.id)
    for key, value in where.items():
        query = query.where(workflow_run.c[key] == value)
    with platform.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def sent_mail(platform: Platform) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(outbox).order_by(outbox.c.id))]
