"""Helpers for storage tests: the database as it physically is, not as the metadata says."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from metacrm.platform.runtime import Platform

#: Columns every object table has, whatever its fields.
SYSTEM_COLUMNS = frozenset({"id", "created_at", "updated_at", "created_by", "updated_by", "owner", "version",
                            "deleted_at", "deleted_by"})


def physical_schema(platform: Platform) -> dict[str, dict[str, list[str]]]:
    """Every table with its columns, indexes and foreign keys, reflected from the database."""
    inspector = sa.inspect(platform.engine)
    return {
        table: {
            "columns": sorted(c["name"] for c in inspector.get_columns(table)),
            "indexes": sorted(i["name"] for i in inspector.get_indexes(table)),
            "foreign_keys": sorted(fk["name"] or "" for fk in inspector.get_foreign_keys(table)),
        }
        for table in sorted(inspector.get_table_names())
    }


def raw_column(platform: Platform, table: str, column: str) -> list[Any]:
    """A column's values by id, read past the compiled schema (archived columns and tables too)."""
    query = sa.select(sa.column(column)).select_from(sa.table(table)).order_by(sa.column("id"))
    with platform.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def unique_indexes(platform: Platform, object_name: str) -> dict[str, bool]:
    """Index name -> whether it is unique, for one object's table."""
    return {i["name"]: bool(i["unique"]) for i in sa.inspect(platform.engine).get_indexes(f"obj_{object_name}")}


def head(platform: Platform) -> int:
    return platform.metadata.current().version
