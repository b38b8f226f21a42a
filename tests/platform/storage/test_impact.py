"""A plan that would leave a formula or lookup pointing at nothing is refused, listing the dependants."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import columns, insert_rows, select_all, tables

from .conftest import head, physical_schema

Apply = Callable[..., Any]
COMPANY = make_object("company", fld("name"), fld("industry"))
DEAL = make_object("deal", fld("title"), fld("company", "lookup", target="company"),
                   fld("sector", "formula", formula="company.industry", result_type="text"))


@pytest.fixture
def deals(platform: Platform, apply: Apply) -> None:
    """Version 1: deal.sector is a formula reading company.industry through the lookup."""
    apply({"objects": [COMPANY, DEAL]})
    insert_rows(platform, "company", [{"name": "Acme", "industry": "Tech"}])
    insert_rows(platform, "deal", [{"title": "Alpha", "company": 1, "sector": "Tech"}])


def refused(platform: Platform, plan: Any) -> list[str]:
    """Apply must refuse ``plan``; returns the messages, each also checked to name a dependant."""
    before = physical_schema(platform)
    with pytest.raises(Unprocessable) as info:
        platform.metadata.apply(plan, author="test", confirm=True)
    errors = info.value.extra["errors"]
    assert {e["code"] for e in errors} == {"dependant"}
    assert physical_schema(platform) == before
    assert head(platform) == 1
    return [f'{e["path"]}: {e["message"]}' for e in errors]


def test_removing_a_field_a_formula_reads_is_refused_naming_the_formula(platform: Platform, deals: None) -> None:
    plan = platform.metadata.plan(make_object("company", fld("name")))
    assert refused(platform, plan) == [
        'objects["deal"].fields["sector"]: field "company.industry" is removed or renamed, but formula deal.sector '
        "still uses it; change or remove it in the same plan"]


def test_removing_a_field_is_allowed_when_its_formula_changes_in_the_same_plan(
        platform: Platform, apply: Apply, deals: None) -> None:
    apply({"objects": [make_object("company", fld("name")),
                       make_object("deal", fld("title"), fld("company", "lookup", target="company"),
                                   fld("sector", "formula", formula="company.name", result_type="text"))]})
    assert "industry" not in columns(platform, "company")


def test_renaming_a_field_a_formula_reads_is_refused_naming_the_formula(platform: Platform, deals: None) -> None:
    plan = platform.metadata.plan(make_object("company", fld("name"), fld("segment", renamed_from="industry")))
    [message] = refused(platform, plan)
    assert message.startswith('objects["deal"].fields["sector"]: field "company.industry" is removed or renamed')


def test_renaming_a_field_is_allowed_when_its_formula_follows_in_the_same_plan(
        platform: Platform, apply: Apply, deals: None) -> None:
    apply({"objects": [make_object("company", fld("name"), fld("segment", renamed_from="industry")),
                       make_object("deal", fld("title"), fld("company", "lookup", target="company"),
                                   fld("sector", "formula", formula="company.segment", result_type="text"))]})
    assert select_all(platform, "company", "segment") == [("Tech",)]
    assert select_all(platform, "deal", "sector") == [("Tech",)]


def test_removing_an_object_a_lookup_targets_is_refused_naming_the_lookup(platform: Platform, deals: None) -> None:
    messages = refused(platform, platform.metadata.plan_delete("company"))
    assert 'objects["deal"].fields["company"]: object "company" is removed or renamed, but lookup deal.company ' \
           "→ company still uses it; change or remove it in the same plan" in messages


def test_removing_an_object_is_allowed_when_its_dependants_go_in_the_same_plan(
        platform: Platform, apply: Apply, deals: None) -> None:
    apply({"objects": [make_object("deal", fld("title"))]}, replace_all=True)
    assert "obj_company" not in tables(platform)
    assert select_all(platform, "deal", "title") == [("Alpha",)]


def test_renaming_an_object_a_lookup_targets_is_refused_naming_the_lookup(platform: Platform, deals: None) -> None:
    plan = platform.metadata.plan(make_object("organization", fld("name"), fld("industry"), renamed_from="company"))
    assert any("lookup deal.company → company still uses it" in m for m in refused(platform, plan))


def test_renaming_an_object_is_allowed_when_its_lookup_follows_in_the_same_plan(
        platform: Platform, apply: Apply, deals: None) -> None:
    apply({"objects": [make_object("organization", fld("name"), fld("industry"), renamed_from="company"),
                       make_object("deal", fld("title"), fld("company", "lookup", target="organization"),
                                   fld("sector", "formula", formula="company.industry", result_type="text"))]})
    assert select_all(platform, "deal", "company", "sector") == [(1, "Tech")]
    assert select_all(platform, "organization", "name") == [("Acme",)]
