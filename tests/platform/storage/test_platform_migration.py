"""MetaCRM's own tables come from alembic migrations that match their declarations in platform_tables.py."""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from metacrm.platform.runtime import Platform
from metacrm.platform.storage.migrate_platform import alembic_config
from metacrm.platform.storage.platform_tables import platform_metadata
from tests.conftest import fld, make_object
from tests.helpers import insert_rows, select_all, tables

from .conftest import physical_schema

Apply = Callable[..., Any]
VERSION_TABLE = "metacrm_alembic_version"


def differences(platform: Platform) -> list[tuple[Any, ...]]:
    """What alembic autogenerate would change to make the database match the declarations."""
    with platform.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "version_table": VERSION_TABLE,
            "compare_type": True,
            "compare_server_default": True,
            "include_name": lambda name, type_, parent: type_ != "table" or name.startswith("metacrm_"),
        })
        found = compare_metadata(context, platform_metadata)
    flat = [d for entry in found for d in (entry if isinstance(entry, list) else [entry])]
    return [d for d in flat if not same_default_spelled_differently(d)]


def same_default_spelled_differently(diff: tuple[Any, ...]) -> bool:
    """SQLite reflects the server default '' as the SQL expression "('')": the same default."""
    def text(default: Any) -> str | None:
        return None if default is None else str(getattr(default.arg, "text", default.arg)).strip("()'")

    return diff[0] == "modify_default" and text(diff[5]) == text(diff[6])


def test_the_migration_creates_exactly_the_declared_platform_tables(platform: Platform) -> None:
    assert tables(platform) == set(platform_metadata.tables) | {VERSION_TABLE}


def test_the_migrated_tables_match_their_declarations(platform: Platform) -> None:
    assert differences(platform) == []


def test_the_database_is_at_the_newest_migration(platform: Platform) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with platform.engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all() == [head]


def test_migrating_again_changes_nothing(platform: Platform) -> None:
    before = physical_schema(platform)
    platform.migrate()
    assert physical_schema(platform) == before


def test_platform_migrations_leave_object_tables_alone(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title")))
    insert_rows(platform, "deal", [{"title": "Alpha"}])
    platform.migrate()
    assert select_all(platform, "deal", "title") == [("Alpha",)]
    assert differences(platform) == []
