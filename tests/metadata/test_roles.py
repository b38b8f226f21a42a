"""Roles as metadata: their schema, their checks against objects and fields, and their diff."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.metadata import MetadataError, bundle_from_snapshot, compile_schema, diff, load_bundle
from metacrm.metadata.definitions import MetadataBundle

DEAL = {"name": "deal", "fields": [{"name": "title", "type": "text"}, {"name": "amount", "type": "integer"}]}
SALES = {"name": "sales", "objects": {"deal": {"read": True, "create": True}}, "fields": {"deal": {"amount": "hidden"}}}


def issues(document: Any) -> dict[str, str]:
    with pytest.raises(MetadataError) as info:
        load_bundle(document)
    return {i.path: i.message for i in info.value.issues}


def test_a_bundle_loads_roles_beside_objects_and_round_trips() -> None:
    bundle = load_bundle({"objects": [DEAL], "roles": [SALES]}).bundle
    role = bundle.roles["sales"]
    assert role.label == "Sales" and role.grants("deal", "read") and not role.grants("deal", "delete")
    assert role.field_access("deal", "amount") == "hidden" and role.field_access("deal", "title") is None
    doc = bundle.to_json()
    assert doc["roles"] == [{"name": "sales", "label": "Sales", **{k: SALES[k] for k in ("objects", "fields")}}]
    assert bundle_from_snapshot(doc) == bundle
    assert compile_schema(bundle, 1).roles["sales"] == role


def test_bundles_without_roles_are_unchanged() -> None:
    bundle = load_bundle({"objects": [DEAL]}).bundle
    assert bundle.roles == {} and "roles" not in bundle.to_json()
    assert MetadataBundle().roles == {}


def test_schema_errors_have_paths() -> None:
    found = issues({"objects": [DEAL], "roles": [
        {"name": "Sales Team", "objects": {"deal": {"read": "yes", "approve": True}},
         "fields": {"deal": {"amount": "secret"}}, "colour": "red"}]})
    assert "roles[0]" in found and 'unknown property "colour"' in found["roles[0]"]
    assert "roles[0].name" in found
    assert found["roles[0].objects.deal.read"] == "must be a boolean, not a text"
    assert 'unknown property "approve"' in found["roles[0].objects.deal"]
    assert found["roles[0].fields.deal.amount"].startswith('"secret" is not one of: hidden, masked, read_only')


def test_roles_must_name_objects_and_fields_that_exist() -> None:
    found = issues({"objects": [DEAL], "roles": [
        {"name": "sales", "objects": {"dael": {"read": True}}, "fields": {"deal": {"amout": "read_only"}}}]})
    assert found == {
        'roles[0].objects["dael"]': 'object "dael" does not exist — did you mean "deal"?',
        'roles[0].fields["deal"]["amout"]': 'field "amout" does not exist on deal — did you mean "amount"?',
    }


def test_the_admin_role_is_built_in_and_roles_are_unique() -> None:
    found = issues({"objects": [DEAL], "roles": [{"name": "admin"}, SALES, SALES]})
    assert "built in" in found["roles[0].name"]
    assert found["roles[2].name"] == 'the role "sales" is defined twice'


def test_roles_upsert_over_the_base() -> None:
    base = load_bundle({"objects": [DEAL], "roles": [SALES]}).bundle
    more = load_bundle({"roles": [{"name": "support", "objects": {"deal": {"read": True}}}]}, base=base).bundle
    assert sorted(more.roles) == ["sales", "support"] and "deal" in more.objects
    # loading objects alone keeps the base's roles
    assert load_bundle({"objects": [DEAL]}, base=base).bundle.roles == base.roles


def test_diff_emits_one_non_destructive_update_roles_operation() -> None:
    old = load_bundle({"objects": [DEAL], "roles": [SALES]}).bundle
    new = load_bundle({"objects": [DEAL], "roles": [
        {**SALES, "objects": {"deal": {"read": True}}}, {"name": "support"}]}).bundle
    ops = diff(old, new)
    assert [(op.kind, op.destructive) for op in ops] == [("update_roles", False)]
    assert ops[0].summary == "roles: add support; change sales"
    assert diff(old, old) == []
    assert [op.summary for op in diff(new, load_bundle({"objects": [DEAL]}).bundle)] == [
        "roles: remove sales, support"]
