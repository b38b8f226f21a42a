"""URL parameters → :class:`Query`, checked against the compiled schema (pure, no SQL).

Every parameter is validated before anything runs and *every* problem is
reported in one :class:`QueryError`; an unknown parameter is an error too,
because a misspelt filter that is silently ignored returns every record.

Parameters: ``field=value`` and ``field__op=value`` filters (one lookup hop:
``company__industry=Tech``), ``or=a=1|b__gt=2`` groups, ``q`` (search),
``sort``, ``limit``, ``offset``, ``cursor``, ``fields``, ``count``,
``group_by`` and ``agg``. In values, a backslash keeps a separator literal
(``\\,`` inside lists, ``\\|`` inside or groups).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Collection, Mapping

from metacrm.metadata.compiled import CompiledObject, CompiledSchema

from .conditions import ConditionBuilder, parse_flag, split_list
from .cursor import CursorError, decode_cursor
from .errors import Problem, Problems, unknown
from .fields import FieldResolver, Resolved
from .grouping import parse_aggregates, parse_group_by, parse_group_sort
from .model import (FAMILY_OPERATORS, OPERATORS, SORTABLE_FAMILIES, AnyOf, Condition, FieldRef, Query, SortKey,
                    sort_signature)

#: Parameters with a meaning of their own; every other name is a filter.
RESERVED = ("q", "sort", "limit", "offset", "cursor", "fields", "count", "group_by", "agg", "or")
REPEATABLE = ("agg", "or")
DEFAULT_LIMIT = 50
MAX_SEARCH = 200
MAX_ALTERNATIVES = 50
MAX_OFFSET = 10**9


def normalise(params: Any) -> dict[str, list[str]]:
    """A werkzeug MultiDict or a mapping of lists (or single strings) → {name: [values]}."""
    if hasattr(params, "getlist"):
        return {str(k): [str(v) for v in params.getlist(k)] for k in params.keys()}
    return {str(k): [v] if isinstance(v, str) else [str(x) for x in v] for k, v in params.items()}


def parse_query(obj: CompiledObject, schema: CompiledSchema, params: Mapping[str, Any], *,
                today: dt.date, max_limit: int = 200, tz: dt.tzinfo = dt.timezone.utc,
                passthrough: Collection[str] = ("format",)) -> Query:
    """Parse a record-list query for ``obj``; raises QueryError listing every problem.

    ``today`` (and ``tz``, for date-time fields) resolve relative dates.
    ``passthrough`` names parameters the caller handles itself (ignored here).
    """
    return _Parser(obj, schema, normalise(params), today, max_limit, tz, passthrough).parse()


class _Parser:
    def __init__(self, obj: CompiledObject, schema: CompiledSchema, params: dict[str, list[str]],
                 today: dt.date, max_limit: int, tz: dt.tzinfo, passthrough: Collection[str]):
        self.obj = obj
        self.params = params
        self.max_limit = max_limit
        self.passthrough = set(passthrough)
        self.resolver = FieldResolver(obj, schema)
        self.builder = ConditionBuilder(today, tz)
        self.problems = Problems()

    def single(self, name: str) -> str | None:
        values = self.params.get(name)
        if not values:
            return None
        if len(values) > 1:
            self.problems.add(name, f"was given {len(values)} times; give it once")
        return values[-1]

    def parse(self) -> Query:
        filters = self.filters()
        any_of = self.or_groups()
        search, search_refs = self.search()
        group_by = parse_group_by(self.resolver, self.single("group_by"), self.problems)
        aggregates = parse_aggregates(self.resolver, self.params.get("agg", []), group_by, self.problems)
        grouped = bool(group_by or aggregates)
        sort_raw = self.single("sort")
        sort = () if grouped else self.sort(sort_raw)
        group_sort = parse_group_sort(sort_raw, group_by, aggregates, self.problems) if grouped else ()
        limit, offset = self.limit(), self.number("offset", MAX_OFFSET, 0)
        after = self.cursor(sort, grouped, offset)
        fields = self.fields(grouped)
        count = self.flag("count")
        self.problems.raise_if_any()
        return Query(self.obj.name, tuple(filters), tuple(any_of), search, search_refs, sort, limit, offset,
                     after, fields, count, group_by, aggregates, group_sort)

    # --- filters -----------------------------------------------------------------------------
    def filters(self) -> list[Condition]:
        out = []
        for key, values in self.params.items():
            if key in RESERVED or key in self.passthrough:
                continue
            for raw in values:
                try:
                    out.append(self.condition(key, key, raw))
                except Problem as problem:
                    self.problems.add_problem(key, problem)
        return out

    def condition(self, parameter: str, key: str, raw: str) -> Condition:
        res, op = self.target(key)
        return self.builder.build(parameter, res, op, raw)

    def target(self, key: str) -> tuple[Resolved, str]:
        """What ``field``, ``field__op``, ``lookup__field`` or ``lookup__field__op`` names."""
        parts = key.split("__")
        r = self.resolver
        if len(parts) > 3 or not all(parts):
            raise Problem(f'"{key}" is not a filter: write field, field__operator or lookup__field__operator',
                          r.names())
        if len(parts) == 1:
            if r.unqueryable_reason(key) is None and key not in r.names():
                raise unknown(key, f"a field of {r.label} or a query parameter", [*r.names(), *RESERVED])
            return r.own(key), "eq"
        head, second = parts[0], parts[1]
        if len(parts) == 2 and second in OPERATORS:
            return r.own(head), second
        if len(parts) == 2:
            own = r.own(head)
            if not r.is_lookup(head):
                raise unknown(second, f'an operator for "{head}"', operators_for(own.ref))
            try:
                return r.related(r.lookup(head), second), "eq"
            except Problem as problem:  # a misspelt operator or a misspelt related field
                raise unknown(second, f'an operator for "{head}" or a field of the record it points at',
                              [*operators_for(own.ref), *problem.valid]) from None
        res = r.related(r.lookup(head), second)
        if parts[2] not in OPERATORS:
            raise unknown(parts[2], f'an operator for "{head}__{second}"', operators_for(res.ref))
        return res, parts[2]

    def or_groups(self) -> list[AnyOf]:
        groups = []
        for raw in self.params.get("or", []):
            alternatives = split_list(raw, "|")
            if len(alternatives) > MAX_ALTERNATIVES:
                self.problems.add("or", f"a group has at most {MAX_ALTERNATIVES} alternatives")
                continue
            conditions, ok = [], True
            for alt in alternatives:
                key, eq, value = alt.partition("=")
                try:
                    if not eq or not key:
                        raise Problem("each alternative must look like field=value or field__op=value, "
                                      'separated by "|"')
                    if key in RESERVED:
                        raise Problem(f'"{key}" cannot be used inside an or group')
                    conditions.append(self.condition("or", key, value))
                except Problem as problem:
                    ok = False
                    self.problems.add_problem("or", problem, prefix=f'in "{alt}": ')
            if ok:
                groups.append(AnyOf("or", tuple(conditions)))
        return groups

    def search(self) -> tuple[str | None, tuple[FieldRef, ...]]:
        raw = self.single("q")
        if raw is None or not raw.strip():
            return None, ()
        text = raw.strip()
        refs = self.resolver.search_refs()
        if len(text) > MAX_SEARCH:
            self.problems.add("q", f"searches for at most {MAX_SEARCH} characters (got {len(text)})")
        elif "\x00" in text:
            self.problems.add("q", "contains a NUL character")
        elif not refs:
            self.problems.add("q", f"{self.resolver.label} has no text search fields; filter on a field instead",
                              self.resolver.names())
        return text, refs

    # --- order and pages ---------------------------------------------------------------------
    def sort(self, raw: str | None) -> tuple[SortKey, ...]:
        keys: list[SortKey] = []
        for item in split_list(raw) if raw is not None else []:
            item = item.strip()
            descending = item.startswith("-")
            name = item[1:] if descending else item
            try:
                res = self.resolver.field(name) if name in self.sortable() or "__" in name else None
                if res is None:
                    raise unknown(name, f"a sortable field of {self.resolver.label}", self.sortable())
                if res.ref.family not in SORTABLE_FAMILIES:
                    raise Problem(f'"{name}" ({res.definition.type}) cannot be sorted on', self.sortable())
                if any(k.ref.name == res.ref.name for k in keys):
                    raise Problem(f'"{name}" appears twice')
                keys.append(SortKey(res.ref, descending))
            except Problem as problem:
                self.problems.add_problem("sort", problem)
        if not any(k.ref.name == "id" for k in keys):
            keys.append(SortKey(self.resolver.own("id").ref))  # a total order: pages never overlap
        return tuple(keys)

    def sortable(self) -> list[str]:
        return [n for n in self.resolver.names() if self.resolver.own(n).ref.family in SORTABLE_FAMILIES]

    def number(self, name: str, maximum: int, default: int) -> int:
        raw = self.single(name)
        if raw is None:
            return default
        text = raw.strip()
        if not text.isascii() or not text.isdigit() or int(text) > maximum:
            self.problems.add(name, f"must be a whole number from 0 to {maximum} (got \"{raw}\")")
            return default
        return int(text)

    def limit(self) -> int:
        return self.number("limit", self.max_limit, min(DEFAULT_LIMIT, self.max_limit))

    def flag(self, name: str) -> bool:
        raw = self.single(name)
        try:
            return raw is not None and parse_flag(raw)
        except Problem as problem:
            self.problems.add_problem(name, problem)
            return False

    def cursor(self, sort: tuple[SortKey, ...], grouped: bool, offset: int) -> tuple[Any, ...] | None:
        raw = self.single("cursor")
        if raw is None or not raw.strip():
            return None
        if grouped:
            self.problems.add("cursor", "does not apply to grouped results; page groups with offset")
            return None
        if offset:
            self.problems.add("cursor", "cannot be combined with offset; a cursor already says where to continue")
            return None
        if any(p["parameter"] == "sort" for p in self.problems.items):
            return None  # the cursor cannot be checked against a broken sort
        try:
            texts = decode_cursor(raw.strip(), self.obj.name, sort_signature(sort), [k.ref.kind for k in sort])
            return tuple(self.cursor_value(k, t) for k, t in zip(sort, texts))
        except (CursorError, Problem) as exc:
            message = str(exc) if isinstance(exc, CursorError) else "does not match this sort"
            self.problems.add("cursor", message)
            return None

    def cursor_value(self, key: SortKey, text: str | None) -> Any:
        if text is None:
            if not key.ref.nullable:
                raise Problem("does not match this sort")
            return None
        if key.ref.kind in ("string", "text"):
            return text  # compared as stored; stale choices must still page correctly
        return self.builder.scalar(self.resolver.field(key.ref.name), text)

    def fields(self, grouped: bool) -> tuple[FieldRef, ...] | None:
        raw = self.single("fields")
        if raw is None:
            return None
        if grouped:
            self.problems.add("fields", "does not apply to grouped results (use group_by and agg)")
            return None
        refs = [self.resolver.own("id").ref]
        for name in (n.strip() for n in split_list(raw)):
            try:
                ref = self.resolver.own(name).ref
            except Problem as problem:
                self.problems.add_problem("fields", problem)
                continue
            if ref not in refs:
                refs.append(ref)
        return tuple(refs)


def operators_for(ref: FieldRef) -> tuple[str, ...]:
    return FAMILY_OPERATORS[ref.family]
