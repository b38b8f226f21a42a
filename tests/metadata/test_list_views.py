"""List views as metadata: loading, checks with JSON paths, the derived default view."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.metadata.errors import MetadataError
from metacrm.metadata.list_views import ViewDef, default_view, views_of
from metacrm.metadata.loader import bundle_from_snapshot, load_bundle


def fld(name: str, type_: str = "text", **settings: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **settings}


DEAL = {"name": "deal", "fields": [
    fld("title", required=True), fld("notes", "long_text"), fld("stage", "picklist", options=["New", "Won"]),
    fld("amount", "currency"), fld("close_date", "date"), fld("secret", sensitive=True), fld("nickname"),
    fld("website", "url"), fld("company", "lookup", target="company"), fld("email", "email"), fld("score", "integer"),
]}
COMPANY = {"name": "company", "fields": [fld("name")]}


def bundle(*views: dict[str, Any], roles: list[dict[str, Any]] | None = None) -> Any:
    doc: dict[str, Any] = {"objects": [{**DEAL, "list_views": list(views)}, COMPANY]}
    if roles is not None:
        doc["roles"] = roles
    return load_bundle(doc).bundle


def issues(*views: dict[str, Any], roles: list[dict[str, Any]] | None = None) -> list[str]:
    with pytest.raises(MetadataError) as caught:
        bundle(*views, roles=roles)
    return [f"{i.path}: {i.message}" for i in caught.value.issues]


def test_default_view_is_the_name_field_and_five_useful_columns() -> None:
    view = default_view(bundle().objects["deal"])
    assert view.name == "all" and view.default and view.label == "All Deals"
    assert view.columns == ("title", "stage", "amount", "close_date", "company", "email")  # definition order
    assert "notes" not in view.columns and "secret" not in view.columns  # long text, sensitive: never unasked
    assert view.sort == "-updated_at" and view.page_size == 50


def test_default_view_prefers_required_fields() -> None:
    obj = load_bundle({"objects": [{"name": "t", "fields": [fld("name"), *[fld(f"f{i}") for i in range(8)],
                                                            fld("must", required=True)]}]}).bundle.objects["t"]
    assert default_view(obj).columns == ("name", "f0", "f1", "f2", "f3", "must")


def test_an_object_without_fields_to_show_still_has_a_view() -> None:
    obj = load_bundle({"objects": [{"name": "t", "fields": [fld("body", "long_text")]}]}).bundle.objects["t"]
    assert views_of(obj)[0].columns == ()


def test_views_load_frozen_and_round_trip() -> None:
    b = bundle({"name": "big", "label": "Big deals", "columns": ["title", "amount"],
                "filters": {"stage": "Won", "amount__gte": 1000, "company__name__icontains": "acme"},
                "sort": "-amount,title", "page_size": 25, "default": True})
    view = b.objects["deal"].list_views[0]
    assert isinstance(view, ViewDef) and view.filters["amount__gte"] == "1000"
    with pytest.raises(TypeError):
        view.filters["x"] = "y"  # type: ignore[index]
    doc = b.to_json()
    assert doc["objects"][1]["list_views"] == [
        {"name": "big", "label": "Big deals", "columns": ["title", "amount"],
         "filters": {"stage": "Won", "amount__gte": "1000", "company__name__icontains": "acme"},
         "sort": "-amount,title", "page_size": 25, "default": True}]
    assert bundle_from_snapshot(doc) == b
    assert views_of(b.objects["deal"]) == (view,)


def test_every_problem_is_reported_with_its_path() -> None:
    found = issues({"name": "v", "columns": ["titel", "notes"], "sort": "-amout",
                    "filters": {"stag": "Won", "amount__gtx": "1", "stage": "Lost", "amount__lt": "lots",
                                "company__nam": "x", "sort": "title"}},
                   {"name": "v", "default": True}, {"name": "w", "default": True})
    at = "objects[0].list_views"
    assert f'{at}[0].columns[0]: field "titel" does not exist on deal — did you mean "title"?' in found
    assert f"{at}[0].columns[1]: \"notes\" is a long_text field and cannot be a column" in found
    assert f'{at}[0].sort: field "amout" does not exist on deal — did you mean "amount"?' in found
    assert any(f.startswith(f"{at}[0].filters.stag: ") and 'did you mean "stage"' in f for f in found)
    assert any(f.startswith(f"{at}[0].filters.amount__gtx: ") for f in found)
    assert any(f.startswith(f'{at}[0].filters.stage: "Lost" is not a choice') for f in found)
    assert any(f.startswith(f"{at}[0].filters.amount__lt: ") and "number" in f for f in found)
    assert any(f.startswith(f'{at}[0].filters.company__nam: company has no field "nam"') for f in found)
    assert any(f.startswith(f"{at}[0].filters.sort: ") for f in found)
    assert f'{at}[1].name: the list view "v" is defined twice' in found
    assert f"{at}[2].default: only one list view of an object can be the default" in found


def test_schema_errors_have_paths() -> None:
    found = issues({"name": "Bad Name", "page_size": 1000, "colour": "red", "sort": "amount desc"})
    assert any(f.startswith("objects[0].list_views[0].page_size") for f in found)
    assert any(f.startswith("objects[0].list_views[0].sort") and "-amount" in f for f in found)
    assert any("colour" in f for f in found)


def test_views_are_shared_with_defined_roles_only() -> None:
    roles = [{"name": "sales", "objects": {"deal": {"read": True}}}]
    assert issues({"name": "v", "roles": ["salez"]}, roles=roles) == [
        'objects[0].list_views[0].roles[0]: role "salez" does not exist — did you mean "sales"?']
    view = bundle({"name": "v", "roles": ["sales"]}, roles=roles).objects["deal"].list_views[0]
    assert view.shared_with({"sales"}) and not view.shared_with({"support"}) and view.shared_with((), is_admin=True)
