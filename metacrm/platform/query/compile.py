"""A parsed :class:`Query` → SQLAlchemy Core statements, and running them.

Deleted records are excluded here, not by a parameter, so no client can ask
for them; the recycle bin passes ``deleted="only"``. Pages are fetched with
one extra row, which tells whether a next cursor is needed without a count.
Aggregates over money stay exact on both databases: sums, minima and maxima
are typed with the column's own type (SQLite sums the scaled integers), and
averages are the exact sum divided by the count in Python, rounded half-even
to the field's decimals (4 for whole numbers).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..schema_cache import LiveSchema
from .buckets import bucketed
from .cursor import encode_cursor
from .model import Aggregate, Query
from .sqlexpr import Sources, after_row, is_empty, order_by, valued_fields, where_clauses

INTEGER_AVERAGE_PLACES = 4
SORT_LABEL = "_k{}"  # extra columns carrying sort values (field names always start with a letter)


@dataclass(frozen=True)
class QueryResult:
    rows: list[dict[str, Any]]  # column name -> value (a polymorphic lookup gives two columns)
    total: int | None = None  # matching records (groups, for a grouped query) when count was asked
    next_cursor: str | None = None  # None on the last page
    groups: list[dict[str, Any]] | None = None  # group field names and aggregate keys -> values


def compile_select(query: Query, live: LiveSchema, *, deleted: str = "exclude",
                   access: Sequence[Any] = ()) -> sa.Select[Any]:
    """The page of records: filters, search, cursor, order, limit and offset.

    ``access`` holds extra WHERE terms on the queried table from the caller (record-level
    security); the query language itself never produces them, so parsing stays pure.
    """
    return _select(query, live, deleted, query.limit, sort_values=False, access=access)


def _select(query: Query, live: LiveSchema, deleted: str, limit: int, *, sort_values: bool,
            access: Sequence[Any] = ()) -> sa.Select[Any]:
    if query.grouped:
        raise ValueError("a grouped query compiles with compile_groups")
    src = Sources(live, query.object)
    where = where_clauses(src, query, deleted) + list(access)
    if query.after is not None:
        where.append(after_row(src, query.sort, query.after))
    order = order_by(src, query.sort, valued_fields(query))
    if query.fields is None:
        columns: list[Any] = list(src.base.c)
    else:
        columns = [src.base.c[name] for ref in query.fields for name in ref.columns]
    if sort_values:
        columns += [src.column(k.ref).label(SORT_LABEL.format(i)) for i, k in enumerate(query.sort)]
    stmt = sa.select(*columns).select_from(src.from_clause()).where(*where).order_by(*order).limit(limit)
    return stmt.offset(query.offset) if query.offset else stmt


def compile_count(query: Query, live: LiveSchema, *, deleted: str = "exclude",
                  access: Sequence[Any] = (), cap: int | None = None) -> sa.Select[Any]:
    """How many records match (ignoring the page), or how many groups a grouped query has.

    With ``cap``, counting stops after ``cap + 1`` matches: a list page can say
    "10,000+" without walking a million rows on every page.
    """
    if query.grouped:
        return sa.select(sa.func.count()).select_from(
            _groups(query, live, deleted, page=False, access=access).subquery())
    src = Sources(live, query.object)
    where = where_clauses(src, query, deleted) + list(access)
    if cap is not None:
        capped = sa.select(sa.literal(1)).select_from(src.from_clause()).where(*where).limit(cap + 1)
        return sa.select(sa.func.count()).select_from(capped.subquery())
    return sa.select(sa.func.count()).select_from(src.from_clause()).where(*where)


def compile_groups(query: Query, live: LiveSchema, *, deleted: str = "exclude",
                   access: Sequence[Any] = ()) -> sa.Select[Any]:
    """One row per group: columns ``g<i>`` (group fields), ``a<j>`` (aggregates; averages
    add ``a<j>n``, the count they divide by). :func:`run_query` names them."""
    return _groups(query, live, deleted, page=True, access=access)


def _aggregate_columns(src: Sources, j: int, agg: Aggregate) -> tuple[list[Any], Any]:
    """The labelled columns of one aggregate and the expression its groups sort by."""
    label = f"a{j}"
    if agg.ref is None:
        expr = sa.func.count()
        return [expr.label(label)], expr
    col = src.column(agg.ref, len(agg.ref.columns) - 1)
    if agg.function == "count":  # records with a value
        expr = sa.func.count(sa.case((sa.not_(is_empty(src, agg.ref)), 1)))
        return [expr.label(label)], expr
    if agg.function == "avg":
        total, n = sa.func.sum(col, type_=col.type), sa.func.count(col)
        ordering = sa.cast(sa.func.sum(col), sa.Float()) / sa.func.nullif(n, 0)
        return [total.label(label), n.label(label + "n")], ordering
    expr = getattr(sa.func, agg.function)(col, type_=col.type)
    return [expr.label(label)], expr


def _groups(query: Query, live: LiveSchema, deleted: str, *, page: bool,
            access: Sequence[Any] = ()) -> sa.Select[Any]:
    src = Sources(live, query.object)
    where = where_clauses(src, query, deleted) + list(access)
    keys = [bucketed(src.column(ref), ref.bucket) for ref in query.group_by]
    columns = [k.label(f"g{i}") for i, k in enumerate(keys)]
    sortable = {ref.name: k for ref, k in zip(query.group_by, keys)}
    for j, agg in enumerate(query.aggregates):
        labelled, ordering = _aggregate_columns(src, j, agg)
        columns += labelled
        sortable[agg.key] = ordering
    stmt = sa.select(*columns).select_from(src.from_clause()).where(*where)
    if keys:
        stmt = stmt.group_by(*keys)
    if not page:
        return stmt
    order = [(sortable[s.key].desc() if s.descending else sortable[s.key].asc()).nulls_last()
             for s in query.group_sort]
    chosen = {s.key for s in query.group_sort}
    order += [k.asc().nulls_last() for ref, k in zip(query.group_by, keys) if ref.name not in chosen]
    stmt = stmt.order_by(*order).limit(query.limit)
    return stmt.offset(query.offset) if query.offset else stmt


def average(total: Any, n: int, agg: Aggregate) -> Decimal | None:
    """Exact sum / count, rounded half-even to the field's decimals."""
    if not n or total is None:
        return None
    assert agg.ref is not None
    places = agg.ref.scale if agg.ref.kind == "decimal" and agg.ref.scale is not None else INTEGER_AVERAGE_PLACES
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        return (Decimal(total) / Decimal(n)).quantize(Decimal(1).scaleb(-places), decimal.ROUND_HALF_EVEN)


