"""A plan is applied only to the state it was made from; otherwise it is refused as a conflict."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from metacrm.platform.errors import Conflict
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import columns, insert_rows, select_all

from .conftest import head, physical_schema

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title"), fld("code"))
WITH_STAGE = make_object("deal", fld("title"), fld("code"), fld("stage"))
WITH_AMOUNT = make_object("deal", fld("title"), fld("code"), fld("amount", "currency"))


@pytest.fixture
def elsewhere(database_url: str) -> Iterator[Platform]:
    """Another process on the same database."""
    other = Platform.from_url(database_url)
    yield other
    other.engine.dispose()


def test_a_plan_made_before_another_apply_is_refused_as_a_conflict(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    stale = platform.metadata.plan(WITH_STAGE)
    apply(WITH_AMOUNT)
    with pytest.raises(Conflict) as refused:
        platform.metadata.apply(stale, author="test")
    assert refused.value.extra == {"base_version": 1}
    assert "stage" not in columns(platform, "deal")
    assert head(platform) == 2


def test_a_plan_is_stale_after_an_apply_from_another_process(
        platform: Platform, apply: Apply, elsewhere: Platform) -> None:
    apply(DEAL)
    stale = platform.metadata.plan(WITH_STAGE)
    elsewhere.metadata.apply(elsewhere.metadata.plan(WITH_AMOUNT), author="someone else")
    with pytest.raises(Conflict):
        platform.metadata.apply(stale, author="test")
    assert head(platform) == 2


def test_planning_again_after_a_conflict_starts_from_the_other_change(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    stale = platform.metadata.plan(WITH_STAGE)
    apply(WITH_AMOUNT)
    with pytest.raises(Conflict):
        platform.metadata.apply(stale, author="test")
    version = apply(make_object("deal", *WITH_AMOUNT["fields"], fld("stage")))
    assert version.id == 3
    assert [(op["kind"], op["field"]) for op in version.diff] == [("add_field", "stage")]
    assert {"amount", "stage"} <= columns(platform, "deal")


def test_values_written_after_planning_that_no_longer_convert_make_the_apply_conflict(
        platform: Platform, apply: Apply) -> None:
    """Record writes do not move the metadata version; the conversion itself notices them."""
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": "Alpha", "code": "12"}])
    plan = platform.metadata.plan(make_object("deal", fld("title"), fld("code", "integer")))
    insert_rows(platform, "deal", [{"title": "Beta", "code": "twelve"}])
    before = physical_schema(platform)
    with pytest.raises(Conflict) as refused:
        platform.metadata.apply(plan, author="test", confirm=True)
    assert "plan again" in refused.value.detail
    assert refused.value.extra["operation"]["kind"] == "change_field_type"
    assert physical_schema(platform) == before
    assert select_all(platform, "deal", "code") == [("12",), ("twelve",)]
    assert head(platform) == 1
