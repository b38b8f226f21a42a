"""The planner asks the data before a change: duplicates block unique, empty values are counted."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import indexes, insert_rows

from .conftest import head

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title"), fld("code"))
UNIQUE_CODE = make_object("deal", fld("title"), fld("code", unique=True))
REQUIRED_CODE = make_object("deal", fld("title"), fld("code", required=True))


def with_codes(platform: Platform, apply: Apply, *codes: str | None) -> None:
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": f"deal {i}", "code": c} for i, c in enumerate(codes)])


def test_making_a_field_unique_is_refused_while_records_share_a_value(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "D-1", "D-1", "D-2", None, None)
    plan = platform.metadata.plan(UNIQUE_CODE)
    assert [i.to_json() for i in plan.issues] == [{
        "path": 'objects["deal"].fields["code"].unique',
        "message": "existing records share values, so the field cannot be unique: 'D-1' (2 records)",
        "code": "duplicates"}]
    with pytest.raises(Unprocessable):
        platform.metadata.apply(plan, author="test")
    assert "ux_obj_deal_code" not in indexes(platform, "deal")
    assert head(platform) == 1


def test_empty_values_do_not_count_as_duplicates(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "D-1", None, None)
    apply(UNIQUE_CODE)
    assert "ux_obj_deal_code" in indexes(platform, "deal")


def test_a_field_becomes_unique_once_its_values_differ(platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "D-1", "D-2")
    apply(UNIQUE_CODE)
    assert "ux_obj_deal_code" in indexes(platform, "deal")


def test_making_a_field_required_counts_the_records_without_a_value(platform: Platform, apply: Apply) -> None:
    """Not refused: the planner reports them, and each must get a value on its next edit."""
    with_codes(platform, apply, "D-1", None, None)
    plan = platform.metadata.plan(REQUIRED_CODE)
    assert plan.ok
    [update] = plan.operations
    assert update.details == ("2 existing record(s) have no value and must get one on their next edit",)


def test_making_a_field_required_reports_nothing_when_every_record_has_a_value(
        platform: Platform, apply: Apply) -> None:
    with_codes(platform, apply, "D-1")
    [update] = platform.metadata.plan(REQUIRED_CODE).operations
    assert update.details == ()


def test_removing_a_picklist_choice_in_use_names_the_records_using_it(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), fld("stage", "picklist", options=["New", "Won", "Lost"])))
    insert_rows(platform, "deal", [{"title": "a", "stage": "Won"}, {"title": "b", "stage": "Won"},
                                   {"title": "c", "stage": "New"}])
    plan = platform.metadata.plan(make_object("deal", fld("title"), fld("stage", "picklist", options=["New", "Lost"])))
    [change] = plan.operations
    assert change.destructive
    assert change.details == ("records keep their value but must pick a current choice on their next edit: "
                              "Won (2)",)
