"""Writes nested in another write's transaction: they take the whole pipeline and share its fate."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import Actor, RecordEvent, RecordInvalid, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import row_count


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [
        make_object("account", fld("name", required=True), fld("tier", "integer")),
        make_object("task", fld("subject", required=True), fld("account", "lookup", target="account")),
    ]})


def follow_up(records: RecordService, subject: str = "Call the new account") -> Callable[[RecordEvent], None]:
    def listener(event: RecordEvent) -> None:
        assert event.conn is not None
        if event.object == "account":
            records.create_in(event.conn, event.actor, "task",
                              {"subject": subject, "account": event.record_id})
    return listener


def test_a_record_created_in_an_event_commits_with_the_write_and_is_announced_after_it(
        records: RecordService, alice: Actor) -> None:
    seen: list[tuple[str, str]] = []
    records.bus.listen("record.created", follow_up(records), phase="in_transaction")
    records.bus.listen("*", lambda e: seen.append((e.name, e.object)))
    account = records.create(alice, "account", {"name": "Acme"})
    [task] = records.reader.list(alice, "task", {}).records
    assert task["account"] == account["id"] and task["subject"] == "Call the new account"
    assert sorted(seen) == [("record.created", "account"), ("record.created", "task")]


def test_a_nested_write_that_fails_validation_rolls_back_the_outer_write(
        records: RecordService, alice: Actor, platform: Platform) -> None:
    records.bus.listen("record.created", follow_up(records, subject=""), phase="in_transaction")
    with pytest.raises(RecordInvalid) as caught:
        records.create(alice, "account", {"name": "Acme"})
    assert caught.value.extra["errors"][0]["field"] == "subject"
    assert row_count(platform, "account") == 0 and row_count(platform, "task") == 0


def test_a_nested_update_runs_inside_the_same_transaction(records: RecordService, alice: Actor) -> None:
    def bump(event: RecordEvent) -> None:
        if event.object == "task":
            records.update_in(event.conn, event.actor, "account", event.record["account"], {"tier": 2})
    records.bus.listen("record.created", bump, phase="in_transaction")
    account = records.create(alice, "account", {"name": "Acme"})
    records.create(alice, "task", {"subject": "Kick-off", "account": account["id"]})
    assert records.get(alice, "account", account["id"])["tier"] == 2


def test_a_nested_write_needs_a_write_in_progress(records: RecordService, alice: Actor, platform: Platform) -> None:
    with platform.engine.connect() as conn, pytest.raises(RuntimeError, match="write in progress"):
        records.create_in(conn, alice, "account", {"name": "Acme"})

