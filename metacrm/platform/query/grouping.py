"""``group_by``, ``agg`` and the sort of grouped results (pure).

Grouping answers report questions ("pipeline by stage") in the database
instead of shipping every row to the client. Each aggregate is named by its
spec (``sum:amount``, ``count``), which can never clash with a field name
(field names cannot contain a colon, and ``count`` is reserved).
"""

from __future__ import annotations

from .conditions import split_list
from .errors import Problem, Problems, unknown
from .fields import FieldResolver
from dataclasses import replace

from .model import AGGREGATE_FAMILIES, AGGREGATES, BUCKETS, GROUPABLE_FAMILIES, Aggregate, FieldRef, GroupSort

MAX_GROUP_FIELDS = 5


def parse_group_by(resolver: FieldResolver, raw: str | None, problems: Problems) -> tuple[FieldRef, ...]:
    if raw is None:
        return ()
    refs: list[FieldRef] = []
    names = [n.strip() for n in split_list(raw)]
    if len(names) > MAX_GROUP_FIELDS:
        problems.add("group_by", f"groups by at most {MAX_GROUP_FIELDS} fields")
        return ()
    for spec in names:
        name, colon, bucket = spec.partition(":")  # close_date:month (field names never hold a colon)
        try:
            res = resolver.field(name)
            if res.ref.family not in GROUPABLE_FAMILIES:
                raise Problem(f'"{name}" ({res.definition.type}) cannot be grouped on',
                              [n for n in resolver.names() if resolver.own(n).ref.family in GROUPABLE_FAMILIES])
            ref = _bucketed(res.ref, bucket) if colon else res.ref
            if ref in refs:
                raise Problem(f'"{spec}" appears twice')
            refs.append(ref)
        except Problem as problem:
            problems.add_problem("group_by", problem)
    return tuple(refs)


def _bucketed(ref: FieldRef, bucket: str) -> FieldRef:
    """``close_date:month``: group by the period's first day (dates and date/times only)."""
    if ref.family not in ("date", "datetime"):
        raise Problem(f'"{ref.name}" is not a date: only dates are grouped by {", ".join(BUCKETS)}')
    if bucket not in BUCKETS:
        raise unknown(bucket, "a date bucket", list(BUCKETS))
    return replace(ref, name=f"{ref.name}:{bucket}", bucket=bucket)


def parse_aggregates(resolver: FieldResolver, raws: list[str], group_by: tuple[FieldRef, ...],
                     problems: Problems) -> tuple[Aggregate, ...]:
    """``count``, ``count:field`` (non-empty values), ``sum|avg|min|max:field``; count by default."""
    aggregates: list[Aggregate] = []
    for raw in raws:
        for item in (i.strip() for i in split_list(raw)):
            try:
                agg = _aggregate(resolver, item)
            except Problem as problem:
                problems.add_problem("agg", problem)
                continue
            if all(a.key != agg.key for a in aggregates):
                aggregates.append(agg)
    if group_by and not aggregates and not raws:
        aggregates.append(Aggregate("count", None, "count"))
    return tuple(aggregates)


def _aggregate(resolver: FieldResolver, item: str) -> Aggregate:
    function, colon, name = item.partition(":")
    if function not in AGGREGATES:
        raise unknown(function, "an aggregate", [f"{a}:field" if a != "count" else a for a in AGGREGATES])
    if not colon:
        if function != "count":
            raise Problem(f'"{function}" needs a field, like {function}:amount')
        return Aggregate("count", None, "count")
    res = resolver.field(name.strip())
    families = AGGREGATE_FAMILIES[function]
    if res.ref.family not in families:
        valid = [n for n in resolver.names() if resolver.own(n).ref.family in families]
        raise Problem(f'"{function}" does not apply to "{res.ref.name}" ({res.definition.type} field)', valid)
    return Aggregate(function, res.ref, f"{function}:{res.ref.name}")


def parse_group_sort(raw: str | None, group_by: tuple[FieldRef, ...], aggregates: tuple[Aggregate, ...],
                     problems: Problems) -> tuple[GroupSort, ...]:
    """Grouped results sort by group fields or aggregates (``sort=-sum:amount``)."""
    if raw is None:
        return ()
    valid = [r.name for r in group_by] + [a.key for a in aggregates]
    out: list[GroupSort] = []
    for item in (i.strip() for i in split_list(raw)):
        descending = item.startswith("-")
        key = item[1:] if descending else item
        if key not in valid:
            problems.add_problem("sort", unknown(key, "a group field or aggregate of this query", valid))
        elif any(s.key == key for s in out):
            problems.add("sort", f'"{key}" appears twice')
        else:
            out.append(GroupSort(key, descending))
    return tuple(out)
