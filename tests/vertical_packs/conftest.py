"""Fixtures for the base CRM pack's behaviour: the pack installed without demo data, users of its roles,
and a manually drained job queue (``jobs.run_pending()``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from metacrm.platform.jobs import Jobs
from metacrm.platform.packs import PackService, open_pack
from metacrm.platform.records import Actor
from metacrm.platform.runtime import Platform
from metacrm.platform.security import users
from tests.conftest import ADMIN_PASSWORD
# The workflows' fixtures: cheap password hashing, and a job queue the test drains (jobs.run_pending()).
from tests.platform.workflows.conftest import cheap_password_hashing, jobs  # noqa: F401


@pytest.fixture
def crm(platform: Platform, jobs: Jobs) -> Platform:
    """A fresh database with base_crm installed (no demo data)."""
    with open_pack("base_crm") as source:
        PackService(platform.metadata, platform.records).install(source)
    return platform


def make_user(platform: Platform, email: str, *roles: str, manager: int | None = None,
              admin: bool = False) -> Actor:
    user = platform.users.create(email, ADMIN_PASSWORD, is_admin=admin, roles=list(roles))
    if manager is not None:
        with platform.engine.begin() as conn:
            conn.execute(sa.update(users.user).where(users.user.c.id == user.id).values(manager_id=manager))
    return Actor.from_user(user)


@pytest.fixture
def rep(crm: Platform) -> Actor:
    return make_user(crm, "rep@example.com", "sales_rep")
