"""Each trigger type fires on the record events it names, and the condition sees old and new values."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

from .conftest import runs

Apply = Callable[..., Any]
STAGES = ["New", "Open", "Won", "Lost"]


def deal_with(apply: Apply, trigger: dict[str, Any], condition: str | None = None) -> None:
    wf: dict[str, Any] = {"name": "mark", "trigger": trigger,
                          "actions": [{"type": "create_record", "object": "note",
                                       "fields": {"text": "=concat(name, ' ', str(stage))"}}]}
    if condition:
        wf["condition"] = condition
    apply({"objects": [make_object("note", fld("text")),
                       make_object("deal", fld("name"), fld("stage", "picklist", options=STAGES),
                                   fld("amount", "integer"), workflows=[wf])]})


def notes(records: RecordService, actor: Actor) -> list[str]:
    return [n["text"] for n in records.reader.list(actor, "note", {"sort": "id"}).records]


@pytest.mark.parametrize(("trigger", "expected"), [
    ("created", ["A New"]),
    ("updated", ["A Open", "A Won"]),
    ("created_or_updated", ["A New", "A Open", "A Won"]),
])
def test_created_and_updated_triggers(apply: Apply, records: RecordService, alice: Actor, trigger: str,
                                      expected: list[str]) -> None:
    deal_with(apply, {"type": trigger})
    deal = records.create(alice, "deal", {"name": "A", "stage": "New"})
    records.update(alice, "deal", deal["id"], {"stage": "Open"})
    records.update(alice, "deal", deal["id"], {"stage": "Won"})
    assert notes(records, alice) == expected


def test_a_field_changed_trigger_fires_only_for_that_field_and_the_values_named(
        apply: Apply, records: RecordService, alice: Actor) -> None:
    deal_with(apply, {"type": "field_changed", "field": "stage", "from": "Open", "to": ["Won", "Lost"]})
    deal = records.create(alice, "deal", {"name": "A", "stage": "New"})
    records.update(alice, "deal", deal["id"], {"stage": "Won"})  # from New: not watched
    records.update(alice, "deal", deal["id"], {"stage": "Open"})
    records.update(alice, "deal", deal["id"], {"amount": 5})  # another field
    records.update(alice, "deal", deal["id"], {"stage": "Lost"})
    assert notes(records, alice) == ["A Lost"]


def test_a_deleted_trigger_sees_the_record_as_it_was(apply: Apply, records: RecordService, alice: Actor) -> None:
    deal_with(apply, {"type": "deleted"})
    deal = records.create(alice, "deal", {"name": "Gone", "stage": "Open"})
    records.delete(alice, "deal", deal["id"])
    assert notes(records, alice) == ["Gone Open"]


def test_the_condition_compares_old_and_new_values(apply: Apply, records: RecordService, alice: Actor,
                                                   platform: Platform) -> None:
    deal_with(apply, {"type": "updated"}, condition="amount > old.amount * 2")
    deal = records.create(alice, "deal", {"name": "A", "stage": "New", "amount": 10})
    records.update(alice, "deal", deal["id"], {"amount": 15})
    records.update(alice, "deal", deal["id"], {"amount": 40})
    assert notes(records, alice) == ["A New"]
    [run] = runs(platform, workflow="mark")  # a false condition is not a run
    assert (run["status"], run["condition_result"], run["trigger"]) == ("succeeded", True, "record.updated")


def test_a_condition_that_cannot_run_is_logged_and_does_not_block_the_save(
        apply: Apply, records: RecordService, alice: Actor, platform: Platform) -> None:
    deal_with(apply, {"type": "created"}, condition="amount > 1")
    deal = records.create(alice, "deal", {"name": "A", "stage": "New"})  # amount is empty: None > 1 fails
    assert records.get(alice, "deal", deal["id"])["name"] == "A"
    [run] = runs(platform, workflow="mark")
    assert run["status"] == "error" and "could not run" in run["error"]


def test_an_inactive_workflow_does_nothing(apply: Apply, records: RecordService, alice: Actor) -> None:
    apply({"objects": [make_object("note", fld("text")), make_object("deal", fld("name"), workflows=[
        {"name": "off", "active": False, "trigger": {"type": "created"},
         "actions": [{"type": "create_record", "object": "note", "fields": {"text": "x"}}]}])]})
    records.create(alice, "deal", {"name": "A"})
    assert notes(records, alice) == []
