"""Roll-up summary fields: count/sum/min/max/avg of a parent's live children, computed on its save.

A roll-up is computed where every other computed field is: in a ``before_save``
hook of the *parent*, so its value is written by the ordinary record path
(field history, events, version bump) and the parent's stored formulas, which
run after this hook, read the new value. What keeps it right when a *child*
changes is :mod:`.dependents`: it re-saves the affected parents as the system.

One aggregate statement per roll-up and parent. The roll-up's ``filter`` is
written in the list-filter language (``{"stage": "Won", "amount__gt": "1000"}``)
and parsed by :mod:`metacrm.platform.query`, so it takes the same operators,
relative dates and lookup hops as a list view; the aggregate is that language's
``agg`` too, which keeps money exact on both databases. Deleted children (in
the recycle bin) never count.

Empty sets: ``count`` and ``sum`` of no children are 0, ``min``/``max``/``avg``
are empty (None). Decimal results are rounded half-even to the result type's
scale (``avg`` of 1, 2 and 2 with scale 2 is 1.67), integer results to whole numbers.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledField, CompiledObject, CompiledSchema
from metacrm.metadata.field_types import FieldValueError

from ..query import Query, QueryError, parse_query, run_query
from ..records.errors import FieldError
from ..records.hooks import SaveContext
from ..schema_cache import LiveSchema
from . import helpers

#: What a roll-up over no children is.
EMPTY = {"count": 0, "sum": 0, "min": None, "max": None, "avg": None}


def rollup_fields(obj: CompiledObject) -> list[CompiledField]:
    return [f for f in obj.fields.values() if f.definition.type == "rollup" and f.definition.rollup is not None]


def filter_params(f: CompiledField) -> dict[str, str]:
    """The roll-up's filter as list-filter parameters (true/false for booleans, lists comma-separated)."""
    out = {}
    for key, value in (f.definition.rollup.filter if f.definition.rollup else {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        out[str(key)] = str(value)
    return out


def rollup_query(schema: CompiledSchema, f: CompiledField, today: dt.date) -> Query:
    """The aggregate over every parent: the filter and ``agg=function[:field]`` (cached per schema and day).

    :func:`compute` narrows it to one parent with an extra WHERE term, so the
    filter is parsed once, not on every child write.
    """
    key = (id(schema), id(f), today)  # the field belongs to the schema, which the entry keeps alive
    hit = _queries.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    r = f.definition.rollup
    assert r is not None
    agg = "count" if r.function == "count" else f"{r.function}:{r.field}"  # count: every matching child
    query = parse_query(schema.objects[r.child], schema, {**filter_params(f), "agg": agg}, today=today)
    if len(_queries) > 1000:
        _queries.clear()
    _queries[key] = (schema, query)
    return query


_queries: dict[tuple[int, int, dt.date], tuple[CompiledSchema, Query]] = {}


def watched_fields(schema: CompiledSchema, f: CompiledField) -> frozenset[str]:
    """The child fields whose change can move this roll-up: relationship, summarised and filtered fields."""
    r = f.definition.rollup
    assert r is not None
    names = {r.relationship_field, *([r.field] if r.field else [])}
    try:
        query = parse_query(schema.objects[r.child], schema, filter_params(f), today=dt.date(2000, 1, 1))
    except QueryError:
        return frozenset(names)
    for cond in (*query.filters, *(c for group in query.any_of for c in group.alternatives)):
        names.add(cond.ref.via or cond.ref.field)
    return frozenset(names)


def compute(conn: Connection, live: LiveSchema, f: CompiledField, parent_id: int, today: dt.date) -> Any:
    """The roll-up's value for one parent, typed like the field (one SQL statement)."""
    r = f.definition.rollup
    assert r is not None
    query = rollup_query(live.compiled, f, today)
    parent = live.tables[r.child].c[r.relationship_field] == parent_id
    groups = run_query(conn, live, query, access=[parent]).groups or []
    raw = groups[0][query.aggregates[0].key] if groups else None
    return typed(f, raw)


def typed(f: CompiledField, raw: Any) -> Any:
    """An aggregate's raw value → the roll-up's stored value (empty sets per :data:`EMPTY`)."""
    r = f.definition.rollup
    assert r is not None
    if raw is None:
        raw = EMPTY[r.function]
        if raw is None:
            return None
    result, rtype, places = _result(f)
    if places is not None and isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        with decimal.localcontext() as ctx:
            ctx.prec = 80
            raw = Decimal(raw).quantize(Decimal(1).scaleb(-places), decimal.ROUND_HALF_EVEN)
        if result.type == "integer":
            raw = int(raw)
    return rtype.coerce(raw, result)


_results: dict[int, tuple[CompiledField, tuple[Any, Any, int | None]]] = {}


def _result(f: CompiledField) -> tuple[Any, Any, int | None]:
    """The result's definition, type and decimals (0 for integers, None when not a number), per field."""
    hit = _results.get(id(f))
    if hit is not None and hit[0] is f:
        return hit[1]
    result = f.field_type.result_field(f.definition)  # type: ignore[attr-defined]
    rtype = f.field_type.result_type(f.definition)  # type: ignore[attr-defined]
    digits = getattr(rtype, "digits", None)
    places = digits(result)[1] if digits else 0 if result.type == "integer" else None
    if len(_results) > 5000:
        _results.clear()
    _results[id(f)] = (f, (result, rtype, places))
    return result, rtype, places


def today() -> dt.date:
    """Relative dates in filters (``close_date=this_month``) resolve against the logic clock's UTC day."""
    return helpers.clock().astimezone(dt.timezone.utc).date()


class RollupFields:
    """The ``before_save`` hook that writes roll-ups; placed before the formulas so they read the new values."""

    def before_save(self, ctx: SaveContext) -> None:
        fields = rollup_fields(ctx.obj)
        if not fields:
            return
        if ctx.operation == "create":  # nothing can point at a record not yet written
            for f in fields:
                ctx.values[f.name] = typed(f, None)
            return
        previous: Mapping[str, Any] = ctx.previous or {}
        day = today()
        for f in fields:
            try:
                value = compute(ctx.conn, ctx.live, f, previous["id"], day)
            except QueryError as exc:
                ctx.errors.append(FieldError(f.name, "rollup_error", f"the roll-up's filter is invalid: {exc.detail}"))
                continue
            except FieldValueError as exc:
                ctx.errors.append(FieldError(f.name, "rollup_type", f"the roll-up gave a value that does not fit "
                                             f"its result type: {exc.message}"))
                continue
            if previous.get(f.name) != value:
                ctx.values[f.name] = value  # an unchanged value is left out: an update writes only changes
