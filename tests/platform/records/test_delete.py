"""Deleting moves a record to the recycle bin, honouring each reference's on_delete."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, Actor, DeleteRestricted, RecordNotFound, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import row_count

CRM = {"objects": [
    make_object("account", fld("name")),
    make_object("contact", fld("name"), fld("account", "master_detail", target="account")),
    make_object("note", fld("body"), fld("contact", "master_detail", target="contact")),
    make_object("opportunity", fld("name"), fld("account", "lookup", target="account")),  # restrict by default
    make_object("task", fld("subject"), fld("account", "lookup", target="account", on_delete="set_null"),
                fld("regarding", "polymorphic_lookup", targets=["account", "contact"])),
]}


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(CRM)


def new(records: RecordService, object_name: str, **data: Any) -> int:
    return records.create(SYSTEM, object_name, data)["id"]


@pytest.fixture
def account(records: RecordService) -> int:
    return new(records, "account", name="Acme")


def test_a_deleted_record_is_invisible_to_get(records: RecordService, account: int) -> None:
    assert records.delete(SYSTEM, "account", account) == {"account": [account]}
    with pytest.raises(RecordNotFound):
        records.get(SYSTEM, "account", account)


def test_a_deleted_record_is_kept_in_the_recycle_bin(platform: Platform, records: RecordService,
                                                     alice: Actor, account: int) -> None:
    records.delete(alice, "account", account)
    binned = records.get(alice, "account", account, include_deleted=True)
    assert binned["name"] == "Acme" and binned["deleted_at"] is not None and binned["version"] == 2
    assert row_count(platform, "account") == 1


def test_a_live_record_read_with_include_deleted_has_no_deleted_at(records: RecordService, account: int) -> None:
    assert "deleted_at" not in records.get(SYSTEM, "account", account, include_deleted=True)


def test_deleting_twice_is_not_found(records: RecordService, account: int) -> None:
    records.delete(SYSTEM, "account", account)
    with pytest.raises(RecordNotFound):
        records.delete(SYSTEM, "account", account)


def test_a_restrict_lookup_refuses_the_delete_and_names_the_referencing_records(
        records: RecordService, account: int) -> None:
    first = new(records, "opportunity", name="Big", account=account)
    second = new(records, "opportunity", name="Small", account=account)
    with pytest.raises(DeleteRestricted) as info:
        records.delete(SYSTEM, "account", account)
    assert info.value.status == 409
    assert info.value.extra["referencing"] == [{"object": "opportunity", "id": first, "field": "account"},
                                               {"object": "opportunity", "id": second, "field": "account"}]
    assert info.value.extra["total"] == 2
    assert f"opportunity #{first} (account)" in info.value.detail
    assert records.get(SYSTEM, "account", account)["name"] == "Acme"


def test_a_refused_delete_deletes_none_of_the_cascade(records: RecordService, account: int) -> None:
    contact = new(records, "contact", name="Ann", account=account)
    new(records, "opportunity", name="Big", account=account)
    with pytest.raises(DeleteRestricted):
        records.delete(SYSTEM, "account", account)
    assert records.get(SYSTEM, "contact", contact)["account"] == account


def test_a_reference_from_the_recycle_bin_does_not_restrict_a_delete(records: RecordService, account: int) -> None:
    opportunity = new(records, "opportunity", name="Big", account=account)
    records.delete(SYSTEM, "opportunity", opportunity)
    assert records.delete(SYSTEM, "account", account) == {"account": [account]}


def test_a_set_null_lookup_is_cleared(records: RecordService, alice: Actor, account: int) -> None:
    task = new(records, "task", subject="Call", account=account)
    records.delete(alice, "account", account)
    cleared = records.get(SYSTEM, "task", task)
    assert cleared["account"] is None
    assert (cleared["version"], cleared["updated_by"]) == (2, alice.id)


def test_a_polymorphic_lookup_is_cleared_by_default(records: RecordService, account: int) -> None:
    kept = new(records, "account", name="Other")
    task = new(records, "task", subject="Call", regarding={"object": "account", "id": account})
    other = new(records, "task", subject="Mail", regarding={"object": "account", "id": kept})
    records.delete(SYSTEM, "account", account)
    assert records.get(SYSTEM, "task", task)["regarding"] is None
    assert records.get(SYSTEM, "task", other)["regarding"] == {"object": "account", "id": kept}


def test_a_polymorphic_lookup_to_another_object_with_the_same_id_is_kept(records: RecordService,
                                                                         account: int) -> None:
    contact = new(records, "contact", name="Ann", account=new(records, "account", name="Other"))
    assert contact == account  # ids repeat across objects; the reference names its object
    task = new(records, "task", subject="Call", regarding={"object": "contact", "id": contact})
    records.delete(SYSTEM, "account", account)
    assert records.get(SYSTEM, "task", task)["regarding"] == {"object": "contact", "id": contact}


def test_master_detail_cascades_to_details_and_their_details(records: RecordService, account: int) -> None:
    ann = new(records, "contact", name="Ann", account=account)
    bo = new(records, "contact", name="Bo", account=account)
    note = new(records, "note", body="Met", contact=bo)
    assert records.delete(SYSTEM, "account", account) == {"account": [account], "contact": [ann, bo],
                                                          "note": [note]}
    for object_name, record_id in [("contact", ann), ("contact", bo), ("note", note)]:
        with pytest.raises(RecordNotFound):
            records.get(SYSTEM, object_name, record_id)
        assert records.get(SYSTEM, object_name, record_id, include_deleted=True)["deleted_at"] is not None


def test_the_cascade_leaves_other_masters_details_alone(records: RecordService, account: int) -> None:
    other = new(records, "account", name="Other")
    kept = new(records, "contact", name="Kept", account=other)
    records.delete(SYSTEM, "account", account)
    assert records.get(SYSTEM, "contact", kept)["name"] == "Kept"


def test_a_restrict_lookup_to_a_detail_refuses_deleting_the_master(records: RecordService, account: int,
                                                                   apply: Callable[..., Any]) -> None:
    apply(make_object("meeting", fld("title"), fld("attendee", "lookup", target="contact")))
    contact = new(records, "contact", name="Ann", account=account)
    meeting = new(records, "meeting", title="Kickoff", attendee=contact)
    with pytest.raises(DeleteRestricted) as info:
        records.delete(SYSTEM, "account", account)
    assert info.value.extra["referencing"] == [{"object": "meeting", "id": meeting, "field": "attendee"}]


def test_a_detail_can_be_deleted_on_its_own(records: RecordService, account: int) -> None:
    contact = new(records, "contact", name="Ann", account=account)
    assert records.delete(SYSTEM, "contact", contact) == {"contact": [contact]}
    assert records.get(SYSTEM, "account", account)["name"] == "Acme"
