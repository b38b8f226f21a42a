"""SQL expressions for the parts of a query: conditions, search, order, keyset.

Every value is a bound parameter typed by its column (``sa.literal(v,
col.type)``), so money binds as NUMERIC on PostgreSQL and as the scaled
integer it is stored as on SQLite, and no user text ever becomes SQL. Text
matching stays portable: ``contains``/``startswith`` are case-sensitive on
both databases (``strpos``/``instr``, ``substr``), the ``i`` variants use
ILIKE on PostgreSQL and ``lower() LIKE`` on SQLite (ASCII case folding), and
LIKE wildcards in user input are escaped.
"""

from __future__ import annotations

import json
from typing import Any, Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from ..schema_cache import LiveSchema
from .model import Condition, FieldRef, SortKey


class text_position(FunctionElement[int]):
    """1-based position of a substring, case-sensitive, or 0: ``strpos`` / SQLite ``instr``."""

    type = sa.Integer()
    inherit_cache = True


@compiles(text_position)
def _position_default(element: text_position, compiler: Any, **kw: Any) -> str:
    return "strpos(%s)" % compiler.process(element.clauses, **kw)


@compiles(text_position, "sqlite")
def _position_sqlite(element: text_position, compiler: Any, **kw: Any) -> str:
    return "instr(%s)" % compiler.process(element.clauses, **kw)


class Sources:
    """The queried table plus one outer-joined alias per lookup a query hops through.

    Outer joins keep records whose lookup is empty; the join is on the
    target's primary key, so it never multiplies rows (counts stay right).
    """

    def __init__(self, live: LiveSchema, object_name: str):
        self.live = live
        self.base = live.tables[object_name]
        self.joins: dict[str, sa.FromClause] = {}

    def column(self, ref: FieldRef, index: int = 0) -> Any:
        if ref.via is None:
            return self.base.c[ref.columns[index]]
        if ref.via not in self.joins:
            self.joins[ref.via] = self.live.tables[ref.object].alias(f"via_{ref.via}")
        return self.joins[ref.via].c[ref.columns[index]]

    def from_clause(self) -> sa.FromClause:
        joined: sa.FromClause = self.base
        for via, alias in self.joins.items():
            joined = joined.outerjoin(alias, alias.c.id == self.base.c[via])
        return joined


def bind(col: Any, value: Any) -> Any:
    """A bound parameter of the column's own type (exact money on both databases)."""
    return sa.literal(value, col.type)


def is_empty(src: Sources, ref: FieldRef) -> ColumnElement[bool]:
    """No value. JSON columns hold either SQL NULL or a JSON ``null`` (how SQLAlchemy writes None)."""
    col = src.column(ref, len(ref.columns) - 1)  # a polymorphic lookup is empty when its id is
    if ref.kind == "json":
        return sa.or_(col.is_(None), sa.cast(col, sa.Text()) == sa.literal("null", sa.Text()))
    return col.is_(None)


def condition_sql(src: Sources, c: Condition) -> ColumnElement[bool]:
    op, values = c.op, c.values
    if op == "isnull":
        return is_empty(src, c.ref) if values[0] else sa.not_(is_empty(src, c.ref))
    if c.ref.family == "polymorphic":
        return _polymorphic(src, c)
    col = src.column(c.ref)
    if op == "ne":
        return sa.or_(col != bind(col, values[0]), col.is_(None))
    if op == "in":
        return col.in_([bind(col, v) for v in values])
    if op == "nin":
        return sa.or_(col.not_in([bind(col, v) for v in values]), col.is_(None))
    if op == "between":
        return sa.and_(col >= bind(col, values[0]), col <= bind(col, values[1]))
    if op == "within":
        return sa.and_(col >= bind(col, values[0]), col < bind(col, values[1]))
    if op == "outside":
        return sa.or_(col < bind(col, values[0]), col >= bind(col, values[1]), col.is_(None))
    if op == "contains":
        return text_position(col, sa.literal(values[0], sa.Text())) > 0
    if op == "icontains":
        return col.icontains(values[0], autoescape=True)
    if op == "startswith":
        return sa.func.substr(col, 1, len(values[0])) == sa.literal(values[0], sa.Text())
    if op == "istartswith":
        return col.istartswith(values[0], autoescape=True)
    if op == "has":  # the JSON list holds this choice, found as its JSON string token
        return text_position(sa.cast(col, sa.Text()), sa.literal(json.dumps(values[0]), sa.Text())) > 0
    compare = {"eq": "__eq__", "gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__"}[op]
    return getattr(col, compare)(bind(col, values[0]))


