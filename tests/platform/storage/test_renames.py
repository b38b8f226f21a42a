"""Adding and renaming keep every stored value: renames move tables and columns, they never copy."""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa

from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import columns, indexes, insert_rows, select_all, tables

from .conftest import SYSTEM_COLUMNS

Apply = Callable[..., Any]
COMPANY = make_object("company", fld("name"))
DEAL = make_object("deal", fld("title"), fld("code", unique=True))
ROWS = [{"title": "Alpha", "code": "D-1"}, {"title": "Beta", "code": "D-2"}]


def with_deal(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    insert_rows(platform, "deal", ROWS)


def test_adding_a_field_keeps_the_existing_records_with_an_empty_value(platform: Platform, apply: Apply) -> None:
    with_deal(platform, apply)
    apply(make_object("deal", *DEAL["fields"], fld("stage")))
    assert select_all(platform, "deal", "title", "code", "stage") == [("Alpha", "D-1", None), ("Beta", "D-2", None)]


def test_renaming_a_field_keeps_its_values(platform: Platform, apply: Apply) -> None:
    with_deal(platform, apply)
    apply(make_object("deal", fld("name", renamed_from="title"), fld("code", unique=True)))
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"name", "code"}
    assert select_all(platform, "deal", "name") == [("Alpha",), ("Beta",)]


def test_renaming_a_field_is_not_destructive(platform: Platform, apply: Apply) -> None:
    with_deal(platform, apply)
    plan = platform.metadata.plan(make_object("deal", fld("name", renamed_from="title"), fld("code", unique=True)))
    assert [op.kind for op in plan.operations if op.kind == "rename_field"] == ["rename_field"]
    assert not plan.destructive


def test_renaming_a_unique_field_moves_its_unique_index(platform: Platform, apply: Apply) -> None:
    with_deal(platform, apply)
    apply(make_object("deal", fld("title"), fld("reference", unique=True, renamed_from="code")))
    assert "ux_obj_deal_reference" in indexes(platform, "deal")
    assert "ux_obj_deal_code" not in indexes(platform, "deal")


def test_renaming_an_object_keeps_its_records(platform: Platform, apply: Apply) -> None:
    with_deal(platform, apply)
    apply(make_object("opportunity", *DEAL["fields"], renamed_from="deal"))
    assert "obj_deal" not in tables(platform)
    assert select_all(platform, "opportunity", "title", "code") == [("Alpha", "D-1"), ("Beta", "D-2")]


def test_renaming_an_object_renames_its_indexes(platform: Platform, apply: Apply) -> None:
    with_deal(platform, apply)
    apply(make_object("opportunity", *DEAL["fields"], renamed_from="deal"))
    assert indexes(platform, "opportunity") == {
        "ix_obj_opportunity_owner", "ix_obj_opportunity_updated_at", "ix_obj_opportunity_deleted_at", "ux_obj_opportunity_code"}


def test_a_field_can_be_renamed_and_retyped_in_one_plan(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), fld("code")))
    insert_rows(platform, "deal", [{"title": "Alpha", "code": "12"}])
    apply(make_object("deal", fld("title"), fld("number", "integer", renamed_from="code")))
    assert select_all(platform, "deal", "number") == [(12,)]


def test_an_object_can_be_renamed_and_changed_in_one_plan(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), fld("code"), fld("note")))
    insert_rows(platform, "deal", [{"title": "Alpha", "code": "12", "note": "n"}])
    apply(make_object("opportunity", fld("title"), fld("code", "integer"), renamed_from="deal"))
    assert select_all(platform, "opportunity", "title", "code") == [("Alpha", 12)]
    assert [(a.object, a.field) for a in platform.metadata.archives()] == [("opportunity", "note"),
                                                                           ("opportunity", "code")]


def test_lookups_that_follow_their_target_s_rename_keep_their_references(platform: Platform, apply: Apply) -> None:
    apply({"objects": [COMPANY, make_object("deal", fld("title"), fld("company", "lookup", target="company"))]})
    insert_rows(platform, "company", [{"name": "Acme"}])
    insert_rows(platform, "deal", [{"title": "Alpha", "company": 1}])
    version = apply({"objects": [make_object("organization", fld("name"), renamed_from="company"),
                                 make_object("deal", fld("title"), fld("company", "lookup", target="organization"))]})
    assert "change_field_type" not in [op["kind"] for op in version.diff]
    assert select_all(platform, "deal", "company") == [(1,)]
    assert platform.metadata.archives() == []


def test_a_foreign_key_follows_the_renamed_table(platform: Platform, apply: Apply) -> None:
    apply({"objects": [COMPANY, make_object("deal", fld("title"), fld("company", "lookup", target="company"))]})
    apply({"objects": [make_object("organization", fld("name"), renamed_from="company"),
                       make_object("deal", fld("title"), fld("company", "lookup", target="organization"))]})
    referred = [k["referred_table"] for k in sa.inspect(platform.engine).get_foreign_keys("obj_deal")]
    assert referred == (["obj_organization"] if platform.engine.dialect.name == "postgresql" else [])


def test_an_object_with_a_lookup_to_itself_can_be_renamed(platform: Platform, apply: Apply) -> None:
    apply(make_object("company", fld("name"), fld("parent", "lookup", target="company")))
    insert_rows(platform, "company", [{"name": "Holding", "parent": None}])
    insert_rows(platform, "company", [{"name": "Subsidiary", "parent": 1}])
    apply(make_object("organization", fld("name"), fld("parent", "lookup", target="organization"),
                      renamed_from="company"))
    assert select_all(platform, "organization", "name", "parent") == [("Holding", None), ("Subsidiary", 1)]
    assert "ix_obj_organization_parent_ref" in indexes(platform, "organization")
