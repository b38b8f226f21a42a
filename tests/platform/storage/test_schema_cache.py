"""Each process caches the compiled schema per head version and sees other processes' changes at once."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import insert_rows, select_all

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title"))


@pytest.fixture
def worker(database_url: str) -> Iterator[Platform]:
    """A second platform on the same database, as another gunicorn worker would hold."""
    other = Platform.from_url(database_url)
    yield other
    other.engine.dispose()


def test_a_change_applied_by_one_platform_is_seen_by_another_on_its_next_call(
        platform: Platform, apply: Apply, worker: Platform) -> None:
    assert worker.schema.get().version == 0
    apply(DEAL)
    assert worker.schema.get().version == 1
    assert "deal" in worker.schema.get().compiled.objects
    assert worker.metadata.current().compiled.objects["deal"].fields.keys() == {"title"}


def test_the_other_platform_can_use_the_new_table_without_restart(
        platform: Platform, apply: Apply, worker: Platform) -> None:
    worker.schema.get()
    apply(DEAL)
    apply(make_object("deal", fld("title"), fld("stage")))
    insert_rows(worker, "deal", [{"title": "Alpha", "stage": "Won"}])
    assert select_all(platform, "deal", "title", "stage") == [("Alpha", "Won")]


def test_a_removed_field_disappears_from_the_other_platform_s_tables(
        platform: Platform, apply: Apply, worker: Platform) -> None:
    apply(make_object("deal", fld("title"), fld("stage")))
    assert "stage" in worker.schema.get().tables["deal"].c
    apply(DEAL)
    assert "stage" not in worker.schema.get().tables["deal"].c


def test_the_cache_does_not_rebuild_while_the_version_stays(
        platform: Platform, apply: Apply, worker: Platform) -> None:
    apply(DEAL)
    first = worker.schema.get()
    builds = worker.schema.builds
    assert [worker.schema.get() for _ in range(5)] == [first] * 5
    assert worker.metadata.current() is first
    assert worker.schema.builds == builds


def test_the_cache_rebuilds_once_per_new_version(platform: Platform, apply: Apply, worker: Platform) -> None:
    apply(DEAL)
    worker.schema.get()
    builds = worker.schema.builds
    apply(make_object("deal", fld("title"), fld("stage")))
    worker.schema.get()
    worker.schema.get()
    assert worker.schema.builds == builds + 1


def test_the_applying_platform_sees_its_own_change_immediately(platform: Platform, apply: Apply) -> None:
    platform.schema.get()
    apply(DEAL)
    assert platform.schema.get().version == 1
    assert "deal" in platform.schema.get().tables.tables


def test_an_empty_plan_does_not_invalidate_the_cache(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    cached = platform.schema.get()
    assert apply(DEAL) is None
    assert platform.schema.get() is cached
