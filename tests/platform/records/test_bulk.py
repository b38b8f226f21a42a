"""Bulk writes: all-or-nothing by default, or partial, with every failed row reported by its position."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, Actor, RecordInvalid, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import row_count

ROWS = [{"name": "Ann", "age": 30}, {"name": "", "age": 31}, {"name": "Cy", "age": "old"}, {"name": "Di"}]


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(make_object("person", fld("name", required=True), fld("age", "integer"),
                      fld("active", "boolean", default=True)))


def test_a_bulk_create_writes_every_row_in_order(records: RecordService, alice: Actor) -> None:
    result = records.bulk_create(alice, "person", [{"name": "Ann"}, {"name": "Bo", "active": False}])
    assert [(r["name"], r["active"], r["created_by"]) for r in result.records] == \
        [("Ann", True, alice.id), ("Bo", False, alice.id)]
    assert result.errors == []
    assert [records.get(alice, "person", r["id"])["name"] for r in result.records] == ["Ann", "Bo"]


def test_rows_of_one_batch_may_name_different_fields(records: RecordService) -> None:
    result = records.bulk_create(SYSTEM, "person", [{"name": "Ann", "age": 30}, {"name": "Bo"},
                                                    {"name": "Cy", "active": False}])
    assert [(r["name"], r["age"], r["active"]) for r in result.records] == \
        [("Ann", 30, True), ("Bo", None, True), ("Cy", None, False)]
    assert [records.get(SYSTEM, "person", r["id"])["age"] for r in result.records] == [30, None, None]


def test_all_or_nothing_writes_nothing_when_one_row_fails(platform: Platform, records: RecordService) -> None:
    with pytest.raises(RecordInvalid) as info:
        records.bulk_create(SYSTEM, "person", ROWS)
    assert info.value.detail == "2 of 4 row(s) are invalid; nothing was saved"
    assert info.value.extra["rows"] == [
        {"index": 1, "errors": [{"field": "name", "code": "required", "message": "is required"}]},
        {"index": 2, "errors": [{"field": "age", "code": "invalid_integer", "message": "must be a whole number"}]},
    ]
    assert row_count(platform, "person") == 0


def test_partial_mode_writes_the_valid_rows_and_returns_the_errors(platform: Platform,
                                                                    records: RecordService) -> None:
    result = records.bulk_create(SYSTEM, "person", ROWS, all_or_nothing=False)
    assert [r["name"] for r in result.records] == ["Ann", "Di"]
    assert [(e["index"], [x["field"] for x in e["errors"]]) for e in result.errors] == [(1, ["name"]), (2, ["age"])]
    assert row_count(platform, "person") == 2


def test_partial_mode_with_every_row_invalid_writes_nothing(platform: Platform, records: RecordService) -> None:
    result = records.bulk_create(SYSTEM, "person", [{"age": 1}, "Ann"], all_or_nothing=False)
    assert result.records == []
    assert [(e["index"], e["errors"][0]["code"]) for e in result.errors] == [(0, "required"), (1, "invalid_record")]
    assert row_count(platform, "person") == 0


def test_a_row_with_several_problems_reports_them_all(records: RecordService) -> None:
    with pytest.raises(RecordInvalid) as info:
        records.bulk_create(SYSTEM, "person", [{"name": "Ann"}, {"age": "x", "nmae": "Bo"}])
    [row] = info.value.extra["rows"]
    assert row["index"] == 1
    assert {e["field"]: e["code"] for e in row["errors"]} == \
        {"age": "invalid_integer", "nmae": "unknown_field", "name": "required"}


@pytest.fixture
def people(records: RecordService) -> list[dict[str, Any]]:
    return records.bulk_create(SYSTEM, "person", [{"name": "Ann", "age": 30}, {"name": "Bo", "age": 40}]).records


def test_a_bulk_update_applies_each_change_with_its_version(records: RecordService, alice: Actor,
                                                            people: list[dict]) -> None:
    ann, bo = people
    result = records.bulk_update(alice, "person", [{"id": ann["id"], "version": 1, "age": 31},
                                                   {"id": bo["id"], "name": "Bob"}])
    assert [(r["name"], r["age"], r["version"], r["updated_by"]) for r in result.records] == \
        [("Ann", 31, 2, alice.id), ("Bob", 40, 2, alice.id)]
    assert records.get(alice, "person", bo["id"])["name"] == "Bob"


def test_a_bulk_update_is_all_or_nothing_by_default(records: RecordService, people: list[dict]) -> None:
    ann, bo = people
    with pytest.raises(RecordInvalid) as info:
        records.bulk_update(SYSTEM, "person", [{"id": ann["id"], "age": 31}, {"id": bo["id"], "age": "old"},
                                               {"id": 999, "age": 1}, {"id": ann["id"], "version": 1, "age": 32}])
    failed = info.value.extra["rows"]
    assert [(f["index"], f["id"], f["status"]) for f in failed] == \
        [(1, bo["id"], 422), (2, 999, 404), (3, ann["id"], 409)]
    assert failed[0]["errors"] == [{"field": "age", "code": "invalid_integer", "message": "must be a whole number"}]
    assert failed[2]["detail"].startswith(f"Person #{ann['id']} was changed by someone else")
    assert [records.get(SYSTEM, "person", p["id"])["age"] for p in people] == [30, 40]


def test_a_partial_bulk_update_saves_the_valid_changes(records: RecordService, people: list[dict]) -> None:
    ann, bo = people
    result = records.bulk_update(SYSTEM, "person", [{"id": ann["id"], "age": 31}, {"id": bo["id"], "name": ""}],
                                 all_or_nothing=False)
    assert [r["id"] for r in result.records] == [ann["id"]]
    assert [(e["index"], e["id"], e["status"], e["errors"][0]["code"]) for e in result.errors] == \
        [(1, bo["id"], 422, "required")]
    assert records.get(SYSTEM, "person", ann["id"])["age"] == 31
    assert records.get(SYSTEM, "person", bo["id"])["name"] == "Bo"


def test_later_updates_in_a_batch_see_the_earlier_ones(records: RecordService, people: list[dict]) -> None:
    ann, _ = people
    result = records.bulk_update(SYSTEM, "person", [{"id": ann["id"], "version": 1, "age": 31},
                                                    {"id": ann["id"], "version": 2, "age": 32}])
    assert [r["version"] for r in result.records] == [2, 3]
    assert records.get(SYSTEM, "person", ann["id"])["age"] == 32
