"""Physical names for tables, columns, indexes and archives.

Identifiers are kept under PostgreSQL's 63-byte limit; long ones end in a
short hash so two different fields never share an index name.
"""

from __future__ import annotations

import hashlib

MAX_IDENTIFIER = 63
TABLE_PREFIX = "obj_"


def table_name(object_name: str) -> str:
    return f"{TABLE_PREFIX}{object_name}"


def _fit(name: str) -> str:
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def index_name(table: str, column: str, unique: bool = False) -> str:
    return _fit(f"{'ux' if unique else 'ix'}_{table}_{column}")


def fk_name(table: str, column: str) -> str:
    return _fit(f"fk_{table}_{column}")


def archived_column(column: str, version: int) -> str:
    return _fit(f"arc_v{version}_{column}")


def archived_table(table: str, version: int) -> str:
    return _fit(f"arc_v{version}_{table}")


def staging_column(column: str, version: int) -> str:
    return _fit(f"new_v{version}_{column}")
