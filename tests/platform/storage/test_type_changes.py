"""A type change converts every stored value, or is refused with the count and examples of failures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest

from metacrm.platform.errors import ConfirmationRequired, Unprocessable
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import insert_rows, select_all

from .conftest import head, physical_schema, raw_column, unique_indexes

Apply = Callable[..., Any]
AS_TEXT = make_object("deal", fld("title"), fld("code"))
AS_INTEGER = make_object("deal", fld("title"), fld("code", "integer"))


def with_codes(platform: Platform, apply: Apply, *codes: str | None) -> None:
    apply(AS_TEXT)
    insert_rows(platform, "deal", [{"title": f"deal {i}", "code": c} for i, c in enumerate(codes)])


def refusal(platform: Platform, document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(Unprocessable) as refused:
        platform.metadata.apply(platform.metadata.plan(document), author="test", confirm=True)
    [issue] = refused.value.extra["errors"]
    return issue


def test_a_type_change_converts_every_value(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "12", " 7 ", None, "-40")
    apply(AS_INTEGER)
    assert select_all(platform, "deal", "code") == [(12,), (7,), (None,), (-40,)]


def test_the_plan_says_that_every_value_converts(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "12", "7", None)
    [change] = platform.metadata.plan(AS_INTEGER).operations
    assert (change.kind, change.destructive) == ("change_field_type", True)
    assert change.details == ("all 2 existing value(s) convert",)


def test_a_type_change_needs_confirmation(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "12")
    with pytest.raises(ConfirmationRequired):
        apply(AS_INTEGER, confirm=False)
    assert select_all(platform, "deal", "code") == [("12",)]


def test_the_column_before_a_type_change_is_archived_as_it_was(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "012", "7")
    apply(AS_INTEGER)
    assert raw_column(platform, "obj_deal", "arc_v2_code") == ["012", "7"]
    assert [(a.field, a.definition["type"]) for a in platform.metadata.archives()] == [("code", "text")]


def test_text_converts_to_an_exact_decimal(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "12.34", "-0.01", "1,000.50")
    apply(make_object("deal", fld("title"), fld("code", "currency")))
    assert select_all(platform, "deal", "code") == [(Decimal("12.34"),), (Decimal("-0.01"),), (Decimal("1000.50"),)]


def test_a_type_change_that_cannot_convert_every_value_is_refused_with_count_and_examples(
        platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "1", *[f"bad{i}" for i in range(7)], None)
    issue = refusal(platform, AS_INTEGER)
    assert issue["code"] == "conversion_failed"
    assert issue["path"] == 'objects["deal"].fields["code"].type'
    assert issue["message"].startswith("7 of 8 existing value(s) cannot be converted to integer, e.g. ")
    examples = issue["message"].split(", e.g. ", 1)[1].split("; ")
    assert examples == [f"record {i + 2}: 'bad{i}' (must be a whole number)" for i in range(5)]


def test_a_refused_type_change_changes_nothing(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "1", "one")
    before = physical_schema(platform)
    refusal(platform, AS_INTEGER)
    assert physical_schema(platform) == before
    assert head(platform) == 1
    assert select_all(platform, "deal", "code") == [("1",), ("one",)]


def test_a_unique_field_keeps_its_unique_index_through_a_type_change(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), fld("code", unique=True)))
    insert_rows(platform, "deal", [{"title": "a", "code": "12"}])
    apply(make_object("deal", fld("title"), fld("code", "integer", unique=True)))
    assert unique_indexes(platform, "deal")["ux_obj_deal_code"] is True
    assert select_all(platform, "deal", "code") == [(12,)]


def test_a_lookup_holding_values_cannot_change_type(platform: Platform, apply: Apply) -> None:
    apply({"objects": [make_object("company", fld("name")),
                       make_object("deal", fld("title"), fld("company", "lookup", target="company"))]})
    insert_rows(platform, "company", [{"name": "Acme"}])
    insert_rows(platform, "deal", [{"title": "a", "company": 1}])
    issue = refusal(platform, make_object("deal", fld("title"), fld("company", "integer")))
    assert issue["code"] == "not_convertible"
    assert issue["message"].startswith("1 record(s) hold a value in this lookup field; it cannot become integer.")
