"""Field history: every create, update, delete, restore and purge leaves one row, old → new, in JSON form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.records import Actor, RecordService, VersionConflict
from metacrm.platform.runtime import Platform
from metacrm.platform.security.audit import MAX_TEXT, TRUNCATED
from metacrm.platform.storage.platform_tables import field_history
from tests.conftest import fld, make_object
from tests.platform.records.conftest import make_actor

CRM = {"objects": [
    make_object("company", fld("name", required=True)),
    make_object("deal", fld("title", required=True), fld("amount", "currency"), fld("close_on", "date"),
                fld("notes", "long_text"), fld("stage", "picklist", options=["New", "Won"]),
                fld("company", "lookup", target="company", on_delete="set_null")),
    make_object("line", fld("label"), fld("deal", "master_detail", target="deal")),
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


def history(platform: Platform, object_name: str, record_id: int) -> list[dict[str, Any]]:
    """Every history entry of one record, newest first."""
    return platform.audit.history(object_name, record_id, limit=200).entries


def test_create_records_the_non_empty_initial_values(platform: Platform, records: RecordService,
                                                      alice: Actor) -> None:
    deal = records.create(alice, "deal", {"title": "Big", "amount": "1234.50", "close_on": "2026-03-31",
                                          "stage": None, "notes": ""})
    [entry] = history(platform, "deal", deal["id"])
    assert entry["operation"] == "create"
    assert entry["version"] == 1
    assert entry["actor_id"] == alice.id
    assert entry["at"].endswith("Z")
    assert entry["changes"] == {"title": [None, "Big"], "amount": [None, "1234.50"],
                                "close_on": [None, "2026-03-31"], "owner": [None, alice.id]}


def test_update_records_old_and_new_values_exactly(platform: Platform, records: RecordService,
                                                    alice: Actor) -> None:
    deal = records.create(alice, "deal", {"title": "Big", "amount": "0.10"})
    records.update(alice, "deal", deal["id"], {"amount": Decimal("1234567.89"), "close_on": "2026-01-02"})
    newest = history(platform, "deal", deal["id"])[0]
    assert newest["operation"] == "update"
    assert newest["version"] == 2
    # system fields (updated_at, updated_by, version) are never listed as changes
    assert newest["changes"] == {"amount": ["0.10", "1234567.89"], "close_on": [None, "2026-01-02"]}


def test_an_update_that_changes_nothing_leaves_no_row(platform: Platform, records: RecordService,
                                                       alice: Actor) -> None:
    deal = records.create(alice, "deal", {"title": "Same"})
    records.update(alice, "deal", deal["id"], {"title": "Same"})
    assert [e["operation"] for e in history(platform, "deal", deal["id"])] == ["create"]


def test_long_text_is_truncated_with_a_marker(platform: Platform, records: RecordService, alice: Actor) -> None:
    long = "x" * (MAX_TEXT + 500)
    deal = records.create(alice, "deal", {"title": "Long", "notes": long})
    records.update(alice, "deal", deal["id"], {"notes": "short"})
    update, create = history(platform, "deal", deal["id"])
    assert create["changes"]["notes"] == [None, "x" * MAX_TEXT + TRUNCATED]
    assert update["changes"]["notes"] == ["x" * MAX_TEXT + TRUNCATED, "short"]
    assert update["changes"]["notes"][0].endswith(TRUNCATED)


def test_a_failed_write_leaves_no_history(platform: Platform, records: RecordService, alice: Actor) -> None:
    deal = records.create(alice, "deal", {"title": "Locked"})
    with pytest.raises(VersionConflict):
        records.update(alice, "deal", deal["id"], {"title": "Late"}, expected_version=7)
    assert len(history(platform, "deal", deal["id"])) == 1


def test_delete_restore_and_purge_are_recorded(platform: Platform, records: RecordService, alice: Actor) -> None:
    deal = records.create(alice, "deal", {"title": "Cycle"})
    records.delete(alice, "deal", deal["id"])
    restored = records.restore(alice, "deal", deal["id"])
    records.delete(alice, "deal", deal["id"])
    records.purge(alice, "deal", deal["id"])
    entries = history(platform, "deal", deal["id"])
    assert [e["operation"] for e in entries] == ["purge", "delete", "restore", "delete", "create"]
    assert all(e["changes"] == {} for e in entries[:4])
    assert all(e["actor_id"] == alice.id for e in entries)
    assert entries[3]["version"] == 2  # the delete stamped version 2
    assert entries[2]["version"] == restored["version"] == 3


def test_cascaded_details_get_their_own_rows(platform: Platform, records: RecordService, alice: Actor) -> None:
    deal = records.create(alice, "deal", {"title": "Master"})
    line = records.create(alice, "line", {"label": "L1", "deal": deal["id"]})
    records.delete(alice, "deal", deal["id"])
    records.restore(alice, "deal", deal["id"])
    records.delete(alice, "deal", deal["id"])
    records.purge(alice, "deal", deal["id"])
    assert [e["operation"] for e in history(platform, "line", line["id"])] == [
        "purge", "delete", "restore", "delete", "create"]


def test_set_null_on_delete_is_recorded_as_an_update(platform: Platform, records: RecordService,
                                                     alice: Actor) -> None:
    company = records.create(alice, "company", {"name": "Acme"})
    deal = records.create(alice, "deal", {"title": "Linked", "company": company["id"]})
    records.delete(alice, "company", company["id"])
    newest = history(platform, "deal", deal["id"])[0]
    assert newest["operation"] == "update"
    assert newest["changes"] == {"company": [company["id"], None]}
    assert newest["version"] == records.get(alice, "deal", deal["id"])["version"] == 2


def test_history_is_newest_first_and_pages_by_cursor(platform: Platform, records: RecordService,
                                                     alice: Actor) -> None:
    deal = records.create(alice, "deal", {"title": "v1"})
    for n in range(2, 6):
        records.update(alice, "deal", deal["id"], {"title": f"v{n}"})
    first = platform.audit.history("deal", deal["id"], limit=2)
    assert [e["changes"]["title"][1] for e in first.entries] == ["v5", "v4"]
    second = platform.audit.history("deal", deal["id"], limit=2, before_id=int(first.next_cursor or 0))
    assert [e["changes"]["title"][1] for e in second.entries] == ["v3", "v2"]
    third = platform.audit.history("deal", deal["id"], limit=2, before_id=int(second.next_cursor or 0))
    assert [e["operation"] for e in third.entries] == ["create"]
    assert third.next_cursor is None


def test_history_of_one_record_ignores_others(platform: Platform, records: RecordService, alice: Actor) -> None:
    """Ids repeat across objects: history is keyed by object and id."""
    company = records.create(alice, "company", {"name": "Same id"})
    deal = records.create(alice, "deal", {"title": "Same id"})
    assert company["id"] == deal["id"]
    assert [e["changes"] for e in history(platform, "company", company["id"])] == [
        {"name": [None, "Same id"], "owner": [None, alice.id]}]


def test_bulk_writes_record_one_row_per_record(platform: Platform, records: RecordService, alice: Actor) -> None:
    result = records.bulk_create(alice, "deal", [{"title": f"T{i}"} for i in range(3)])
    records.bulk_update(alice, "deal", [{"id": r["id"], "title": "Same"} for r in result.records])
    with platform.engine.connect() as conn:
        rows = conn.execute(sa.select(field_history.c.operation, sa.func.count())
                            .group_by(field_history.c.operation)).all()
    assert dict(rows) == {"create": 3, "update": 3}


def test_a_field_can_be_left_out_of_the_history(platform: Platform, apply: Callable[..., Any],
                                                records: RecordService, alice: Actor) -> None:
    apply(make_object("ticket", fld("subject"), fld("last_viewed_note", track_history=False)))
    ticket = records.create(alice, "ticket", {"subject": "Printer", "last_viewed_note": "a"})
    records.update(alice, "ticket", ticket["id"], {"subject": "Printer on fire", "last_viewed_note": "b"})
    records.update(alice, "ticket", ticket["id"], {"last_viewed_note": "c"})
    entries = history(platform, "ticket", ticket["id"])
    assert [e["operation"] for e in entries] == ["update", "create"]  # the untracked-only update left no row
    assert all("last_viewed_note" not in e["changes"] for e in entries)
    assert entries[0]["changes"] == {"subject": ["Printer", "Printer on fire"]}
