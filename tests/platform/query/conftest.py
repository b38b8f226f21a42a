"""Fixtures for query tests: the compiled test schema, and a query runner on a real database.

Most query tests only read, so ``crm`` builds one database per test module
(same rules as the shared ``database_url`` fixture: SQLite in a temporary
folder, or a throw-away PostgreSQL schema) and loads the fixed data set
once; tests that write use the ordinary per-test ``platform`` fixture.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from metacrm.metadata.compiled import CompiledSchema
from metacrm.platform.query import QueryResult, parse_query, run_query
from metacrm.platform.runtime import Platform
from tests.conftest import _base_url

from .schema import BUNDLE, compiled

TODAY = dt.date(2026, 3, 15)  # a Sunday: this_week is Monday 9 .. Sunday 15 March
UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
DEAL_COLUMNS = ("title", "amount", "probability", "stage", "close_date", "closed_at", "is_hot", "score", "company",
                "tags", "related_object", "related_id", "notes", "contact_email", "owner", "deleted_at")


@pytest.fixture(scope="session")
def schema() -> CompiledSchema:
    return compiled()


def insert(platform: Platform, object_name: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """Core inserts with every row carrying the same keys (one executemany)."""
    table = platform.schema.get().tables[object_name]
    with platform.engine.begin() as conn:
        conn.execute(table.insert(), [{"created_at": NOW, "updated_at": NOW, **{c: r.get(c) for c in columns}}
                                      for r in rows])


def d(text: str) -> Decimal:
    return Decimal(text)


COMPANIES = [
    {"name": "acme", "industry": "Tech", "employees": 100, "revenue": d("1000000.00")},
    {"name": "shop", "industry": "Retail", "employees": 20, "revenue": d("50000.50")},
    {"name": "care", "industry": "Health", "employees": None, "revenue": None},
    {"name": "nobody", "industry": None, "employees": 5, "revenue": d("0.00")},
]
COMPANY_COLUMNS = ("name", "industry", "employees", "revenue")

# id: title, amount, stage, close_date, closed_at, is_hot, score, company, tags, related, notes, email
DEALS = [
    {"title": "Alpha deal", "amount": d("100.00"), "probability": d("0.5"), "stage": "New",
     "close_date": dt.date(2026, 3, 10), "closed_at": dt.datetime(2026, 3, 15, 9, 0, tzinfo=UTC), "is_hot": True,
     "score": 5, "company": 1, "tags": ["A"], "related_object": "company", "related_id": 1,
     "notes": "first 100% sure", "contact_email": "alpha@example.com", "owner": 7},
    {"title": "beta_deal", "amount": d("250.50"), "probability": d("0.25"), "stage": "Won",
     "close_date": dt.date(2026, 3, 1), "closed_at": dt.datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
     "is_hot": False, "score": 10, "company": 2, "tags": ["A", "B"], "related_object": "deal", "related_id": 1,
     "notes": "under_score", "contact_email": "beta@example.com", "owner": 7},
    {"title": "Gamma", "amount": d("0.01"), "stage": "Lost", "close_date": dt.date(2026, 2, 14),
     "score": 3, "company": 3, "tags": ["C%"], "owner": 8},
    {"title": "delta", "closed_at": dt.datetime(2025, 12, 31, 12, 0, tzinfo=UTC), "is_hot": True},
    {"title": "Epsilon ALPHA", "amount": d("99999.99"), "probability": d("1"), "stage": "Won",
     "close_date": dt.date(2026, 3, 31), "closed_at": dt.datetime(2026, 3, 16, 0, 0, tzinfo=UTC),
     "is_hot": False, "score": -2, "company": 4, "tags": ["B"], "related_object": "company", "related_id": 2,
     "contact_email": "eps@example.com", "owner": 8},
    {"title": "Zeta deleted", "amount": d("100.00"), "stage": "New", "company": 1,
     "deleted_at": dt.datetime(2026, 3, 1, tzinfo=UTC)},
]


def build_crm(url: str) -> Platform:
    platform = Platform.from_url(url, migrate=True)
    platform.metadata.apply(platform.metadata.plan(BUNDLE), author="test", confirm=True)
    insert(platform, "company", COMPANIES, COMPANY_COLUMNS)
    insert(platform, "deal", DEALS, DEAL_COLUMNS)
    return platform


@pytest.fixture(scope="module")
def module_database_url(tmp_path_factory: pytest.TempPathFactory, pg_engine: sa.Engine | None) -> Iterator[str]:
    if pg_engine is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('query') / 'metacrm.db'}"
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    with pg_engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    base = _base_url() or ""
    yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"
    with pg_engine.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")


class Runner:
    """Parse and run in one call: ``crm.ids(stage="Won")``."""

    def __init__(self, platform: Platform):
        self.platform = platform

    def run(self, object_name: str = "deal", *, deleted: str = "exclude", **params: Any) -> QueryResult:
        live = self.platform.schema.get()
        query = parse_query(live.compiled.objects[object_name], live.compiled, params, today=TODAY)
        with self.platform.engine.connect() as conn:
            return run_query(conn, live, query, deleted=deleted)

    def ids(self, object_name: str = "deal", **params: Any) -> list[int]:
        return [r["id"] for r in self.run(object_name, **params).rows]


@pytest.fixture(scope="module")
def crm(module_database_url: str) -> Iterator[Runner]:
    platform = build_crm(module_database_url)
    yield Runner(platform)
    platform.engine.dispose()
