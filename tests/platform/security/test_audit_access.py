"""The access log: every read of a sensitive object (one with a sensitive field) leaves one row per call."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.security.audit import is_sensitive
from tests.conftest import fld, make_object
from tests.platform.records.conftest import make_actor

CRM = {"objects": [
    make_object("company", fld("name", required=True), search_fields=["name"]),
    make_object("patient", fld("name", required=True), fld("diagnosis", sensitive=True),
                fld("ssn", sensitive=True), fld("company", "lookup", target="company", on_delete="set_null"),
                search_fields=["name"]),
]}


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(CRM)


@pytest.fixture
def alice(platform: Platform) -> Actor:
    return make_actor(platform, "alice@example.com")


@pytest.fixture
def records(platform: Platform) -> RecordService:
    return platform.records


@pytest.fixture
def data(records: RecordService, alice: Actor) -> dict[str, Any]:
    acme = records.create(alice, "company", {"name": "Acme"})
    ann = records.create(alice, "patient", {"name": "Ann", "diagnosis": "flu", "company": acme["id"]})
    bob = records.create(alice, "patient", {"name": "Bob", "ssn": "123"})
    return {"acme": acme["id"], "ann": ann["id"], "bob": bob["id"]}


def log(platform: Platform, object_name: str | None = None) -> list[dict[str, Any]]:
    """The access log, oldest first."""
    return list(reversed(platform.audit.access(object_name=object_name, limit=200).entries))


def test_an_object_is_sensitive_when_any_field_is(platform: Platform) -> None:
    objects = platform.schema.get().compiled.objects
    assert is_sensitive(objects["patient"]) and not is_sensitive(objects["company"])


def test_writes_are_not_reads(platform: Platform, data: dict[str, Any]) -> None:
    assert log(platform) == []


def test_viewing_a_sensitive_record_is_logged_with_its_purpose(platform: Platform, records: RecordService,
                                                                alice: Actor, data: dict[str, Any]) -> None:
    records.get(alice, "patient", data["ann"], purpose="billing query #42")
    [row] = log(platform)
    assert row["action"] == "view"
    assert row["actor_id"] == alice.id
    assert row["object"] == "patient"
    assert row["record_ids"] == [data["ann"]]
    assert row["fields"] == ["diagnosis", "ssn"]
    assert row["purpose"] == "billing query #42"
    assert row["at"].endswith("Z")


def test_a_list_is_one_row_with_every_id_returned(platform: Platform, records: RecordService, alice: Actor,
                                                  data: dict[str, Any]) -> None:
    records.reader.list(alice, "patient", {"sort": "name"})
    [row] = log(platform)
    assert (row["action"], row["record_ids"], row["purpose"]) == ("list", [data["ann"], data["bob"]], "")


def test_a_projection_without_sensitive_fields_logs_none(platform: Platform, records: RecordService,
                                                         alice: Actor, data: dict[str, Any]) -> None:
    records.reader.list(alice, "patient", {"fields": "name", "sort": "name"})
    records.reader.list(alice, "patient", {"fields": "name,ssn", "sort": "name"})
    first, second = log(platform)
    assert first["fields"] == [] and second["fields"] == ["ssn"]
    assert first["record_ids"] == second["record_ids"] == [data["ann"], data["bob"]]


def test_an_empty_list_is_still_a_logged_read(platform: Platform, records: RecordService, alice: Actor,
                                              data: dict[str, Any]) -> None:
    records.reader.list(alice, "patient", {"name": "Nobody"})
    assert [(r["action"], r["record_ids"]) for r in log(platform)] == [("list", [])]


def test_related_lists_of_sensitive_children_are_logged(platform: Platform, records: RecordService,
                                                        alice: Actor, data: dict[str, Any]) -> None:
    records.reader.related(alice, "company", data["acme"], "patient", {}, purpose="audit")
    [row] = log(platform)
    assert (row["action"], row["record_ids"], row["purpose"]) == ("list", [data["ann"]], "audit")


def test_search_logs_the_sensitive_hits_only(platform: Platform, records: RecordService, alice: Actor,
                                            data: dict[str, Any]) -> None:
    records.reader.search(alice, "Ann", purpose="lookup")
    records.reader.search(alice, "Acme")  # only a company matches: nothing sensitive was seen
    [row] = log(platform)
    assert (row["action"], row["object"], row["record_ids"], row["purpose"]) == (
        "search", "patient", [data["ann"]], "lookup")


def test_reads_of_other_objects_are_not_logged(platform: Platform, records: RecordService, alice: Actor,
                                               data: dict[str, Any]) -> None:
    records.get(alice, "company", data["acme"])
    records.reader.list(alice, "company", {})
    assert log(platform) == []


def test_the_log_filters_by_object_and_pages_newest_first(platform: Platform, records: RecordService,
                                                          alice: Actor, data: dict[str, Any]) -> None:
    for purpose in ("one", "two", "three"):
        records.get(alice, "patient", data["bob"], purpose=purpose)
    page = platform.audit.access(object_name="patient", limit=2)
    assert [r["purpose"] for r in page.entries] == ["three", "two"]
    rest = platform.audit.access(object_name="patient", limit=2, before_id=int(page.next_cursor or 0))
    assert [r["purpose"] for r in rest.entries] == ["one"] and rest.next_cursor is None
    assert platform.audit.access(object_name="company").entries == []
