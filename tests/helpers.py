"""Small helpers for tests that touch object tables directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from metacrm.platform.runtime import Platform


def columns(platform: Platform, object_name: str) -> set[str]:
    return {c["name"] for c in sa.inspect(platform.engine).get_columns(f"obj_{object_name}")}


def tables(platform: Platform) -> set[str]:
    return set(sa.inspect(platform.engine).get_table_names())


def indexes(platform: Platform, object_name: str) -> set[str]:
    return {i["name"] for i in sa.inspect(platform.engine).get_indexes(f"obj_{object_name}")}


def insert_rows(platform: Platform, object_name: str, rows: list[dict[str, Any]]) -> None:
    """Raw inserts for setting up data (the record service is not under test here)."""
    table = platform.schema.get().tables[object_name]
    now = dt.datetime.now(dt.timezone.utc)
    with platform.engine.begin() as conn:
        conn.execute(table.insert(), [{"created_at": now, "updated_at": now, **r} for r in rows])


def select_all(platform: Platform, object_name: str, *cols: str) -> list[tuple[Any, ...]]:
    table = platform.schema.get().tables[object_name]
    with platform.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*[table.c[c] for c in cols]).order_by(table.c.id))]
