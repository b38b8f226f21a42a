"""Queries run against a real database give the same answers on SQLite and PostgreSQL.

The data set (conftest) has five live deals and one in the recycle bin:

    id title          amount    stage close_date closed_at(UTC)    hot   score company(industry)
    1  Alpha deal     100.00    New   03-10      2026-03-15 09:00  true  5     acme (Tech)
    2  beta_deal      250.50    Won   03-01      2026-02-28 23:30  false 10    shop (Retail)
    3  Gamma          0.01      Lost  02-14      -                 -     3     care (Health)
    4  delta          -         -     -          2025-12-31 12:00  true  -     -
    5  Epsilon ALPHA  99999.99  Won   03-31      2026-03-16 00:00  false -2    nobody (-)
    6  Zeta deleted   100.00    New   (deleted)

Today is Sunday 2026-03-15.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.query import compile_select, parse_query
from tests.helpers import indexes

from .conftest import TODAY, Runner

CASES: list[tuple[dict[str, Any], list[int]]] = [
    # picklist
    ({"stage": "Won"}, [2, 5]),
    ({"stage__eq": "Won"}, [2, 5]),
    ({"stage__ne": "Won"}, [1, 3, 4]),  # ne also matches empty values
    ({"stage__in": "New,Lost"}, [1, 3]),
    ({"stage__nin": "New,Lost"}, [2, 4, 5]),
    ({"stage__isnull": "true"}, [4]),
    ({"stage__isnull": "false"}, [1, 2, 3, 5]),
    # money and numbers (exact comparisons on both databases)
    ({"amount": "100"}, [1]),
    ({"amount__ne": "100"}, [2, 3, 4, 5]),
    ({"amount__gt": "100"}, [2, 5]),
    ({"amount__gte": "100"}, [1, 2, 5]),
    ({"amount__lt": "100"}, [3]),
    ({"amount__lte": "100.00"}, [1, 3]),
    ({"amount__between": "0.01,250.50"}, [1, 2, 3]),
    ({"amount__in": "0.01,99999.99"}, [3, 5]),
    ({"amount__nin": "0.01,99999.99"}, [1, 2, 4]),
    ({"probability__gte": "0.5"}, [1, 5]),
    ({"score__lt": "0"}, [5]),
    ({"score__between": "3,5"}, [1, 3]),
    # text: eq and contains/startswith are case-sensitive, the i-variants are not; wildcards are literal
    ({"title": "Gamma"}, [3]),
    ({"title": "gamma"}, []),
    ({"title__in": "Gamma,delta"}, [3, 4]),
    ({"title__contains": "Alpha"}, [1]),
    ({"title__contains": "alpha"}, []),
    ({"title__icontains": "alpha"}, [1, 5]),
    ({"title__startswith": "Alpha"}, [1]),
    ({"title__startswith": "alpha"}, []),
    ({"title__istartswith": "alpha"}, [1]),
    ({"title__icontains": "_"}, [2]),
    ({"notes__icontains": "100%"}, [1]),
    ({"notes__contains": "%"}, [1]),
    ({"contact_email": "beta@example.com"}, [2]),
    # dates, absolute and relative
    ({"close_date": "2026-03-01"}, [2]),
    ({"close_date__gt": "2026-03-01"}, [1, 5]),
    ({"close_date__between": "2026-02-14,2026-03-01"}, [2, 3]),
    ({"close_date": "today"}, []),
    ({"close_date": "this_week"}, [1]),
    ({"close_date": "this_month"}, [1, 2, 5]),
    ({"close_date": "last_month"}, [3]),
    ({"close_date": "this_quarter"}, [1, 2, 3, 5]),
    ({"close_date": "this_year"}, [1, 2, 3, 5]),
    ({"close_date": "last_year"}, []),
    ({"close_date": "last_n_days:14"}, [1]),
    ({"close_date": "next_n_days:17"}, [5]),
    ({"close_date__ne": "this_month"}, [3, 4]),
    ({"close_date__gt": "this_week"}, [5]),
    ({"close_date__gte": "this_month"}, [1, 2, 5]),
    ({"close_date__lt": "this_month"}, [3]),
    ({"close_date__lte": "this_week"}, [1, 2, 3]),
    ({"close_date__between": "last_month,this_week"}, [1, 2, 3]),
    ({"close_date__in": "2026-03-01,2026-03-31"}, [2, 5]),
    # date-times: a bare date or a relative word is a whole day (UTC here)
    ({"closed_at": "today"}, [1]),
    ({"closed_at": "tomorrow"}, [5]),
    ({"closed_at": "yesterday"}, []),
    ({"closed_at": "2026-03-16"}, [5]),
    ({"closed_at": "last_year"}, [4]),
    ({"closed_at__lt": "this_month"}, [2, 4]),
    ({"closed_at__gte": "2026-03-15T09:00:00Z"}, [1, 5]),
    ({"closed_at": "2026-03-15T10:00:00+01:00"}, [1]),
    # booleans
    ({"is_hot": "true"}, [1, 4]),
    ({"is_hot": "false"}, [2, 5]),
    ({"is_hot__ne": "true"}, [2, 3, 5]),
    ({"is_hot__isnull": "1"}, [3]),
    # lookups and one hop
    ({"company": "1"}, [1]),
    ({"company__in": "1,2"}, [1, 2]),
    ({"company__ne": "1"}, [2, 3, 4, 5]),
    ({"company__isnull": "true"}, [4]),
    ({"company__industry": "Tech"}, [1]),
    ({"company__industry__in": "Tech,Retail"}, [1, 2]),
    ({"company__industry__ne": "Tech"}, [2, 3, 4, 5]),
    ({"company__industry__isnull": "true"}, [4, 5]),
    ({"company__employees__gte": "20"}, [1, 2]),
    ({"company__name__icontains": "AC"}, [1]),
    ({"company__revenue__gt": "50000.50"}, [1]),
    ({"company__revenue": "50000.5"}, [2]),
    ({"company__created_at": "today"}, [1, 2, 3, 5]),
    # multi-picklist, polymorphic lookup, file
    ({"tags__contains": "A"}, [1, 2]),
    ({"tags__contains": "C%"}, [3]),
    ({"tags__isnull": "true"}, [4]),
    ({"related": "company:1"}, [1]),
    ({"related__in": "company:1,company:2"}, [1, 5]),
    ({"related__ne": "company:1"}, [2, 3, 4, 5]),
    ({"related__nin": "company:1,deal:1"}, [3, 4, 5]),
    ({"related__isnull": "true"}, [3, 4]),
    ({"attachment__isnull": "true"}, [1, 2, 3, 4, 5]),
    # system fields
    ({"owner": "7"}, [1, 2]),
    ({"owner__in": "8"}, [3, 5]),
    ({"owner__isnull": "true"}, [4]),
    ({"id__gt": "3"}, [4, 5]),
    ({"id__in": "1,5,6"}, [1, 5]),  # 6 is in the recycle bin
    ({"version": "1"}, [1, 2, 3, 4, 5]),
    ({"created_at": "today"}, [1, 2, 3, 4, 5]),
    # several filters AND; or groups OR inside and AND with the rest
    ({"stage": "Won", "amount__lt": "1000"}, [2]),
    ({"or": "stage=Won|amount__lt=1"}, [2, 3, 5]),
    ({"or": "stage=Won|amount__lt=1", "is_hot": "false"}, [2, 5]),
    ({"or": ["stage=Won|stage=Lost", "score__gt=5|score__lt=0"]}, [2, 5]),
    ({"or": "company__industry=Tech|tags__contains=B"}, [1, 2, 5]),
    # search over title, notes and contact_email
    ({"q": "alpha"}, [1, 5]),
    ({"q": "100%"}, [1]),
    ({"q": "_"}, [2]),
    ({"q": "%"}, [1]),
    ({"q": "EXAMPLE"}, [1, 2, 5]),
    ({"q": "zeta"}, []),
    ({"q": "   "}, [1, 2, 3, 4, 5]),
]


@pytest.mark.parametrize("params,expected", CASES, ids=[str(c[0]) for c in CASES])
def test_filters(crm: Runner, params: dict[str, Any], expected: list[int]) -> None:
    assert crm.ids(**params) == expected


def test_a_condition_and_its_negation_split_the_records(crm: Runner) -> None:
    everyone = crm.ids()
    for field, value in [("stage", "Won"), ("amount", "100"), ("close_date", "this_month"), ("is_hot", "true"),
                         ("company__industry", "Tech"), ("related", "company:1")]:
        yes, no = crm.ids(**{field: value}), crm.ids(**{f"{field}__ne": value})
        assert sorted(yes + no) == everyone, field


SORTS = [
    ("-amount", [5, 2, 1, 3, 4]),
    ("amount", [3, 1, 2, 5, 4]),
    ("stage,-amount", [3, 1, 5, 2, 4]),
    ("-stage,amount", [2, 5, 1, 3, 4]),
    ("company__name", [1, 3, 5, 2, 4]),
    ("-close_date", [5, 1, 2, 3, 4]),
    ("-is_hot,id", [1, 4, 2, 5, 3]),
    ("-id", [5, 4, 3, 2, 1]),
]


@pytest.mark.parametrize("sort,expected", SORTS)
def test_sort_puts_empty_values_last_in_both_directions(crm: Runner, sort: str, expected: list[int]) -> None:
    assert crm.ids(sort=sort) == expected


def test_projection_returns_id_and_the_named_columns(crm: Runner) -> None:
    rows = crm.run(fields="title,amount", sort="id", limit="1").rows
    assert rows == [{"id": 1, "title": "Alpha deal", "amount": Decimal("100.00")}]
    rows = crm.run(fields="related", sort="id", limit="1").rows
    assert rows == [{"id": 1, "related_object": "company", "related_id": 1}]


def test_default_rows_carry_every_column(crm: Runner) -> None:
    row = crm.run(limit="1").rows[0]
    assert {"id", "created_at", "version", "deleted_at", "title", "amount", "related_object"} <= set(row)
    assert row["amount"] == Decimal("100.00") and row["tags"] == ["A"]


def test_count_is_the_total_of_matching_records_whatever_the_page(crm: Runner) -> None:
    assert crm.run(count="1", limit="2").total == 5
    assert crm.run(count="true", stage="Won", limit="1").total == 2
    result = crm.run(count="1", limit="0")
    assert result.rows == [] and result.total == 5 and result.next_cursor is None
    assert crm.run(limit="2").total is None


def test_a_first_page_holding_every_match_is_its_own_count(crm: Runner) -> None:
    """No second statement for short lists, and the same totals as counting would give."""
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(crm.platform.engine, "before_cursor_execute", listener)
    try:
        assert crm.run(count="1", stage="Won", limit="5").total == 2
        assert not any("count(" in s for s in statements)
        assert crm.run(count="1", limit="5").total == 5  # exactly full: still no count needed
        assert crm.run(count="1", limit="4").total == 5
        assert crm.run(count="1", offset="3", limit="5").total == 5  # a later page counts
        first = crm.run(count="1", limit="2")
        assert crm.run(count="1", limit="5", cursor=first.next_cursor).total == 5
    finally:
        sa.event.remove(crm.platform.engine, "before_cursor_execute", listener)


def test_limit_and_offset(crm: Runner) -> None:
    first = crm.run(limit="2")
    assert [r["id"] for r in first.rows] == [1, 2] and first.next_cursor
    assert crm.ids(offset="3") == [4, 5]
    assert crm.run(limit="5").next_cursor is None


def test_the_recycle_bin_sees_only_deleted_records(crm: Runner) -> None:
    assert [r["id"] for r in crm.run(deleted="only").rows] == [6]
    assert crm.run(deleted="only", count="1", stage="New").total == 1
    with pytest.raises(ValueError):
        crm.run(deleted="include")


def test_compiled_sql_binds_every_value(crm: Runner) -> None:
    live = crm.platform.schema.get()
    hostile = "x' OR 1=1 --"
    query = parse_query(live.compiled.objects["deal"], live.compiled,
                        {"title": hostile, "q": hostile, "notes__contains": hostile}, today=TODAY)
    sql = str(compile_select(query, live).compile(crm.platform.engine))
    assert hostile not in sql and "1=1" not in sql
    assert crm.ids(title=hostile, q=hostile) == []


def groups(crm: Runner, **params: Any) -> list[dict[str, Any]]:
    result = crm.run(**params)
    assert result.rows == [] and result.groups is not None
    return result.groups


def test_group_by_with_every_aggregate(crm: Runner) -> None:
    got = groups(crm, group_by="stage", agg="sum:amount,count,avg:amount,min:close_date,max:amount")
    assert got == [
        {"stage": "Lost", "sum:amount": Decimal("0.01"), "count": 1, "avg:amount": Decimal("0.01"),
         "min:close_date": dt.date(2026, 2, 14), "max:amount": Decimal("0.01")},
        {"stage": "New", "sum:amount": Decimal("100.00"), "count": 1, "avg:amount": Decimal("100.00"),
         "min:close_date": dt.date(2026, 3, 10), "max:amount": Decimal("100.00")},
        # 100250.49 / 2 = 50125.245, rounded half-even to the field's two decimals
        {"stage": "Won", "sum:amount": Decimal("100250.49"), "count": 2, "avg:amount": Decimal("50125.24"),
         "min:close_date": dt.date(2026, 3, 1), "max:amount": Decimal("99999.99")},
        {"stage": None, "sum:amount": None, "count": 1, "avg:amount": None, "min:close_date": None,
         "max:amount": None},
    ]
    assert all(isinstance(g["sum:amount"], (Decimal, type(None))) for g in got)


def test_group_by_a_related_field_and_sort_by_an_aggregate(crm: Runner) -> None:
    got = groups(crm, group_by="company__industry", agg="count,sum:amount", sort="-sum:amount")
    assert [(g["company__industry"], g["count"], g["sum:amount"]) for g in got] == [
        (None, 2, Decimal("99999.99")), ("Retail", 1, Decimal("250.50")), ("Tech", 1, Decimal("100.00")),
        ("Health", 1, Decimal("0.01")),
    ]


def test_grouping_defaults_to_count_and_respects_filters(crm: Runner) -> None:
    assert groups(crm, group_by="stage", is_hot="true") == [{"stage": "New", "count": 1}, {"stage": None, "count": 1}]
    assert crm.run(group_by="stage", count="1").total == 4  # the number of groups


def test_aggregates_without_group_by_summarise_every_match(crm: Runner) -> None:
    assert groups(crm, agg="sum:amount,count:amount,avg:score,min:closed_at") == [{
        "sum:amount": Decimal("100350.50"), "count:amount": 4, "avg:score": Decimal("4.0000"),
        "min:closed_at": groups(crm, agg="min:closed_at")[0]["min:closed_at"],
    }]
    assert groups(crm, agg="sum:score,count", stage="Won") == [{"sum:score": 8, "count": 2}]


def test_lookups_are_indexed_by_the_storage_layer(crm: Runner) -> None:
    """Filters through a lookup and hops join on it; the storage layer indexes every lookup."""
    assert "ix_obj_deal_company_ref" in indexes(crm.platform, "deal")
    assert "ix_obj_deal_related_ref" in indexes(crm.platform, "deal")
    assert "ix_obj_deal_deleted_at" in indexes(crm.platform, "deal")
