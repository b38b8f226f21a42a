"""Removing is destructive: it needs confirmation, then archives the data until an explicit purge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest

from metacrm.platform.errors import ConfirmationRequired, NotFound
from metacrm.platform.runtime import Platform
from metacrm.platform.storage import store
from tests.conftest import fld, make_object
from tests.helpers import columns, indexes, insert_rows, select_all, tables

from .conftest import SYSTEM_COLUMNS, head, physical_schema, raw_column

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title", unique=True), fld("amount", "currency"))
WITHOUT_AMOUNT = make_object("deal", fld("title", unique=True))


@pytest.fixture
def deals(platform: Platform, apply: Apply) -> None:
    """Version 1: deal with two records."""
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": "Alpha", "amount": Decimal("10.50")},
                                   {"title": "Beta", "amount": Decimal("-3.25")}])


def every_archive(platform: Platform) -> list[store.ArchiveEntry]:
    with platform.engine.connect() as conn:
        return store.archives(conn, state=None)


def stored_amounts(platform: Platform) -> list[Any]:
    """What the money column held (scaled integers on SQLite, NUMERIC on PostgreSQL)."""
    return [1050, -325] if platform.engine.dialect.name == "sqlite" else [Decimal("10.50"), Decimal("-3.25")]


def test_removing_a_field_without_confirmation_is_refused_and_changes_nothing(
        platform: Platform, apply: Apply, deals: None) -> None:
    before = physical_schema(platform)
    with pytest.raises(ConfirmationRequired) as refused:
        apply(WITHOUT_AMOUNT, confirm=False)
    assert [(op["kind"], op["field"]) for op in refused.value.extra["operations"]] == [("remove_field", "amount")]
    assert physical_schema(platform) == before
    assert head(platform) == 1


def test_the_plan_says_how_many_values_a_removal_archives(platform: Platform, deals: None) -> None:
    plan = platform.metadata.plan(WITHOUT_AMOUNT)
    [removal] = plan.operations
    assert removal.destructive
    assert removal.details == ("2 value(s) are archived with the column",)


def test_a_confirmed_removal_archives_the_column_instead_of_dropping_it(
        platform: Platform, apply: Apply, deals: None) -> None:
    apply(WITHOUT_AMOUNT)
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title", "arc_v2_amount"}
    assert [a.to_json() for a in platform.metadata.archives()] == [{
        "id": 1, "object": "deal", "field": "amount", "table": "obj_deal", "columns": ["arc_v2_amount"],
        "archived_in_version": 2, "state": "archived"}]


def test_an_archived_column_still_holds_every_value(platform: Platform, apply: Apply, deals: None) -> None:
    apply(WITHOUT_AMOUNT)
    assert raw_column(platform, "obj_deal", "arc_v2_amount") == stored_amounts(platform)


def test_removing_an_object_archives_its_table_with_its_records(platform: Platform, deals: None) -> None:
    platform.metadata.apply(platform.metadata.plan_delete("deal"), author="test", confirm=True)
    assert "obj_deal" not in tables(platform)
    assert raw_column(platform, "arc_v2_obj_deal", "title") == ["Alpha", "Beta"]
    [entry] = platform.metadata.archives()
    assert (entry.object, entry.field, entry.physical_table) == ("deal", None, "arc_v2_obj_deal")


def test_a_removed_field_s_name_can_be_used_again_beside_its_archive(
        platform: Platform, apply: Apply, deals: None) -> None:
    apply(WITHOUT_AMOUNT)
    apply(make_object("deal", fld("title", unique=True), fld("amount", "integer")))
    assert select_all(platform, "deal", "amount") == [(None,), (None,)]
    assert raw_column(platform, "obj_deal", "arc_v2_amount") == stored_amounts(platform)
    assert [a.field for a in platform.metadata.archives()] == ["amount"]


def test_a_removed_object_s_name_can_be_used_again_beside_its_archived_table(
        platform: Platform, apply: Apply, deals: None) -> None:
    platform.metadata.apply(platform.metadata.plan_delete("deal"), author="test", confirm=True)
    apply(DEAL)
    assert select_all(platform, "deal", "title") == []
    assert indexes(platform, "deal") == {"ix_obj_deal_owner", "ix_obj_deal_updated_at", "ix_obj_deal_deleted_at", "ux_obj_deal_title"}
    assert raw_column(platform, "arc_v2_obj_deal", "title") == ["Alpha", "Beta"]


def test_purging_drops_an_archived_column_for_good(platform: Platform, apply: Apply, deals: None) -> None:
    apply(WITHOUT_AMOUNT)
    [entry] = platform.metadata.archives()
    assert [e.id for e in platform.metadata.purge(entry.id)] == [entry.id]
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title"}
    assert platform.metadata.archives() == []


def test_a_purge_is_recorded_on_the_archive(platform: Platform, apply: Apply, deals: None) -> None:
    apply(WITHOUT_AMOUNT)
    platform.metadata.purge(platform.metadata.archives()[0].id)
    assert [(e.field, e.state) for e in every_archive(platform)] == [("amount", "purged")]


def test_purging_a_column_keeps_the_other_columns_data_and_indexes(
        platform: Platform, apply: Apply, deals: None) -> None:
    """On SQLite the purge copies the table (batch mode); nothing else may change."""
    apply(WITHOUT_AMOUNT)
    platform.metadata.purge()
    assert select_all(platform, "deal", "id", "title") == [(1, "Alpha"), (2, "Beta")]
    assert indexes(platform, "deal") == {"ix_obj_deal_owner", "ix_obj_deal_updated_at", "ix_obj_deal_deleted_at", "ux_obj_deal_title"}


def test_purging_drops_an_archived_table_for_good(platform: Platform, deals: None) -> None:
    platform.metadata.apply(platform.metadata.plan_delete("deal"), author="test", confirm=True)
    platform.metadata.purge()
    assert "arc_v2_obj_deal" not in tables(platform)
    assert [(e.object, e.field, e.state) for e in every_archive(platform)] == [("deal", None, "purged")]


def test_purging_without_an_id_purges_every_archive(platform: Platform, apply: Apply, deals: None) -> None:
    apply(make_object("deal", fld("title", unique=True), fld("amount", "currency"), fld("stage")))
    apply(make_object("deal", fld("title", unique=True)))
    assert len(platform.metadata.purge()) == 2
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title"}


def test_purging_an_unknown_archive_is_not_found(platform: Platform, deals: None) -> None:
    with pytest.raises(NotFound):
        platform.metadata.purge(42)


def test_purging_creates_no_metadata_version(platform: Platform, apply: Apply, deals: None) -> None:
    apply(WITHOUT_AMOUNT)
    platform.metadata.purge()
    assert head(platform) == 2
