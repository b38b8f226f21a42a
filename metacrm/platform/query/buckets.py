"""Date buckets for group keys: a date or date/time truncated to its day, week, month, quarter or year.

Each bucket's value is the first day of its period as ISO text (``2026-04-01``
for the second quarter; weeks start on Monday), the same on both databases:
PostgreSQL truncates with ``date_trunc`` (grouping on the date, turned into
text in Python), SQLite with ``date``/``strftime``.
One SQL construct per bucket (the period is never a parameter), so compiled
statements stay cacheable and no client text reaches the SQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .model import BUCKETS


class date_bucket(FunctionElement[str]):
    """Base of the per-period constructs; ``bucket`` names the period."""

    type = sa.String()
    inherit_cache = True
    bucket = "day"


_SQLITE = {
    "day": "date({0})",
    "week": "date({0}, 'weekday 0', '-6 days')",
    "month": "strftime('%Y-%m-01', {0})",
    "quarter": "printf('%s-%02d-01', strftime('%Y', {0}), "
               "((CAST(strftime('%m', {0}) AS INTEGER) - 1) / 3) * 3 + 1)",
    "year": "strftime('%Y-01-01', {0})",
}

BUCKET_CLASSES: dict[str, type[date_bucket]] = {
    name: type(f"date_bucket_{name}", (date_bucket,), {"bucket": name, "inherit_cache": True})
    for name in BUCKETS
}


@compiles(date_bucket)
def _bucket_default(element: date_bucket, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    if all(isinstance(c.type, sa.Date) for c in element.clauses):
        # date_trunc has no date form: a date would be cast to timestamptz (time-zone work on every
        # row); as a plain timestamp it truncates the same day, cheaper.
        column = f"CAST({column} AS TIMESTAMP)"
    return f"CAST(date_trunc('{element.bucket}', {column}) AS DATE)"  # a date: cheaper to group than text


@compiles(date_bucket, "sqlite")
def _bucket_sqlite(element: date_bucket, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return _SQLITE[element.bucket].format(column)


def bucketed(column: Any, bucket: str | None) -> Any:
    """``column`` itself, or its period when a bucket is asked for."""
    return column if bucket is None else BUCKET_CLASSES[bucket](column)
