"""Rollback plans the way back to an earlier version and applies it as a new one, restoring archives."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.errors import ConfirmationRequired, NotFound
from metacrm.platform.runtime import Platform
from metacrm.platform.storage import store
from tests.conftest import fld, make_object
from tests.helpers import columns, indexes, insert_rows, select_all, tables

from .conftest import SYSTEM_COLUMNS, head

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title"), fld("stage", indexed=True))
WITHOUT_STAGE = make_object("deal", fld("title"))


@pytest.fixture
def stage_removed(platform: Platform, apply: Apply) -> None:
    """Version 1 has deal.stage holding values; version 2 removed it."""
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": "Alpha", "stage": "Won"}, {"title": "Beta", "stage": "Lost"}])
    apply(WITHOUT_STAGE)


def snapshot_of(platform: Platform, version: int) -> dict[str, Any] | None:
    with platform.engine.connect() as conn:
        return store.load_snapshot(conn, version)


def test_rollback_restores_a_removed_field_with_its_values(platform: Platform, stage_removed: None) -> None:
    platform.metadata.rollback(1, author="test")
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title", "stage"}
    assert select_all(platform, "deal", "title", "stage") == [("Alpha", "Won"), ("Beta", "Lost")]


def test_rollback_restores_the_index_of_a_restored_field(platform: Platform, stage_removed: None) -> None:
    platform.metadata.rollback(1, author="test")
    assert "ix_obj_deal_stage" in indexes(platform, "deal")


def test_a_restored_archive_is_no_longer_listed(platform: Platform, stage_removed: None) -> None:
    platform.metadata.rollback(1, author="test")
    assert platform.metadata.archives() == []


def test_rollback_is_a_plan_applied_as_a_new_version(platform: Platform, stage_removed: None) -> None:
    plan = platform.metadata.plan_rollback(1)
    assert plan.restore and plan.base_version == 2
    assert [(op.kind, op.field) for op in plan.operations] == [("add_field", "stage"), ("add_index", "stage")]
    version = platform.metadata.apply(plan, author="test", kind="rollback", restored_from=1)
    assert (version.id, version.kind, version.restored_from) == (3, "rollback", 1)
    assert platform.metadata.export() == snapshot_of(platform, 1)


def test_rollback_restores_a_removed_object_with_its_records(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": "Alpha", "stage": "Won"}])
    platform.metadata.apply(platform.metadata.plan_delete("deal"), author="test", confirm=True)
    platform.metadata.rollback(1, author="test")
    assert "arc_v2_obj_deal" not in tables(platform)
    assert select_all(platform, "deal", "title", "stage") == [("Alpha", "Won")]
    assert indexes(platform, "deal") == {"ix_obj_deal_owner", "ix_obj_deal_updated_at", "ix_obj_deal_deleted_at", "ix_obj_deal_stage"}


def test_rollback_of_a_type_change_brings_back_the_original_values(platform: Platform, apply: Apply) -> None:
    """The archived column comes back as it was, not a re-conversion ("007" stays "007")."""
    apply(make_object("deal", fld("title"), fld("code")))
    insert_rows(platform, "deal", [{"title": "Alpha", "code": "007"}])
    apply(make_object("deal", fld("title"), fld("code", "integer")))
    assert select_all(platform, "deal", "code") == [(7,)]
    platform.metadata.rollback(1, author="test", confirm=True)
    assert select_all(platform, "deal", "code") == [("007",)]


def test_rolling_back_past_an_added_field_archives_it_and_needs_confirmation(
        platform: Platform, apply: Apply) -> None:
    apply(WITHOUT_STAGE)
    apply(DEAL)
    with pytest.raises(ConfirmationRequired):
        platform.metadata.rollback(1, author="test")
    platform.metadata.rollback(1, author="test", confirm=True)
    assert [(a.field, a.archived_in_version) for a in platform.metadata.archives()] == [("stage", 3)]


def test_a_purged_archive_cannot_be_restored_so_rollback_adds_an_empty_column(
        platform: Platform, stage_removed: None) -> None:
    platform.metadata.purge()
    platform.metadata.rollback(1, author="test")
    assert select_all(platform, "deal", "title", "stage") == [("Alpha", None), ("Beta", None)]


def test_rolling_back_to_an_unknown_version_is_not_found(platform: Platform, stage_removed: None) -> None:
    with pytest.raises(NotFound):
        platform.metadata.plan_rollback(7)
    assert head(platform) == 2


def test_rollback_renames_a_renamed_field_back_with_its_values(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": "Alpha", "stage": "Won"}])
    apply(make_object("deal", fld("title"), fld("phase", indexed=True, renamed_from="stage")))
    plan = platform.metadata.plan_rollback(1)
    assert plan.operations[0].kind == "rename_field" and not plan.destructive  # then its label changes back
    platform.metadata.rollback(1, author="test")
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title", "stage"}
    assert select_all(platform, "deal", "title", "stage") == [("Alpha", "Won")]


def test_rollback_follows_object_and_field_renames_across_several_versions(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": "Alpha", "stage": "Won"}])
    apply(make_object("opportunity", fld("title"), fld("stage", indexed=True), renamed_from="deal"))
    apply(make_object("opportunity", fld("name", renamed_from="title"), fld("stage", indexed=True)))
    platform.metadata.rollback(1, author="test")
    assert "obj_deal" in tables(platform) and "obj_opportunity" not in tables(platform)
    assert select_all(platform, "deal", "title", "stage") == [("Alpha", "Won")]
    assert platform.metadata.archives() == []
