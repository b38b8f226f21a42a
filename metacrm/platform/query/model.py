"""The parsed query: frozen dataclasses that say *what* to fetch, never *how*.

The parser produces these from URL parameters without touching SQLAlchemy,
so every rule of the language (operators per type, relative dates, cursors)
is specified by fast unit tests; the compiler turns them into SQL. All values
are already coerced to the Python types the columns store, and relative
dates are already resolved to concrete bounds against the caller's ``today``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Operators a client may write after ``field__``.
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "icontains", "startswith",
             "istartswith", "isnull", "between")

#: Value families: which operators apply to a field depends only on its family.
FAMILY_OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "in", "nin", "contains", "icontains", "startswith", "istartswith", "isnull"),
    "choice": ("eq", "ne", "in", "nin", "isnull"),
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "between", "isnull"),
    "date": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "between", "isnull"),
    "datetime": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "between", "isnull"),
    "boolean": ("eq", "ne", "isnull"),
    "reference": ("eq", "ne", "in", "nin", "isnull"),
    "polymorphic": ("eq", "ne", "in", "nin", "isnull"),
    "choices": ("contains", "isnull"),
    "json": ("isnull",),
}
SORTABLE_FAMILIES = ("text", "choice", "number", "date", "datetime", "boolean", "reference")
GROUPABLE_FAMILIES = SORTABLE_FAMILIES
AGGREGATES = ("count", "sum", "avg", "min", "max")
#: Periods a date or date/time group key is truncated to (``group_by=close_date:month``).
BUCKETS = ("day", "week", "month", "quarter", "year")
AGGREGATE_FAMILIES: dict[str, tuple[str, ...]] = {
    "count": tuple(FAMILY_OPERATORS),
    "sum": ("number",),
    "avg": ("number",),
    "min": ("number", "date", "datetime", "text", "choice"),
    "max": ("number", "date", "datetime", "text", "choice"),
}


@dataclass(frozen=True)
class FieldRef:
    """A field the query reads: on the queried object, or one lookup hop away."""

    name: str  # as the client wrote it: "amount" or "company__industry"
    field: str  # the field's name on the object that holds it
    object: str  # the object that holds it
    columns: tuple[str, ...]  # physical columns (two for a polymorphic lookup)
    family: str  # key of FAMILY_OPERATORS
    kind: str  # storage kind of the (first) column: string, integer, decimal, date, ...
    nullable: bool = True
    scale: int | None = None  # decimals kept, for exact averages
    via: str | None = None  # the lookup column on the queried object, for a hop
    bucket: str | None = None  # a group key's period (BUCKETS): its value is the period's first day

    @property
    def column(self) -> str:
        return self.columns[0]


@dataclass(frozen=True)
class Condition:
    """One comparison. ``op`` is normalised: relative dates became bounds.

    Besides the client operators there are ``within`` (start <= x < end, a
    period), ``outside`` (its complement) and ``has`` (a multi-picklist holds
    a choice). ``ne``, ``nin`` and ``outside`` also match empty values, so a
    condition and its negation always split the records between them.
    """

    parameter: str
    ref: FieldRef
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class AnyOf:
    """An ``or`` group: a record matches when any alternative matches."""

    parameter: str
    alternatives: tuple[Condition, ...]


@dataclass(frozen=True)
class SortKey:
    ref: FieldRef
    descending: bool = False


@dataclass(frozen=True)
class Aggregate:
    """``count`` (ref None), or ``fn:field``; ``key`` names the value in each group."""

    function: str
    ref: FieldRef | None
    key: str


@dataclass(frozen=True)
class GroupSort:
    """In a grouped query, sort by a group field or an aggregate key."""

    key: str
    descending: bool = False


@dataclass(frozen=True)
class Query:
    object: str
    filters: tuple[Condition, ...] = ()
    any_of: tuple[AnyOf, ...] = ()
    search: str | None = None
    search_refs: tuple[FieldRef, ...] = ()
    sort: tuple[SortKey, ...] = ()  # always ends with a key on id (the tiebreak)
    limit: int = 50
    offset: int = 0
    after: tuple[Any, ...] | None = None  # sort values of the last row seen (a cursor)
    fields: tuple[FieldRef, ...] | None = None  # projection; None = every column
    count: bool = False
    group_by: tuple[FieldRef, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    group_sort: tuple[GroupSort, ...] = ()

    @property
    def grouped(self) -> bool:
        return bool(self.group_by or self.aggregates)

    @property
    def sort_signature(self) -> str:
        return sort_signature(self.sort)


def sort_signature(keys: tuple[SortKey, ...]) -> str:
    """The sort as text, "-amount,title,id": a cursor is only valid for the sort it came from."""
    return ",".join(("-" if k.descending else "") + k.ref.name for k in keys)
