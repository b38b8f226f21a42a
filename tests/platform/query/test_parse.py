"""parse_query without a database: the language's rules and every error it reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from metacrm.metadata.compiled import CompiledSchema, compile_schema
from metacrm.metadata.loader import load_bundle
from metacrm.platform.query import Condition, Query, QueryError, parse_query
from metacrm.platform.query.cursor import encode_cursor
from tests.conftest import fld, make_object

from .conftest import TODAY

UTC = dt.timezone.utc


def parse(schema: CompiledSchema, obj: str = "deal", **kwargs: Any) -> Query:
    params = kwargs.pop("params", None) or {k: v for k, v in kwargs.items() if not k.startswith("_")}
    return parse_query(schema.objects[obj], schema, params, today=kwargs.get("_today", TODAY),
                       **({"max_limit": kwargs["_max"]} if "_max" in kwargs else {}))


def errors(schema: CompiledSchema, obj: str = "deal", **params: Any) -> list[dict[str, Any]]:
    with pytest.raises(QueryError) as info:
        parse(schema, obj, params=params.get("params", params))
    err = info.value
    assert err.status == 400 and err.type_slug == "invalid-query" and err.extra["errors"] == err.errors
    return err.errors


def only(schema: CompiledSchema, **params: Any) -> Condition:
    query = parse(schema, params=params)
    assert len(query.filters) == 1
    return query.filters[0]


# --- filters --------------------------------------------------------------------------------

def test_equality_is_the_default_operator(schema: CompiledSchema) -> None:
    c = only(schema, stage="Won")
    assert (c.parameter, c.ref.name, c.op, c.values) == ("stage", "stage", "eq", ("Won",))


@pytest.mark.parametrize("key,raw,op,values", [
    ("amount__gt", "10.5", "gt", (Decimal("10.50"),)),
    ("amount__between", "1,2", "between", (Decimal("1.00"), Decimal("2.00"))),
    ("score__in", "1,2,2", "in", (1, 2)),
    ("score__nin", "3", "nin", (3,)),
    ("title__contains", " a%b ", "contains", (" a%b ",)),
    ("title__icontains", "x", "icontains", ("x",)),
    ("title__startswith", "x", "startswith", ("x",)),
    ("title__istartswith", "x", "istartswith", ("x",)),
    ("title__ne", "x", "ne", ("x",)),
    ("stage__isnull", "TRUE", "isnull", (True,)),
    ("stage__isnull", "0", "isnull", (False,)),
    ("is_hot", "yes", "eq", (True,)),
    ("company", "42", "eq", (42,)),
    ("tags__contains", "C%", "has", ("C%",)),
    ("related", "company:7", "eq", ({"object": "company", "id": 7},)),
    ("related__in", "company:7,deal:1", "in", ({"object": "company", "id": 7}, {"object": "deal", "id": 1})),
    ("id__lte", "9", "lte", (9,)),
    ("owner", "3", "eq", (3,)),
    ("created_at__gte", "2026-01-01T10:00:00+02:00", "gte", (dt.datetime(2026, 1, 1, 8, tzinfo=UTC),)),
    ("title__in", r"a\,b,c", "in", ("a,b", "c")),
])
def test_operators_and_coerced_values(schema: CompiledSchema, key: str, raw: str, op: str, values: tuple) -> None:
    c = only(schema, **{key: raw})
    assert (c.op, c.values) == (op, values)


@pytest.mark.parametrize("raw,op,values", [
    ("today", "within", (dt.date(2026, 3, 15), dt.date(2026, 3, 16))),
    ("yesterday", "within", (dt.date(2026, 3, 14), dt.date(2026, 3, 15))),
    ("tomorrow", "within", (dt.date(2026, 3, 16), dt.date(2026, 3, 17))),
    ("this_week", "within", (dt.date(2026, 3, 9), dt.date(2026, 3, 16))),
    ("last_week", "within", (dt.date(2026, 3, 2), dt.date(2026, 3, 9))),
    ("this_month", "within", (dt.date(2026, 3, 1), dt.date(2026, 4, 1))),
    ("last_month", "within", (dt.date(2026, 2, 1), dt.date(2026, 3, 1))),
    ("this_quarter", "within", (dt.date(2026, 1, 1), dt.date(2026, 4, 1))),
    ("this_year", "within", (dt.date(2026, 1, 1), dt.date(2027, 1, 1))),
    ("last_year", "within", (dt.date(2025, 1, 1), dt.date(2026, 1, 1))),
    ("last_n_days:30", "within", (dt.date(2026, 2, 14), dt.date(2026, 3, 16))),
    ("next_n_days:7", "within", (dt.date(2026, 3, 15), dt.date(2026, 3, 22))),
])
def test_relative_dates_mean_within_the_period(schema: CompiledSchema, raw: str, op: str, values: tuple) -> None:
    c = only(schema, close_date=raw)
    assert (c.op, c.values) == (op, values)


@pytest.mark.parametrize("op,expected", [
    ("gt", ("gte", dt.date(2026, 4, 1))),  # after the whole month
    ("gte", ("gte", dt.date(2026, 3, 1))),
    ("lt", ("lt", dt.date(2026, 3, 1))),
    ("lte", ("lt", dt.date(2026, 4, 1))),  # up to the end of the month
    ("ne", ("outside", dt.date(2026, 3, 1), dt.date(2026, 4, 1))),
])
def test_relative_dates_with_ordering_operators(schema: CompiledSchema, op: str, expected: tuple) -> None:
    c = only(schema, **{f"close_date__{op}": "this_month"})
    assert (c.op, *c.values) == expected


def test_relative_dates_in_between_run_from_the_first_start_to_the_second_end(schema: CompiledSchema) -> None:
    c = only(schema, close_date__between="last_month,this_month")
    assert (c.op, c.values) == ("within", (dt.date(2026, 2, 1), dt.date(2026, 4, 1)))
    c = only(schema, close_date__between="2026-01-05,this_week")
    assert (c.op, c.values) == ("within", (dt.date(2026, 1, 5), dt.date(2026, 3, 16)))
    c = only(schema, close_date__between="2026-01-05,2026-01-09")
    assert (c.op, c.values) == ("between", (dt.date(2026, 1, 5), dt.date(2026, 1, 9)))


def test_datetime_periods_are_days_in_the_callers_time_zone(schema: CompiledSchema) -> None:
    c = only(schema, closed_at="today")
    assert c.values == (dt.datetime(2026, 3, 15, tzinfo=UTC), dt.datetime(2026, 3, 16, tzinfo=UTC))
    assert only(schema, closed_at="2026-03-01").values == (dt.datetime(2026, 3, 1, tzinfo=UTC),
                                                           dt.datetime(2026, 3, 2, tzinfo=UTC))
    paris = dt.timezone(dt.timedelta(hours=1))
    query = parse_query(schema.objects["deal"], schema, {"closed_at": "today"}, today=TODAY, tz=paris)
    assert query.filters[0].values[0] == dt.datetime(2026, 3, 14, 23, tzinfo=UTC)


def test_one_lookup_hop_reaches_the_target_objects_fields(schema: CompiledSchema) -> None:
    c = only(schema, company__industry="Tech")
    assert (c.ref.name, c.ref.object, c.ref.via, c.op, c.values) == (
        "company__industry", "company", "company", "eq", ("Tech",))
    c = only(schema, company__industry__in="Tech,Retail")
    assert (c.op, c.values) == ("in", ("Tech", "Retail"))
    assert only(schema, company__created_at__gte="2026-01-01T00:00:00Z").ref.via == "company"
    # an operator name after a lookup is the operator, not a field of the target
    assert only(schema, company__isnull="true").ref.via is None


def test_or_groups_hold_alternatives_and_and_with_everything_else(schema: CompiledSchema) -> None:
    query = parse(schema, params=MultiDict([("or", "stage=Won|amount__gt=1000"), ("or", r"title=a\|b|score=1"),
                                            ("is_hot", "true")]))
    assert len(query.filters) == 1 and len(query.any_of) == 2
    first, second = query.any_of
    assert [(c.ref.name, c.op, c.values) for c in first.alternatives] == [
        ("stage", "eq", ("Won",)), ("amount", "gt", (Decimal("1000.00"),))]
    assert second.alternatives[0].values == ("a|b",)


def test_sort_keys_end_with_an_id_tiebreak(schema: CompiledSchema) -> None:
    query = parse(schema, sort="-amount,title")
    assert [(k.ref.name, k.descending) for k in query.sort] == [("amount", True), ("title", False), ("id", False)]
    assert query.sort_signature == "-amount,title,id"
    assert [k.ref.name for k in parse(schema).sort] == ["id"]
    assert [k.ref.name for k in parse(schema, sort="-id").sort] == ["id"]
    assert parse(schema, sort="company__name").sort[0].ref.via == "company"


def test_paging_projection_and_count(schema: CompiledSchema) -> None:
    query = parse(schema)
    assert (query.limit, query.offset, query.count, query.fields, query.after) == (50, 0, False, None, None)
    query = parse(schema, limit="200", offset="40", count="1", fields="title,related,title")
    assert (query.limit, query.offset, query.count) == (200, 40, True)
    assert [r.name for r in query.fields] == ["id", "title", "related"]
    assert parse(schema, _max=20).limit == 20


def test_search_is_trimmed_and_uses_the_text_search_fields(schema: CompiledSchema) -> None:
    query = parse(schema, q="  acme 100% ")
    assert query.search == "acme 100%"
    assert [r.name for r in query.search_refs] == ["title", "notes", "contact_email"]
    assert parse(schema, q="  ").search is None


def test_group_by_and_aggregates(schema: CompiledSchema) -> None:
    query = parse(schema, group_by="stage,company__industry", agg="sum:amount,count,avg:amount,min:close_date",
                  sort="-sum:amount")
    assert query.grouped and [r.name for r in query.group_by] == ["stage", "company__industry"]
    assert [a.key for a in query.aggregates] == ["sum:amount", "count", "avg:amount", "min:close_date"]
    assert [(s.key, s.descending) for s in query.group_sort] == [("sum:amount", True)]
    assert [a.key for a in parse(schema, group_by="stage").aggregates] == ["count"]
    assert parse(schema, agg="sum:amount").grouped


def test_a_multidict_and_passthrough_parameters(schema: CompiledSchema) -> None:
    query = parse(schema, params=MultiDict([("score__gt", "1"), ("score__gt", "5"), ("format", "csv")]))
    assert [c.values for c in query.filters] == [(1,), (5,)]
    with pytest.raises(QueryError):
        parse_query(schema.objects["deal"], schema, {"format": "csv"}, today=TODAY, passthrough=())


def test_queries_are_frozen(schema: CompiledSchema) -> None:
    query = parse(schema, stage="Won")
    with pytest.raises(AttributeError):
        query.limit = 5  # type: ignore[misc]


# --- errors ---------------------------------------------------------------------------------

def test_an_unknown_field_lists_the_valid_ones_and_suggests_one(schema: CompiledSchema) -> None:
    [err] = errors(schema, stge="Won")
    assert err["parameter"] == "stge" and 'did you mean "stage"' in err["message"]
    assert {"stage", "amount", "id", "created_at", "limit", "or"} <= set(err["valid"])
    [err] = errors(schema, limt="5")
    assert 'did you mean "limit"' in err["message"]


def test_an_unknown_operator_lists_the_operators_of_that_field(schema: CompiledSchema) -> None:
    [err] = errors(schema, amount__gtt="1")
    assert 'did you mean "gt"' in err["message"]
    assert err["valid"] == ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "between", "isnull"]
    [err] = errors(schema, stage__gt="Won")
    assert "does not apply" in err["message"] and "gt" not in err["valid"] and "in" in err["valid"]
    [err] = errors(schema, company__industry__gtt="Tech")
    assert err["valid"] == ["eq", "ne", "in", "nin", "isnull"]


@pytest.mark.parametrize("key,raw,fragment,valid", [
    ("amount", "abc", "must be a number", None),
    ("amount", "1.234", "at most 2 digits after the point", None),
    ("stage", "Open", "must be one of", ["New", "Won", "Lost"]),
    ("stage__in", "New,Open", "must be one of", ["New", "Won", "Lost"]),
    ("score", "1.5", "whole number", None),
    ("close_date", "2026-02-30", "must be a date", "today"),
    ("close_date", "next_n_days:0", "number of days", "last_n_days:N"),
    ("close_date", "last_n_days:x", "number of days", "last_n_days:N"),
    ("close_date__in", "today,2026-01-01", "not in lists", None),
    ("closed_at", "soon", "date and time", "this_week"),
    ("closed_at__in", "2026-03-01", "whole days", None),
    ("is_hot", "maybe", "true or false", None),
    ("stage__isnull", "perhaps", "true or false", ["true", "false"]),
    ("company", "acme", "id of a company", None),
    ("related", "company", "object:id", ["company", "deal"]),
    ("related", "user:1", "may point at one of", ["company", "deal"]),
    ("tags__contains", "D", "choice", ["A", "B", "C%"]),
    ("contact_email", "nope", "email address", None),
    ("title", "", "__isnull=true", None),
    ("title", "x" * 81, "at most 80", None),
    ("title", "a\x00b", "NUL", None),
    ("amount__between", "1", "exactly two values", None),
    ("amount__between", "5,1", "must not be greater", None),
    ("close_date__between", "this_month,last_month", "must come before", None),
    ("amount__in", "1,,2", "empty value", None),
    ("amount__in", ",".join(["1"] * 501), "at most 500", None),
])
def test_a_bad_value_names_the_parameter(schema: CompiledSchema, key: str, raw: str, fragment: str,
                                         valid: Any) -> None:
    [err] = errors(schema, **{key: raw})
    assert err["parameter"] == key and fragment in err["message"], err
    if isinstance(valid, list):
        assert err["valid"] == valid
    elif valid:
        assert valid in err["valid"]


@pytest.mark.parametrize("params,parameter,fragment", [
    ({"doubled": "2"}, "doubled", "calculated when a record is read"),
    ({"stage__industry": "x"}, "stage__industry", "not an operator"),
    ({"company__nme": "x"}, "company__nme", 'did you mean "name"'),
    ({"company__isnul": "true"}, "company__isnul", 'did you mean "isnull"'),
    ({"company__name__x__eq": "x"}, "company__name__x__eq", "not a filter"),
    ({"stage__": "x"}, "stage__", "not a filter"),
    ({"title__name__eq": "x"}, "title__name__eq", "not a lookup"),
    ({"or": "stage=Won|amont=5"}, "or", 'in "amont=5"'),
    ({"or": "stage=Won|nonsense"}, "or", "field=value"),
    ({"or": "stage=Won|limit=5"}, "or", "cannot be used inside"),
    ({"sort": "amont"}, "sort", 'did you mean "amount"'),
    ({"sort": "tags"}, "sort", "not a sortable field"),
    ({"sort": "amount,-amount"}, "sort", "appears twice"),
    ({"limit": "201"}, "limit", "from 0 to 200"),
    ({"limit": "-1"}, "limit", "from 0 to 200"),
    ({"limit": "ten"}, "limit", "from 0 to 200"),
    ({"offset": "1.5"}, "offset", "whole number"),
    ({"fields": "title,nope"}, "fields", "not a field of Deal"),
    ({"fields": "doubled"}, "fields", "calculated"),
    ({"count": "maybe"}, "count", "true or false"),
    ({"q": "x" * 201}, "q", "at most 200"),
    ({"group_by": "tags"}, "group_by", "cannot be grouped"),
    ({"group_by": "stage", "agg": "median:amount"}, "agg", "not an aggregate"),
    ({"group_by": "stage", "agg": "sum:title"}, "agg", "does not apply"),
    ({"group_by": "stage", "agg": "sum"}, "agg", "needs a field"),
    ({"group_by": "stage", "sort": "amount"}, "sort", "group field or aggregate"),
    ({"group_by": "stage", "fields": "title"}, "fields", "does not apply to grouped"),
    ({"group_by": "stage", "cursor": "abc"}, "cursor", "does not apply to grouped"),
])
def test_other_errors(schema: CompiledSchema, params: dict[str, Any], parameter: str, fragment: str) -> None:
    errs = errors(schema, **params)
    assert any(e["parameter"] == parameter and fragment in e["message"] for e in errs), errs


def test_a_query_with_no_text_search_fields_refuses_q() -> None:
    bundle = load_bundle(make_object("gadget", fld("size", "integer"))).bundle
    schema = compile_schema(bundle, 1)
    [err] = errors(schema, "gadget", q="x")
    assert err["parameter"] == "q" and "no text search fields" in err["message"]


def test_currency_code_is_filterable_on_multi_currency_objects() -> None:
    bundle = load_bundle(make_object("invoice", fld("name"), fld("total", "currency"), multi_currency=True)).bundle
    schema = compile_schema(bundle, 1)
    c = parse(schema, "invoice", currency_code="EUR").filters[0]
    assert (c.ref.name, c.values) == ("currency_code", ("EUR",))


def test_every_problem_is_reported_at_once(schema: CompiledSchema) -> None:
    errs = errors(schema, params=MultiDict([("stge", "Won"), ("amount", "x"), ("limit", "5"), ("sort", "nope"),
                                            ("limit", "900"), ("company__industry", "Farming")]))
    assert [e["message"] for e in errs if e["parameter"] == "limit"] == [
        "was given 2 times; give it once", 'must be a whole number from 0 to 200 (got "900")']
    assert {e["parameter"] for e in errs} == {"stge", "amount", "limit", "sort", "company__industry"}
    with pytest.raises(QueryError) as info:
        parse(schema, params={"stge": "Won", "amount": "x"})
    assert "2 problems" in info.value.detail


# --- cursors --------------------------------------------------------------------------------

def cursor(sort: str = "-amount,id", values: tuple = (Decimal("10.00"), 3), obj: str = "deal") -> str:
    return encode_cursor(obj, sort, list(values))


def test_a_cursor_continues_after_its_row(schema: CompiledSchema) -> None:
    query = parse(schema, sort="-amount", cursor=cursor())
    assert query.after == (Decimal("10.00"), 3)
    assert parse(schema, sort="-amount", cursor=cursor(values=(None, 3))).after == (None, 3)
    when = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse(schema, sort="closed_at", cursor=cursor("closed_at,id", (when, 1))).after == (when, 1)


@pytest.mark.parametrize("token,fragment", [
    ("not a cursor", "not a cursor"),
    ("", None),
    (cursor()[:-3], "not a cursor"),
    (cursor("title,id", ("x", 3)), 'made for the sort "title,id"'),
    (cursor(obj="company"), 'made for "company"'),
    (cursor(values=("ten", 3)), "does not match"),
    (cursor(values=(Decimal("10.00"), None)), "does not match"),
    (cursor(values=(Decimal("1.234"), 3)), "does not match"),  # not a value the column can hold
    (cursor(values=(Decimal("10.00"), 3, 4)), "does not match"),
])
def test_a_bad_cursor_is_refused(schema: CompiledSchema, token: str, fragment: str | None) -> None:
    if fragment is None:  # an empty cursor is no cursor
        assert parse(schema, sort="-amount", cursor=token).after is None
        return
    [err] = errors(schema, sort="-amount", cursor=token)
    assert err["parameter"] == "cursor" and fragment in err["message"], err


def test_a_tampered_cursor_is_refused(schema: CompiledSchema) -> None:
    import base64
    import json

    token = cursor()
    data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    data[3][1] = ["i", "4"]  # move the page without fixing the checksum
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    [err] = errors(schema, sort="-amount", cursor=forged)
    assert "altered" in err["message"]


def test_a_cursor_cannot_be_combined_with_offset(schema: CompiledSchema) -> None:
    [err] = errors(schema, sort="-amount", cursor=cursor(), offset="10")
    assert err["parameter"] == "cursor" and "offset" in err["message"]
