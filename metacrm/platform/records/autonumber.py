"""Autonumber values (``INV-{0000}``): never duplicated, gaps tolerated.

The counter row is incremented with one upsert inside the record's
transaction. PostgreSQL locks that row until commit, so concurrent creates
queue on it and each gets its own number; SQLite has one writer at a time.
A rolled-back create rolls its increment back too.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from metacrm.metadata.definitions import FieldDef

from ..storage.platform_tables import autonumber

PLACEHOLDER = re.compile(r"\{(0+)\}")


def format_number(pattern: str | None, number: int) -> str:
    """``INV-{0000}`` and 7 → ``INV-0007``; a number wider than the placeholder is kept whole."""
    if not pattern:
        return str(number)
    return PLACEHOLDER.sub(lambda m: str(number).zfill(len(m.group(1))), pattern, count=1)


def next_numbers(conn: Connection, object_name: str, field_name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive numbers and return them."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(autonumber).values(object=object_name, field=field_name, next_value=1 + count)
    stmt = stmt.on_conflict_do_update(
        index_elements=[autonumber.c.object, autonumber.c.field],
        set_={"next_value": autonumber.c.next_value + count},
    ).returning(autonumber.c.next_value)
    end = conn.execute(stmt).scalar_one()
    return range(end - count, end)


def assign(conn: Connection, object_name: str, fields: list[FieldDef], rows: list[dict]) -> None:
    """Fill every autonumber field of ``rows`` (in order) with fresh values."""
    for f in fields:
        numbers = next_numbers(conn, object_name, f.name, len(rows))
        for row, number in zip(rows, numbers):
            row[f.name] = format_number(f.pattern, number)


def reset(conn: Connection, object_name: str, field_name: str, next_value: int) -> None:
    """For admins migrating data: continue numbering at ``next_value``."""
    conn.execute(sa.delete(autonumber).where(autonumber.c.object == object_name, autonumber.c.field == field_name))
    conn.execute(sa.insert(autonumber).values(object=object_name, field=field_name, next_value=next_value))