def _polymorphic(src: Sources, c: Condition) -> ColumnElement[bool]:
    object_col, id_col = src.column(c.ref, 0), src.column(c.ref, 1)
    matches = [sa.and_(object_col == bind(object_col, v["object"]), id_col == bind(id_col, v["id"]))
               for v in c.values]
    hit = sa.or_(*matches)
    if c.op in ("eq", "in"):
        return hit
    return sa.or_(sa.not_(hit), id_col.is_(None))


def where_clauses(src: Sources, query: Any, deleted: str) -> list[ColumnElement[bool]]:
    """Filters, or groups, search and the recycle-bin rule: everything but the page position."""
    if deleted not in ("exclude", "only"):
        raise ValueError(f'deleted must be "exclude" or "only", not {deleted!r}')
    base = src.base
    clauses = [base.c.deleted_at.is_(None) if deleted == "exclude" else base.c.deleted_at.is_not(None)]
    clauses += [condition_sql(src, c) for c in query.filters]
    clauses += [sa.or_(*[condition_sql(src, c) for c in group.alternatives]) for group in query.any_of]
    if query.search:
        clauses.append(sa.or_(*[src.column(r).icontains(query.search, autoescape=True)
                                for r in query.search_refs]))
    return clauses


#: Operators compiled to a plain comparison: a record they match has a value in the field.
VALUED_OPS = ("eq", "in", "gt", "gte", "lt", "lte", "between", "within")


def valued_fields(query: Any) -> frozenset[str]:
    """Fields the query's filters already hold to a value (``amount__gte=10000``): none is empty."""
    return frozenset(c.ref.name for c in query.filters if c.op in VALUED_OPS and c.ref.family != "polymorphic"
                     and all(v is not None for v in c.values))


def order_by(src: Sources, sort: Sequence[SortKey], valued: Collection[str] = ()) -> list[Any]:
    """Empty values last in both directions, on both databases (they differ by default).

    Fields in ``valued`` have no empty values to place, so they sort plainly: PostgreSQL
    can then read their index backwards for a descending sort, which ``NULLS LAST`` prevents.
    """
    out = []
    for key in sort:
        col = src.column(key.ref)
        term = col.desc() if key.descending else col.asc()
        out.append(term.nulls_last() if key.ref.nullable and key.ref.name not in valued else term)
    return out


def after_row(src: Sources, sort: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that sort after a row with these sort values (the keyset condition).

    For keys k1..kn: OR over i of (k1..k(i-1) equal, ki beyond). With empty
    values last, "beyond" a value also includes empty ones, and nothing is
    beyond an empty value (rows with an empty value tie on that key).
    """
    terms: list[ColumnElement[bool]] = []
    equal: list[ColumnElement[bool]] = []
    for key, value in zip(sort, values):
        col = src.column(key.ref)
        if value is None:
            equal.append(col.is_(None))
            continue
        beyond = col < bind(col, value) if key.descending else col > bind(col, value)
        if key.ref.nullable:
            beyond = sa.or_(beyond, col.is_(None))
        terms.append(sa.and_(*equal, beyond))
        equal.append(col == bind(col, value))
    return sa.or_(*terms) if terms else sa.false()
