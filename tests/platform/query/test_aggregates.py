"""Money aggregates are exact Decimals on both databases, however many values they add up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from metacrm.platform.query import compile_select, parse_query
from metacrm.platform.runtime import Platform

from .conftest import COMPANIES, COMPANY_COLUMNS, DEAL_COLUMNS, TODAY, Runner, insert
from .schema import BUNDLE


@pytest.fixture
def crm(platform: Platform, apply: Any) -> Runner:
    apply(BUNDLE)
    insert(platform, "company", COMPANIES, COMPANY_COLUMNS)
    return Runner(platform)


def test_sums_of_many_cents_and_of_huge_amounts_are_exact(crm: Runner) -> None:
    dimes = [{"title": "dime", "stage": "New", "amount": Decimal("0.10"), "probability": Decimal("0.0001")}] * 30
    big = [{"title": "big", "stage": "Won", "amount": Decimal(v)}
           for v in ("1234567890123456.78", "0.01", "0.02", "9999999999999999.99")]
    insert(crm.platform, "deal", dimes + big, DEAL_COLUMNS)
    groups = crm.run(group_by="stage", agg="sum:amount,avg:amount,sum:probability,max:amount,min:amount").groups
    assert groups == [
        {"stage": "New", "sum:amount": Decimal("3.00"), "avg:amount": Decimal("0.10"),
         "sum:probability": Decimal("0.0030"), "max:amount": Decimal("0.10"), "min:amount": Decimal("0.10")},
        {"stage": "Won", "sum:amount": Decimal("11234567890123456.80"), "avg:amount": Decimal("2808641972530864.20"),
         "sum:probability": None, "max:amount": Decimal("9999999999999999.99"), "min:amount": Decimal("0.01")},
    ]
    for group in groups:
        assert all(isinstance(v, Decimal) for k, v in group.items() if k != "stage" and v is not None)
    assert crm.run(agg="sum:amount").groups == [{"sum:amount": Decimal("11234567890123459.80")}]


def test_groups_sort_by_averages_and_page_with_limit_and_offset(crm: Runner) -> None:
    rows = [{"title": t, "stage": s, "amount": Decimal(a)} for t, s, a in [
        ("a", "New", "10.00"), ("b", "New", "30.00"), ("c", "Won", "25.00"), ("d", "Lost", "1.00"),
        ("e", "Lost", "100.00")]]
    insert(crm.platform, "deal", rows, DEAL_COLUMNS)
    got = crm.run(group_by="stage", agg="avg:amount", sort="-avg:amount").groups
    assert got == [{"stage": "Lost", "avg:amount": Decimal("50.50")}, {"stage": "Won", "avg:amount": Decimal("25.00")},
                   {"stage": "New", "avg:amount": Decimal("20.00")}]
    page = crm.run(group_by="stage", sort="-stage", limit="2", offset="1", count="1")
    assert page.groups == [{"stage": "New", "count": 2}, {"stage": "Lost", "count": 2}] and page.total == 3


def test_counting_a_field_skips_empty_values_including_json_nulls(crm: Runner) -> None:
    insert(crm.platform, "deal", [{"title": "x", "tags": ["A"]}, {"title": "y", "tags": None}, {"title": "z"}],
           DEAL_COLUMNS)
    assert crm.run(agg="count,count:tags,count:title,count:related").groups == [
        {"count": 3, "count:tags": 1, "count:title": 3, "count:related": 0}]
    assert [r["title"] for r in crm.run(tags__isnull="true").rows] == ["y", "z"]


def test_a_grouped_query_has_no_row_select(crm: Runner) -> None:
    live = crm.platform.schema.get()
    query = parse_query(live.compiled.objects["deal"], live.compiled, {"group_by": "stage"}, today=TODAY)
    with pytest.raises(ValueError):
        compile_select(query, live)
