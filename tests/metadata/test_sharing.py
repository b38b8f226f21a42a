"""Sharing metadata: organisation-wide defaults, sharing rules, the portal and the role hierarchy."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.metadata.definitions import DEFAULT_SHARING
from metacrm.metadata.errors import MetadataError
from metacrm.metadata.loader import bundle_from_snapshot, load_bundle
from tests.conftest import fld, make_object


def issues(document: Any) -> dict[str, str]:
    with pytest.raises(MetadataError) as info:
        load_bundle(document)
    return {i.path: i.message for i in info.value.issues}


def deal(**settings: Any) -> dict[str, Any]:
    return make_object("deal", fld("title", portal_visible=True), fld("region"), fld("amount", "integer"),
                       fld("account", "lookup", target="account"), **settings)


ACCOUNT = make_object("account", fld("name"), fld("portal_user", "integer"))


def test_defaults_are_public_read_write_and_round_trip() -> None:
    bundle = load_bundle({"objects": [ACCOUNT, deal()]}).bundle
    assert bundle.objects["deal"].sharing == DEFAULT_SHARING == "public_read_write"
    assert "sharing" not in bundle.objects["deal"].to_json()
    doc = {"objects": [ACCOUNT, deal(sharing="private", portal={"via": "account__portal_user", "access": "edit"},
                                     sharing_rules=[{"name": "emea", "criteria": "region=EMEA&amount__gte=5",
                                                     "roles": ["emea"], "access": "edit"}])],
           "roles": [{"name": "emea", "reports_to": "boss"}, {"name": "boss"}]}
    bundle = load_bundle(doc).bundle
    rule = bundle.objects["deal"].sharing_rules[0]
    assert dict(rule.criteria) == {"region": "EMEA", "amount__gte": "5"} and rule.access == "edit"
    assert bundle.objects["deal"].portal.via == "account__portal_user"
    assert bundle.objects["deal"].field("title").portal_visible
    assert bundle.roles["emea"].reports_to == "boss"
    assert bundle_from_snapshot(bundle.to_json()) == bundle


def test_schema_errors_name_the_json_path() -> None:
    found = issues({"objects": [deal(sharing="secret", sharing_rules=[{"name": "x", "criteria": {}, "roles": []}])]})
    assert "objects[0].sharing" in found
    assert any(p.startswith("objects[0].sharing_rules[0]") for p in found)


def test_rules_portal_and_hierarchy_are_checked_across_definitions() -> None:
    found = issues({"objects": [ACCOUNT, deal(
        sharing_rules=[{"name": "r", "criteria": {"regoin": "EMEA", "sort": "title"}, "roles": ["emea"]}],
        portal={"via": "title"})],
        "roles": [{"name": "emea", "reports_to": "boss"}, {"name": "boss", "reports_to": "emea"},
                  {"name": "lost", "reports_to": "nobody"}]})
    assert found["objects[1].sharing_rules[0].criteria.regoin"].startswith('field "regoin" does not exist on deal')
    assert "criteria may only filter" in found["objects[1].sharing_rules[0].criteria.sort"]
    assert "portal needs owner" in found["objects[1].portal.via"]
    assert found["roles[0].reports_to"] == "the role hierarchy loops: emea → boss → emea"
    assert found["roles[2].reports_to"].startswith('role "nobody" does not exist')
    found = issues({"objects": [ACCOUNT, deal(portal={"via": "account__name"})]})
    assert found["objects[1].portal.via"].startswith("account.name is a text field")
    found = issues({"objects": [ACCOUNT, deal(sharing_rules=[{"name": "r", "criteria": "region=A", "roles": ["emae"]}])],
                    "roles": [{"name": "emea"}]})
    assert found["objects[1].sharing_rules[0].roles[0]"] == 'role "emae" does not exist — did you mean "emea"?'
