"""A second, empty database beside the test's own (restores go there), on the same kind of database."""

from __future__ import annotations

import os
import uuid
from typing import Any, Iterator

import pytest
import sqlalchemy as sa


@pytest.fixture
def empty_database_url(tmp_path: Any, pg_engine: sa.Engine | None) -> Iterator[str]:
    if pg_engine is None:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    base = os.environ["METACRM_DATABASE_URL"]
    schema = f"r_{uuid.uuid4().hex[:12]}"
    with pg_engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    with pg_engine.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2 with the smallest work factors: every API call of the comparison signs in."""
    from argon2 import PasswordHasher

    from metacrm.platform.security import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
