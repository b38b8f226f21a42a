"""Restore brings back a record with exactly the details deleted with it; purge empties the bin for good."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest

from metacrm.platform.errors import Conflict
from metacrm.platform.records import SYSTEM, Actor, DeleteRestricted, RecordNotFound, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import row_count

CRM = {"objects": [
    make_object("account", fld("name")),
    make_object("contact", fld("name"), fld("account", "master_detail", target="account")),
    make_object("note", fld("body"), fld("contact", "master_detail", target="contact")),
    make_object("opportunity", fld("name"), fld("account", "lookup", target="account")),  # restrict by default
    make_object("task", fld("subject"), fld("account", "lookup", target="account", on_delete="set_null")),
]}


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(CRM)


class Clock:
    """A clock that moves one minute per reading, so every delete has its own stamp."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


@pytest.fixture(autouse=True)
def ticking(records: RecordService) -> None:
    records.clock = Clock()


def new(records: RecordService, object_name: str, **data: Any) -> int:
    return records.create(SYSTEM, object_name, data)["id"]


def is_live(records: RecordService, object_name: str, record_id: int) -> bool:
    try:
        records.get(SYSTEM, object_name, record_id)
    except RecordNotFound:
        return False
    return True


@pytest.fixture
def account(records: RecordService) -> int:
    return new(records, "account", name="Acme")


def test_restoring_brings_the_record_back(records: RecordService, alice: Actor, account: int) -> None:
    records.delete(SYSTEM, "account", account)
    restored = records.restore(alice, "account", account)
    assert restored["name"] == "Acme" and "deleted_at" not in restored
    assert (restored["version"], restored["updated_by"]) == (3, alice.id)
    assert records.get(SYSTEM, "account", account) == restored


def test_restoring_brings_back_exactly_the_details_deleted_with_it(records: RecordService, account: int) -> None:
    earlier = new(records, "contact", name="Ann", account=account)
    records.delete(SYSTEM, "contact", earlier)
    bo = new(records, "contact", name="Bo", account=account)
    note = new(records, "note", body="Met", contact=bo)
    records.delete(SYSTEM, "account", account)
    records.restore(SYSTEM, "account", account)
    assert is_live(records, "contact", bo) and is_live(records, "note", note)
    assert not is_live(records, "contact", earlier)


def test_a_detail_whose_master_is_in_the_bin_cannot_be_restored(records: RecordService, account: int) -> None:
    contact = new(records, "contact", name="Ann", account=account)
    records.delete(SYSTEM, "contact", contact)
    records.delete(SYSTEM, "account", account)
    with pytest.raises(Conflict) as info:
        records.restore(SYSTEM, "contact", contact)
    assert info.value.detail == f"restore account #{account} first: this Contact belongs to it"
    assert not is_live(records, "contact", contact)


def test_a_detail_can_be_restored_once_its_master_is_back(records: RecordService, account: int) -> None:
    contact = new(records, "contact", name="Ann", account=account)
    records.delete(SYSTEM, "contact", contact)
    records.delete(SYSTEM, "account", account)
    records.restore(SYSTEM, "account", account)
    assert records.restore(SYSTEM, "contact", contact)["name"] == "Ann"


def test_only_a_record_in_the_recycle_bin_can_be_restored(records: RecordService, account: int) -> None:
    with pytest.raises(RecordNotFound, match="in the recycle bin"):
        records.restore(SYSTEM, "account", account)


def test_a_cleared_set_null_reference_stays_cleared_after_restore(records: RecordService, account: int) -> None:
    task = new(records, "task", subject="Call", account=account)
    records.delete(SYSTEM, "account", account)
    records.restore(SYSTEM, "account", account)
    assert records.get(SYSTEM, "task", task)["account"] is None


def test_purging_is_only_from_the_recycle_bin(records: RecordService, account: int) -> None:
    with pytest.raises(RecordNotFound, match="in the recycle bin"):
        records.purge(SYSTEM, "account", account)
    assert is_live(records, "account", account)


def test_a_purged_record_is_gone_for_good(platform: Platform, records: RecordService, account: int) -> None:
    records.delete(SYSTEM, "account", account)
    assert records.purge(SYSTEM, "account", account) == {"account": [account]}
    assert row_count(platform, "account") == 0
    with pytest.raises(RecordNotFound):
        records.get(SYSTEM, "account", account, include_deleted=True)
    with pytest.raises(RecordNotFound):
        records.restore(SYSTEM, "account", account)


def test_purging_removes_every_detail_in_the_cascade(platform: Platform, records: RecordService,
                                                     account: int) -> None:
    earlier = new(records, "contact", name="Ann", account=account)
    records.delete(SYSTEM, "contact", earlier)
    bo = new(records, "contact", name="Bo", account=account)
    note = new(records, "note", body="Met", contact=bo)
    records.delete(SYSTEM, "account", account)
    purged = records.purge(SYSTEM, "account", account)
    assert {k: sorted(v) for k, v in purged.items()} == {"account": [account], "contact": sorted([earlier, bo]),
                                                         "note": [note]}
    assert [row_count(platform, name) for name in ("account", "contact", "note")] == [0, 0, 0]


def test_purging_leaves_other_records_alone(platform: Platform, records: RecordService, account: int) -> None:
    other = new(records, "account", name="Other")
    kept = new(records, "contact", name="Kept", account=other)
    records.delete(SYSTEM, "account", account)
    records.purge(SYSTEM, "account", account)
    assert is_live(records, "account", other) and is_live(records, "contact", kept)


def test_purging_clears_set_null_references_from_the_bin(records: RecordService, account: int) -> None:
    task = new(records, "task", subject="Call", account=account)
    records.delete(SYSTEM, "task", task)  # binned first, so deleting the account did not clear it
    records.delete(SYSTEM, "account", account)
    assert records.get(SYSTEM, "task", task, include_deleted=True)["account"] == account
    records.purge(SYSTEM, "account", account)
    assert records.get(SYSTEM, "task", task, include_deleted=True)["account"] is None
    assert records.restore(SYSTEM, "task", task)["account"] is None


def test_a_restrict_reference_from_the_bin_refuses_the_purge(records: RecordService, account: int) -> None:
    opportunity = new(records, "opportunity", name="Big", account=account)
    records.delete(SYSTEM, "opportunity", opportunity)
    records.delete(SYSTEM, "account", account)
    with pytest.raises(DeleteRestricted) as info:
        records.purge(SYSTEM, "account", account)
    assert info.value.extra["referencing"] == [{"object": "opportunity", "id": opportunity, "field": "account"}]
    assert records.get(SYSTEM, "account", account, include_deleted=True)["name"] == "Acme"


def test_the_purge_goes_through_once_the_restricting_record_is_purged(platform: Platform,
                                                                      records: RecordService,
                                                                      account: int) -> None:
    opportunity = new(records, "opportunity", name="Big", account=account)
    records.delete(SYSTEM, "opportunity", opportunity)
    records.delete(SYSTEM, "account", account)
    records.purge(SYSTEM, "opportunity", opportunity)
    records.purge(SYSTEM, "account", account)
    assert row_count(platform, "account") == 0
