"""Page layouts as metadata: schema, checks with JSON paths, the derived default, choosing one, and the plan."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.metadata import MetadataError, bundle_from_snapshot, diff, load_bundle
from metacrm.metadata.layouts import (LAYOUT_SYSTEM_FIELDS, default_layout, highlights, layout_for)

DEAL = {"name": "deal", "name_field": "title", "fields": [
    {"name": "notes", "type": "long_text"},
    {"name": "title", "type": "text", "required": True},
    {"name": "amount", "type": "currency"},
    {"name": "stage", "type": "picklist", "options": ["New", "Won"], "required": True},
    {"name": "close_date", "type": "date"},
]}
SALES_LAYOUT = {"name": "sales", "label": "Sales", "roles": ["sales"],
                "sections": [{"label": "Deal", "columns": 1, "fields": ["title", "stage", "amount"]},
                             {"label": "More", "collapsed": True, "fields": ["notes", "owner"]}],
                "overrides": {"amount": {"read_only": True, "help": "Set by finance"}}}
SALES_ROLE = {"name": "sales", "objects": {"deal": {"read": True}}}


def with_layouts(*layouts: dict[str, Any]) -> dict[str, Any]:
    return {"objects": [{**DEAL, "layouts": list(layouts)}], "roles": [SALES_ROLE]}


def issues(document: Any) -> dict[str, str]:
    with pytest.raises(MetadataError) as info:
        load_bundle(document)
    return {i.path: i.message for i in info.value.issues}


def test_a_layout_loads_round_trips_and_presents_its_overrides() -> None:
    bundle = load_bundle(with_layouts(SALES_LAYOUT)).bundle
    layout = bundle.objects["deal"].layouts[0]
    assert [s.label for s in layout.sections] == ["Deal", "More"]
    assert layout.sections[0].columns == 1 and layout.sections[1].collapsed and layout.sections[1].columns == 2
    assert layout.field_names == ("title", "stage", "amount", "notes", "owner")
    assert layout.options("amount").read_only and layout.options("amount").help == "Set by finance"
    assert not layout.options("title").read_only and layout.roles == ("sales",)
    doc = bundle.to_json()
    assert doc["objects"][0]["layouts"][0]["overrides"] == SALES_LAYOUT["overrides"]
    assert bundle_from_snapshot(doc) == bundle


def test_objects_without_layouts_keep_their_json() -> None:
    bundle = load_bundle({"objects": [DEAL]}).bundle
    assert bundle.objects["deal"].layouts == () and "layouts" not in bundle.to_json()["objects"][0]


def test_a_layout_naming_a_missing_field_says_where_and_suggests() -> None:
    broken = {**SALES_LAYOUT, "sections": [{"label": "Deal", "fields": ["title", "stage", "ammount"]}],
              "highlights": ["stag"], "overrides": {"clos_date": {"hidden": True}}}
    found = issues(with_layouts(broken))
    assert found['objects[0].layouts[0].sections[0].fields[2]'] == \
        'field "ammount" does not exist on deal — did you mean "amount"?'
    assert 'did you mean "stage"' in found["objects[0].layouts[0].highlights[0]"]
    assert 'did you mean "close_date"' in found["objects[0].layouts[0].overrides.clos_date"]


def test_schema_problems_and_cross_checks_are_reported_with_paths() -> None:
    found = issues(with_layouts({"name": "x", "sections": [{"label": "A", "columns": 3, "fields": ["title"]}]}))
    assert "objects[0].layouts[0].sections[0].columns" in found
    found = issues(with_layouts(
        {"name": "a", "default": True, "roles": ["salse"], "sections": [{"label": "A", "fields": ["title", "stage"]}]},
        {"name": "a", "default": True, "sections": [{"label": "A", "fields": ["title"]}]}))
    assert found["objects[0].layouts[1].name"] == 'the layout "a" is defined twice'
    assert found["objects[0].layouts"] == "only one layout may be the default"
    assert 'required field "stage"' in found["objects[0].layouts[1].sections"]


def test_layout_roles_must_exist() -> None:
    found = issues(with_layouts({**SALES_LAYOUT, "roles": ["salse"]}))
    assert found == {"objects[0].layouts[0].roles[0]": 'role "salse" does not exist — did you mean "sales"?'}


def test_the_derived_default_layout_puts_the_name_then_required_fields_first() -> None:
    obj = load_bundle({"objects": [DEAL]}).bundle.objects["deal"]
    layout = default_layout(obj)
    details, system = layout.sections
    assert details.label == "Details" and details.columns == 2 and not details.collapsed
    assert details.fields == ("title", "stage", "notes", "amount", "close_date")
    assert system.label == "System" and system.collapsed and system.fields == LAYOUT_SYSTEM_FIELDS
    assert all(layout.options(name).read_only for name in LAYOUT_SYSTEM_FIELDS)
    assert highlights(obj, layout) == ("stage", "amount", "close_date")


def test_a_user_gets_their_roles_layout_else_the_default() -> None:
    default = {"name": "standard", "default": True, "sections": [{"label": "A", "fields": ["title", "stage"]}]}
    obj = load_bundle(with_layouts(SALES_LAYOUT, default)).bundle.objects["deal"]
    assert layout_for(obj, {"sales"}).name == "sales"
    assert layout_for(obj, {"support"}).name == "standard"
    assert layout_for(obj, {"sales"}, is_admin=True).name == "standard"
    plain = load_bundle({"objects": [DEAL]}).bundle.objects["deal"]
    assert layout_for(plain, set()).name == "default"
    only_sales = load_bundle(with_layouts(SALES_LAYOUT)).bundle.objects["deal"]
    assert layout_for(only_sales, {"support"}).name == "default"  # a role's layout is not everyone's


def test_changing_only_layouts_is_a_metadata_only_object_update() -> None:
    old = load_bundle({"objects": [DEAL], "roles": [SALES_ROLE]}).bundle
    new = load_bundle(with_layouts(SALES_LAYOUT)).bundle
    ops = diff(old, new)
    assert [op.kind for op in ops] == ["update_object"] and not ops[0].destructive
