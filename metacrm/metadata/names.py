"""Rules for the names admins give objects and fields.

Names become table and column names and query-string keys, so they must be
safe in SQL on every supported database, in Python expressions (formulas) and
in URLs. Checking them here, once, means no later layer needs to quote or
escape a user-chosen identifier.
"""

from __future__ import annotations

import difflib
import keyword
import re

NAME_PATTERN = r"^[a-z](?:[a-z0-9]|_(?!_))*(?<!_)$"
NAME_RE = re.compile(NAME_PATTERN)
MAX_NAME_LENGTH = 40

#: Columns every object table carries; no field may use these names.
SYSTEM_COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "owner",
    "version",
    "deleted_at",
    "deleted_by",
    "currency_code",
)

#: Query-string keys of the record API; a field of the same name would be ambiguous.
QUERY_KEYWORDS: frozenset[str] = frozenset(
    {"sort", "limit", "offset", "q", "fields", "count", "cursor", "group_by", "agg", "format"}
)

# Reserved in PostgreSQL, SQLite or SQL:2016 as column/table names (the
# non-reserved keywords of each are fine and deliberately absent).
SQL_RESERVED: frozenset[str] = frozenset(
    """
    abort action add all alter analyse analyze and any array as asc asymmetric attach
    authorization autoincrement before begin between binary both by cascade case cast check
    collate collation column commit concurrently conflict constraint create cross current
    current_catalog current_date current_role current_schema current_time current_timestamp
    current_user database default deferrable deferred delete desc detach distinct do drop
    each else end escape except exclusive exists explain fail fetch filter for foreign freeze
    from full glob grant group having if ignore ilike immediate in index indexed initially
    inner insert instead intersect into is isnull join lateral leading left like limit
    localtime localtimestamp match natural no not notnull null of offset on only or order
    outer over overlaps placing plan pragma primary query raise recursive references regexp
    reindex release rename replace restrict returning right rollback row rows savepoint
    select session_user set similar some symmetric table tablesample temp temporary then to
    trailing transaction trigger true false union unique update user using vacuum values
    variadic verbose view virtual when where window with without
    """.split()
)

PYTHON_RESERVED: frozenset[str] = frozenset(keyword.kwlist) | frozenset(
    getattr(keyword, "softkwlist", [])
)


def name_problem(name: str, *, kind: str = "name") -> str | None:
    """Return why ``name`` is not usable as an object or field name, or None."""
    if not isinstance(name, str) or not name:
        return f"the {kind} must be a non-empty text"
    if len(name) > MAX_NAME_LENGTH:
        return f"the {kind} \"{name}\" is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed"
    if not NAME_RE.match(name):
        return (
            f"the {kind} \"{name}\" must be lower snake case: start with a letter, then letters, "
            "digits and single underscores, not ending in an underscore (e.g. \"close_date\")"
        )
    if name in SQL_RESERVED:
        return f"the {kind} \"{name}\" is a reserved SQL word; choose another (e.g. \"{name}_value\")"
    if name in PYTHON_RESERVED:
        return f"the {kind} \"{name}\" is a reserved Python word; choose another (e.g. \"{name}_value\")"
    return None


def field_name_problem(name: str) -> str | None:
    """Like :func:`name_problem`, plus the names the platform keeps for itself."""
    problem = name_problem(name, kind="field name")
    if problem:
        return problem
    if name in SYSTEM_COLUMNS:
        return f"the field name \"{name}\" is a system column every object already has"
    if name in QUERY_KEYWORDS:
        return f"the field name \"{name}\" is kept for the record API's query parameters"
    return None


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ' — did you mean "x"?' suffix when a close candidate exists, else ''."""
    matches = difflib.get_close_matches(str(word), sorted(candidates), n=1, cutoff=0.6)
    return f' — did you mean "{matches[0]}"?' if matches else ""


def suggest_name(label: str) -> str:
    """Turn a human label ("Close Date") into a valid name ("close_date")."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")
    cleaned = re.sub(r"_+", "_", cleaned)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"x_{cleaned}".rstrip("_")
    cleaned = cleaned[:MAX_NAME_LENGTH].rstrip("_")
    if cleaned in SQL_RESERVED or cleaned in PYTHON_RESERVED or cleaned in SYSTEM_COLUMNS:
        cleaned = f"{cleaned}_value"[:MAX_NAME_LENGTH]
    return cleaned
