"""Record events: in-transaction listeners share the write's fate; after-commit ones see only durable changes."""

from __future__ import annotations

import logging
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.records import SYSTEM, Actor, RecordEvent, RecordInvalid, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import row_count


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [
        make_object("account", fld("name", required=True), fld("tier", "integer")),
        make_object("contact", fld("name"), fld("account", "master_detail", target="account")),
    ]})


@pytest.fixture
def seen(records: RecordService) -> list[RecordEvent]:
    """Every after-commit event, in order."""
    events: list[RecordEvent] = []
    records.bus.listen("*", events.append)
    return events


def names(events: list[RecordEvent]) -> list[tuple[str, str, int]]:
    return [(e.name, e.object, e.record_id) for e in events]


def refuse(event: RecordEvent) -> None:
    raise RuntimeError("the workflow refused")


def test_a_create_is_announced_with_the_record_and_actor(records: RecordService, alice: Actor,
                                                         seen: list[RecordEvent]) -> None:
    created = records.create(alice, "account", {"name": "Acme"})
    [event] = seen
    assert (event.name, event.object, event.record_id, event.actor) == ("record.created", "account",
                                                                        created["id"], alice)
    assert event.record == created and event.previous is None and event.conn is None


def test_an_update_is_announced_with_the_changed_fields_and_the_previous_values(
        records: RecordService, seen: list[RecordEvent]) -> None:
    created = records.create(SYSTEM, "account", {"name": "Acme", "tier": 1})
    records.update(SYSTEM, "account", created["id"], {"name": "Acme Inc", "tier": 1})
    event = seen[-1]
    assert event.name == "record.updated" and event.changed == ("name",)
    assert event.previous is not None and event.previous["name"] == "Acme" and event.previous["version"] == 1
    assert event.record is not None and event.record["name"] == "Acme Inc" and event.record["version"] == 2


def test_an_update_that_changes_nothing_is_not_announced(records: RecordService, seen: list[RecordEvent]) -> None:
    created = records.create(SYSTEM, "account", {"name": "Acme"})
    records.update(SYSTEM, "account", created["id"], {"name": "Acme"})
    assert names(seen) == [("record.created", "account", created["id"])]


def test_a_delete_announces_the_record_and_each_cascaded_detail(records: RecordService,
                                                                seen: list[RecordEvent]) -> None:
    account = records.create(SYSTEM, "account", {"name": "Acme"})
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "account": account["id"]})["id"]
    seen.clear()
    records.delete(SYSTEM, "account", account["id"])
    assert names(seen) == [("record.deleted", "account", account["id"]), ("record.deleted", "contact", contact)]
    assert seen[0].previous == account and seen[0].record is None
    assert seen[1].previous is None  # only the record asked for was read


def test_a_restore_announces_every_record_but_carries_only_the_one_asked_for(
        records: RecordService, seen: list[RecordEvent]) -> None:
    account = records.create(SYSTEM, "account", {"name": "Acme"})["id"]
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "account": account})["id"]
    assert contact == account  # the same id in two objects must not be confused
    records.delete(SYSTEM, "account", account)
    seen.clear()
    restored = records.restore(SYSTEM, "account", account)
    assert names(seen) == [("record.restored", "account", account), ("record.restored", "contact", contact)]
    assert seen[0].record == restored and seen[1].record is None


def test_a_purge_announces_every_removed_record(records: RecordService, seen: list[RecordEvent]) -> None:
    account = records.create(SYSTEM, "account", {"name": "Acme"})["id"]
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "account": account})["id"]
    records.delete(SYSTEM, "account", account)
    seen.clear()
    records.purge(SYSTEM, "account", account)
    assert names(seen) == [("record.purged", "account", account), ("record.purged", "contact", contact)]
    assert all(e.record is None for e in seen)


def test_listeners_hear_only_the_event_they_listen_for(records: RecordService) -> None:
    updates: list[RecordEvent] = []
    records.bus.listen("record.updated", updates.append)
    created = records.create(SYSTEM, "account", {"name": "Acme"})
    records.update(SYSTEM, "account", created["id"], {"name": "Acme Inc"})
    records.delete(SYSTEM, "account", created["id"])
    assert [e.name for e in updates] == ["record.updated"]