def _group_row(query: Query, row: Any) -> dict[str, Any]:
    out = {ref.name: row[f"g{i}"] for i, ref in enumerate(query.group_by)}
    for ref in query.group_by:  # a date bucket is its first day as ISO text on both databases
        if ref.bucket and hasattr(out[ref.name], "isoformat"):
            out[ref.name] = out[ref.name].isoformat()
    for j, agg in enumerate(query.aggregates):
        value = row[f"a{j}"]
        if agg.function == "avg":
            value = average(value, row[f"a{j}n"], agg)
        elif agg.function == "count" or (value is not None and agg.ref is not None
                                         and agg.ref.kind in ("integer", "reference")
                                         and agg.function == "sum"):
            value = int(value or 0)  # PostgreSQL sums bigints as numeric
        out[agg.key] = value
    return out


def run_query(conn: Connection, live: LiveSchema, query: Query, *, deleted: str = "exclude",
              access: Sequence[Any] = (), count_cap: int | None = None) -> QueryResult:
    """Run a parsed query: a page of rows (with the next cursor) or the groups, plus the count.

    ``access`` terms (record-level security) apply to the count, the groups and the page alike.
    A first page that holds every match is its own count (no second statement: most related
    lists and filtered lists are short).
    """
    def count() -> int | None:
        return conn.execute(compile_count(query, live, deleted=deleted, access=access,
                                          cap=None if query.grouped else count_cap)).scalar_one() \
            if query.count else None

    if query.grouped:
        total = count()
        rows = conn.execute(compile_groups(query, live, deleted=deleted, access=access)).mappings().all()
        return QueryResult([], total, None, [_group_row(query, r) for r in rows])
    if query.limit == 0:
        return QueryResult([], count(), None, None)
    stmt = _select(query, live, deleted, query.limit + 1, sort_values=True, access=access)
    fetched = conn.execute(stmt).mappings().all()
    whole = query.after is None and not query.offset and len(fetched) <= query.limit
    total = (min(len(fetched), count_cap + 1) if count_cap is not None else len(fetched)) \
        if whole and query.count else count()
    page = fetched[:query.limit]
    sort_keys = [SORT_LABEL.format(i) for i in range(len(query.sort))]
    next_cursor = None
    if len(fetched) > query.limit:
        last = page[-1]
        next_cursor = encode_cursor(query.object, query.sort_signature, [last[k] for k in sort_keys])
    rows = [{k: v for k, v in r.items() if k not in sort_keys} for r in page]
    return QueryResult(rows, total, next_cursor, None)
