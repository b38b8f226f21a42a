"""Shared fixtures: a fresh database per test, on SQLite or PostgreSQL.

The suite runs on whichever database ``METACRM_DATABASE_URL`` names (SQLite
files in a temporary folder otherwise). On PostgreSQL each test gets its own
schema, dropped afterwards, so tests never see each other's tables. Under
``CI=true`` an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa

from metacrm.platform.runtime import Platform

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple"
PG_PREFIX = "postgresql"


def _base_url() -> str | None:
    return os.environ.get("METACRM_DATABASE_URL") or None


def pytest_report_header(config: Any) -> str:
    return f"metacrm database: {_base_url() or 'sqlite (temporary files)'}"


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[sa.Engine | None]:
    url = _base_url()
    if not url or not url.startswith(PG_PREFIX):
        yield None
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {url} is not reachable under CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Any, pg_engine: sa.Engine | None) -> Iterator[str]:
    if pg_engine is None:
        yield f"sqlite:///{tmp_path / 'metacrm.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in _base_url() else "?"  # type: ignore[operator]
    yield f"{_base_url()}{sep}options=-csearch_path%3D{schema}"
    with pg_engine.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def platform(database_url: str) -> Iterator[Platform]:
    p = Platform.from_url(database_url, migrate=True)
    yield p
    p.engine.dispose()


@pytest.fixture
def apply(platform: Platform) -> Callable[..., Any]:
    """apply(doc, confirm=True) plans and applies a bundle or object document in one line."""

    def _apply(document: Any, *, confirm: bool = True, replace_all: bool = False, author: str = "test") -> Any:
        plan = platform.metadata.plan(document, replace_all=replace_all)
        return platform.metadata.apply(plan, author=author, confirm=confirm)

    return _apply


@pytest.fixture
def app(database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("METACRM_INSTANCE_PATH", str(tmp_path / "instance"))
    from metacrm.app import create_app

    application = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True,
                              "AUTO_MIGRATE": True})
    application.extensions["metacrm"].users.create(ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True)
    yield application
    application.extensions["metacrm"].engine.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def basic_auth(email: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD)


def make_object(name: str, *fields: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """A one-line object document: make_object("deal", text("title"), currency("amount"))."""
    return {"name": name, "fields": list(fields), **settings}


def fld(name: str, type_: str = "text", **settings: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **settings}