def test_an_after_commit_listener_reads_the_committed_record(records: RecordService) -> None:
    read: list[dict[str, Any]] = []
    records.bus.listen("record.created", lambda e: read.append(records.get(SYSTEM, e.object, e.record_id)))
    created = records.create(SYSTEM, "account", {"name": "Acme"})
    assert read == [created]


def test_an_invalid_write_is_not_announced(records: RecordService, seen: list[RecordEvent]) -> None:
    with pytest.raises(RecordInvalid):
        records.create(SYSTEM, "account", {"name": ""})
    with pytest.raises(RecordInvalid):
        records.bulk_create(SYSTEM, "account", [{"name": "Acme"}, {"tier": "top"}])
    assert seen == []


def test_an_in_transaction_listener_runs_inside_the_write(platform: Platform, records: RecordService) -> None:
    found: list[Any] = []

    def look(event: RecordEvent) -> None:
        assert event.conn is not None
        table = platform.schema.get().tables["account"]
        found.append(event.conn.execute(sa.select(table.c.name).where(table.c.id == event.record_id)).scalar())

    records.bus.listen("record.created", look, phase="in_transaction")
    records.create(SYSTEM, "account", {"name": "Acme"})
    assert found == ["Acme"]


def test_an_in_transaction_listener_that_raises_rolls_the_create_back(
        platform: Platform, records: RecordService, seen: list[RecordEvent]) -> None:
    records.bus.listen("record.created", refuse, phase="in_transaction")
    with pytest.raises(RuntimeError, match="the workflow refused"):
        records.create(SYSTEM, "account", {"name": "Acme"})
    assert row_count(platform, "account") == 0
    assert seen == []


def test_an_in_transaction_listener_that_raises_rolls_back_the_whole_batch(
        platform: Platform, records: RecordService, seen: list[RecordEvent]) -> None:
    def refuse_second(event: RecordEvent) -> None:
        if event.record and event.record["name"] == "Second":
            raise RuntimeError("no")

    records.bus.listen("record.created", refuse_second, phase="in_transaction")
    with pytest.raises(RuntimeError):
        records.bulk_create(SYSTEM, "account", [{"name": "First"}, {"name": "Second"}])
    assert row_count(platform, "account") == 0
    assert seen == []


def test_an_in_transaction_listener_that_raises_rolls_the_update_back(
        records: RecordService, seen: list[RecordEvent]) -> None:
    created = records.create(SYSTEM, "account", {"name": "Acme"})
    records.bus.listen("record.updated", refuse, phase="in_transaction")
    with pytest.raises(RuntimeError):
        records.update(SYSTEM, "account", created["id"], {"name": "Acme Inc"})
    assert records.get(SYSTEM, "account", created["id"]) == created
    assert names(seen) == [("record.created", "account", created["id"])]


def test_an_in_transaction_listener_that_raises_rolls_the_delete_back(records: RecordService) -> None:
    account = records.create(SYSTEM, "account", {"name": "Acme"})["id"]
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "account": account})["id"]
    records.bus.listen("record.deleted", refuse, phase="in_transaction")
    with pytest.raises(RuntimeError):
        records.delete(SYSTEM, "account", account)
    assert records.get(SYSTEM, "contact", contact)["name"] == "Ann"


def test_a_failing_after_commit_listener_does_not_fail_the_call(
        records: RecordService, caplog: pytest.LogCaptureFixture) -> None:
    later: list[RecordEvent] = []
    records.bus.listen("record.created", refuse)
    records.bus.listen("record.created", later.append)
    with caplog.at_level(logging.ERROR, logger="metacrm.platform.records.events"):
        created = records.create(SYSTEM, "account", {"name": "Acme"})
    assert records.get(SYSTEM, "account", created["id"]) == created
    assert [e.record_id for e in later] == [created["id"]]
    assert "after-commit listener" in caplog.text and "record.created account" in caplog.text


@pytest.mark.parametrize("name, phase", [("record.saved", "after_commit"), ("record.created", "before_commit")])
def test_listening_to_an_unknown_event_or_phase_is_refused(records: RecordService, name: str, phase: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        records.bus.listen(name, print, phase=phase)
