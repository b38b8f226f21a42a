"""Sharing-rule criteria are parsed with the query language when a change is planned."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

ROLES = [{"name": "emea", "objects": {"deal": {"read": True}}}]


def plan_issues(platform: Platform, document: Any) -> dict[str, str]:
    plan = platform.metadata.plan(document)
    return {i.path: i.message for i in plan.issues}


def test_criteria_values_and_operators_are_checked_at_plan_time(platform: Platform) -> None:
    doc = {"objects": [make_object("account", fld("name")), make_object(
        "deal", fld("title"), fld("amount", "integer"), fld("account", "lookup", target="account"),
        sharing="private", sharing_rules=[
            {"name": "bad_value", "criteria": {"amount__gte": "lots"}, "roles": ["emea"]},
            {"name": "bad_op", "criteria": "title__between=a,b", "roles": ["emea"]},
            {"name": "hop", "criteria": {"account__name": "Acme"}, "roles": ["emea"]}])],
        "roles": ROLES}
    found = plan_issues(platform, doc)
    assert set(found) == {'objects["deal"].sharing_rules[0].criteria.amount__gte',
                          'objects["deal"].sharing_rules[1].criteria.title__between',
                          'objects["deal"].sharing_rules[2].criteria.account__name'}
    assert "fields of deal itself" in found['objects["deal"].sharing_rules[2].criteria.account__name']


def test_removing_a_field_or_role_a_rule_uses_is_refused(platform: Platform, apply: Any) -> None:
    doc = {"objects": [make_object("deal", fld("title"), fld("region"), sharing="private",
                                   sharing_rules=[{"name": "r", "criteria": {"region": "EMEA"}, "roles": ["emea"]}])],
           "roles": ROLES}
    apply(doc)
    without_field = {"objects": [make_object("deal", fld("title"), sharing="private",
                                             sharing_rules=doc["objects"][0]["sharing_rules"])], "roles": ROLES}
    with pytest.raises(Unprocessable):
        platform.metadata.plan(without_field)
    plan = platform.metadata.plan({"objects": [make_object("deal", fld("title"), fld("region"))], "roles": ROLES},
                                  replace_all=True)
    assert plan.ok  # dropping the rules themselves is fine
