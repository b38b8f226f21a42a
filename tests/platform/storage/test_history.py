"""Every applied change is a version recording who, why, when and what changed, with a full snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from metacrm.platform.runtime import Platform
from metacrm.platform.storage import store
from tests.conftest import fld, make_object

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title"))
WITH_STAGE = make_object("deal", fld("title"), fld("stage"))


def apply_as(platform: Platform, document: Any, author: str, reason: str = "") -> store.VersionInfo:
    version = platform.metadata.apply(platform.metadata.plan(document), author=author, reason=reason, confirm=True)
    assert version is not None
    return version


def test_a_version_records_its_author_and_reason(platform: Platform) -> None:
    apply_as(platform, DEAL, "alice@example.com", "Track deals")
    [version] = platform.metadata.history()
    assert (version.id, version.author, version.reason, version.kind) == (1, "alice@example.com", "Track deals",
                                                                          "apply")


def test_a_version_records_when_it_was_applied_in_utc(platform: Platform) -> None:
    before = dt.datetime.now(dt.timezone.utc)
    apply_as(platform, DEAL, "alice@example.com")
    after = dt.datetime.now(dt.timezone.utc)
    created = dt.datetime.fromisoformat(platform.metadata.history()[0].to_json()["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert before - dt.timedelta(seconds=1) <= created <= after + dt.timedelta(seconds=1)


def test_a_version_records_the_operations_it_ran(platform: Platform) -> None:
    apply_as(platform, DEAL, "alice@example.com")
    apply_as(platform, WITH_STAGE, "bob@example.com")
    assert platform.metadata.history()[0].diff == [
        {"kind": "add_field", "object": "deal", "field": "stage", "destructive": False,
         "summary": "add text field deal.stage"}]


def test_history_lists_versions_newest_first(platform: Platform) -> None:
    apply_as(platform, DEAL, "alice@example.com", "first")
    apply_as(platform, WITH_STAGE, "bob@example.com", "second")
    assert [(v.id, v.author, v.reason) for v in platform.metadata.history()] == [
        (2, "bob@example.com", "second"), (1, "alice@example.com", "first")]
    assert [v.id for v in platform.metadata.history(limit=1)] == [2]


def test_each_version_keeps_a_snapshot_of_the_whole_metadata(platform: Platform) -> None:
    apply_as(platform, DEAL, "alice@example.com")
    at_one = platform.metadata.export()
    apply_as(platform, WITH_STAGE, "bob@example.com")
    with platform.engine.connect() as conn:
        assert store.load_snapshot(conn, 1) == at_one
        assert store.load_snapshot(conn, 2) == platform.metadata.export()


def test_a_rollback_is_recorded_with_the_version_it_restores(platform: Platform) -> None:
    apply_as(platform, DEAL, "alice@example.com")
    apply_as(platform, WITH_STAGE, "alice@example.com")
    platform.metadata.rollback(1, author="bob@example.com", confirm=True)
    latest = platform.metadata.history()[0]
    assert (latest.id, latest.kind, latest.restored_from, latest.author, latest.reason) == (
        3, "rollback", 1, "bob@example.com", "restore version 1")
    assert [(op["kind"], op["field"]) for op in latest.diff] == [("remove_field", "stage")]


def test_a_change_that_does_nothing_records_no_version(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    assert apply(DEAL) is None
    assert len(platform.metadata.history()) == 1
