"""Updating: partial changes, optimistic locking by version, and stamps only when something changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

import pytest

from metacrm.platform.records import Actor, RecordNotFound, RecordService, VersionConflict
from tests.conftest import fld, make_object
from tests.platform.records.conftest import field_codes

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
T1 = dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(make_object("deal", fld("title", required=True), fld("amount", "currency"),
                      fld("meets_at", "datetime"), fld("tags", "multi_picklist", options=["A", "B"])))


@pytest.fixture
def deal(records: RecordService, alice: Actor) -> dict[str, Any]:
    records.clock = lambda: T0
    created = records.create(alice, "deal", {"title": "Big", "amount": "100", "meets_at": "2026-03-01T10:00:00Z",
                                             "tags": ["A"]})
    records.clock = lambda: T1
    return created


def test_a_partial_update_keeps_the_other_fields(records: RecordService, alice: Actor, deal: dict) -> None:
    updated = records.update(alice, "deal", deal["id"], {"amount": "250.5"})
    stored = records.get(alice, "deal", deal["id"])
    assert stored == updated
    assert stored["amount"] == Decimal("250.50") and stored["title"] == "Big" and stored["tags"] == ["A"]
    assert stored["meets_at"] == deal["meets_at"]


def test_an_update_stamps_who_when_and_the_next_version(records: RecordService, alice: Actor, bob: Actor,
                                                        deal: dict) -> None:
    updated = records.update(bob, "deal", deal["id"], {"title": "Bigger"})
    stored = records.get(bob, "deal", deal["id"])
    assert (stored["version"], stored["updated_by"], stored["updated_at"]) == (2, bob.id, T1)
    assert (stored["created_by"], stored["created_at"], stored["owner"]) == (alice.id, T0, alice.id)
    assert updated["version"] == 2 and updated["updated_at"] == T1


def test_the_expected_version_lets_the_update_through(records: RecordService, alice: Actor, deal: dict) -> None:
    assert records.update(alice, "deal", deal["id"], {"title": "Bigger"}, expected_version=1)["version"] == 2
    assert records.update(alice, "deal", deal["id"], {"title": "Biggest"}, expected_version="2")["version"] == 3


def test_a_stale_version_is_a_conflict_naming_the_current_one(records: RecordService, alice: Actor,
                                                             bob: Actor, deal: dict) -> None:
    records.update(bob, "deal", deal["id"], {"title": "Bob's"}, expected_version=1)
    with pytest.raises(VersionConflict) as info:
        records.update(alice, "deal", deal["id"], {"title": "Alice's"}, expected_version=1)
    assert info.value.status == 409
    assert info.value.extra == {"current_version": 2}
    assert records.get(alice, "deal", deal["id"])["title"] == "Bob's"


def test_an_update_without_an_expected_version_is_not_checked(records: RecordService, alice: Actor,
                                                              deal: dict) -> None:
    records.update(alice, "deal", deal["id"], {"title": "One"})
    assert records.update(alice, "deal", deal["id"], {"title": "Two"})["version"] == 3


@pytest.mark.parametrize("changes", [
    {}, {"title": "Big"}, {"amount": "100.00"}, {"meets_at": "2026-03-01T11:00:00+01:00"}, {"tags": "A"},
])
def test_an_update_that_changes_nothing_keeps_version_and_stamps(records: RecordService, bob: Actor,
                                                                 deal: dict, changes: dict) -> None:
    result = records.update(bob, "deal", deal["id"], changes)
    stored = records.get(bob, "deal", deal["id"])
    assert (stored["version"], stored["updated_at"], stored["updated_by"]) == (1, T0, deal["updated_by"])
    assert result["version"] == 1


def test_a_no_op_update_with_a_stale_version_is_still_a_conflict(records: RecordService, alice: Actor,
                                                                  deal: dict) -> None:
    records.update(alice, "deal", deal["id"], {"title": "Bigger"})
    with pytest.raises(VersionConflict):
        records.update(alice, "deal", deal["id"], {}, expected_version=1)


def test_an_invalid_update_changes_nothing(records: RecordService, alice: Actor, deal: dict) -> None:
    assert field_codes(records.update, alice, "deal", deal["id"], {"title": "", "amount": "lots", "ammount": 1}) \
        == {"title": "required", "amount": "invalid_number", "ammount": "unknown_field"}
    assert records.get(alice, "deal", deal["id"]) == deal


def test_system_fields_cannot_be_changed(records: RecordService, alice: Actor, deal: dict) -> None:
    assert field_codes(records.update, alice, "deal", deal["id"], {"created_by": 1, "updated_at": "2026-01-01"}) \
        == {"created_by": "read_only", "updated_at": "read_only"}


def test_updating_a_record_in_the_recycle_bin_is_not_found(records: RecordService, alice: Actor,
                                                           deal: dict) -> None:
    records.delete(alice, "deal", deal["id"])
    with pytest.raises(RecordNotFound):
        records.update(alice, "deal", deal["id"], {"title": "Ghost"})


@pytest.mark.parametrize("record_id", [999, "abc"])
def test_updating_a_record_that_does_not_exist_is_not_found(records: RecordService, alice: Actor,
                                                            record_id: Any) -> None:
    with pytest.raises(RecordNotFound):
        records.update(alice, "deal", record_id, {"title": "Ghost"})


def test_deleting_with_a_stale_version_is_a_conflict(records: RecordService, alice: Actor, deal: dict) -> None:
    records.update(alice, "deal", deal["id"], {"title": "Bigger"})
    with pytest.raises(VersionConflict) as info:
        records.delete(alice, "deal", deal["id"], expected_version=1)
    assert info.value.extra == {"current_version": 2}
    assert records.get(alice, "deal", deal["id"])["title"] == "Bigger"
