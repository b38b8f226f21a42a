"""Creating a record: defaults, validation of every field at once, and who created and owns it."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, Actor, RecordInvalid, RecordNotFound, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import field_codes, field_messages, row_count

DEAL = make_object(
    "deal",
    fld("title", required=True, max_length=10),
    fld("stage", "picklist", options=["New", "Won"], default="New"),
    fld("closed", "boolean"),
    fld("quantity", "integer"),
    fld("ratio", "decimal", precision=5, scale=2),
    fld("price", "currency"),
    fld("discount", "percent"),
    fld("starts_on", "date"),
    fld("meets_at", "datetime"),
    fld("tags", "multi_picklist", options=["A", "B"]),
    fld("email", "email"),
    fld("website", "url"),
    fld("phone", "phone"),
    fld("number", "autonumber", pattern="D-{000}"),
    fld("doubled", "formula", formula="price * 2", result_type="currency"),
)


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(DEAL)


def test_a_created_record_comes_back_with_its_id_version_and_values(records: RecordService) -> None:
    created = records.create(SYSTEM, "deal", {"title": "Big", "quantity": "3"})
    assert created["id"] > 0 and created["version"] == 1
    assert created["title"] == "Big" and created["quantity"] == 3
    assert records.get(SYSTEM, "deal", created["id"]) == created


def test_defaults_are_stored_for_fields_not_given(records: RecordService) -> None:
    created = records.create(SYSTEM, "deal", {"title": "Big"})
    stored = records.get(SYSTEM, "deal", created["id"])
    assert stored["stage"] == "New" and stored["closed"] is False
    assert stored["quantity"] is None


@pytest.mark.parametrize("title", [None, "", "  "])
def test_a_required_field_given_empty_is_required(records: RecordService, title: Any) -> None:
    assert field_codes(records.create, SYSTEM, "deal", {"title": title}) == {"title": "required"}


def test_a_required_field_left_out_is_required(records: RecordService) -> None:
    assert field_codes(records.create, SYSTEM, "deal", {"quantity": 1}) == {"title": "required"}


def test_every_invalid_field_is_reported_at_once_and_nothing_is_written(
        platform: Platform, records: RecordService) -> None:
    codes = field_codes(records.create, SYSTEM, "deal", {
        "title": "much too long", "quantity": "4.5", "ratio": "1234.5", "price": "1.005", "discount": "lots",
        "starts_on": "31/01/2026", "meets_at": "noon", "closed": "maybe", "stage": "Lost", "tags": ["Z"],
        "email": "nobody", "website": "example.com", "phone": "call me", "titel": "x", "version": 4,
        "number": "D-999", "doubled": "2",
    })
    assert codes == {
        "title": "too_long", "quantity": "invalid_integer", "ratio": "out_of_range", "price": "too_many_decimals",
        "discount": "invalid_number", "starts_on": "invalid_date", "meets_at": "invalid_datetime",
        "closed": "invalid_boolean", "stage": "invalid_choice", "tags": "invalid_choice", "email": "invalid_email",
        "website": "invalid_url", "phone": "invalid_phone", "titel": "unknown_field", "version": "read_only",
        "number": "read_only", "doubled": "read_only",
    }
    assert row_count(platform, "deal") == 0


def test_one_bad_field_among_good_ones_writes_nothing(platform: Platform, records: RecordService) -> None:
    with pytest.raises(RecordInvalid):
        records.create(SYSTEM, "deal", {"title": "Big", "quantity": 2, "price": "10", "email": "nobody"})
    assert row_count(platform, "deal") == 0


def test_the_error_names_the_object_and_the_invalid_fields(records: RecordService) -> None:
    with pytest.raises(RecordInvalid) as info:
        records.create(SYSTEM, "deal", {"quantity": "x"})
    assert info.value.status == 422
    assert info.value.detail == "The Deal was not saved: fields are invalid (quantity, title)"
    assert info.value.extra["errors"] == [
        {"field": "quantity", "code": "invalid_integer", "message": "must be a whole number"},
        {"field": "title", "code": "required", "message": "is required"},
    ]


def test_an_unknown_field_suggests_the_closest_name(records: RecordService) -> None:
    messages = field_messages(records.create, SYSTEM, "deal", {"title": "Big", "quantiy": 2})
    assert messages == {"quantiy": 'is not a field of Deal — did you mean "quantity"?'}


@pytest.mark.parametrize("key", ["id", "created_at", "updated_at", "created_by", "updated_by", "version"])
def test_system_fields_cannot_be_written(records: RecordService, key: str) -> None:
    assert field_codes(records.create, SYSTEM, "deal", {"title": "Big", key: 1}) == {key: "read_only"}


def test_the_record_is_a_json_object_of_field_values(records: RecordService) -> None:
    assert field_codes(records.create, SYSTEM, "deal", ["title", "Big"]) == {"": "invalid_record"}


def test_an_unknown_object_is_not_found(records: RecordService) -> None:
    with pytest.raises(RecordNotFound, match='there is no object "dael"'):
        records.create(SYSTEM, "dael", {"title": "Big"})


@pytest.mark.parametrize("record_id", [999, "abc", 0, -1, 2**63])
def test_getting_a_record_that_does_not_exist_is_not_found(records: RecordService, record_id: Any) -> None:
    with pytest.raises(RecordNotFound):
        records.get(SYSTEM, "deal", record_id)


def test_the_acting_user_creates_and_owns_the_record(records: RecordService, alice: Actor) -> None:
    created = records.create(alice, "deal", {"title": "Big"})
    assert created["created_by"] == created["updated_by"] == created["owner"] == alice.id
    stored = records.get(alice, "deal", created["id"])
    assert stored["created_by"] == stored["owner"] == alice.id


def test_the_system_creates_records_owned_by_nobody(records: RecordService) -> None:
    created = records.create(SYSTEM, "deal", {"title": "Big"})
    assert created["created_by"] is None and created["owner"] is None


def test_the_owner_can_be_another_existing_user(records: RecordService, alice: Actor, bob: Actor) -> None:
    created = records.create(alice, "deal", {"title": "Big", "owner": bob.id})
    assert created["created_by"] == alice.id and created["owner"] == bob.id
    assert records.get(alice, "deal", created["id"])["owner"] == bob.id


def test_an_owner_who_is_not_a_user_is_not_found(platform: Platform, records: RecordService, alice: Actor) -> None:
    messages = field_messages(records.create, alice, "deal", {"title": "Big", "owner": 9999})
    assert messages == {"owner": "no user with id 9999 exists"}
    assert row_count(platform, "deal") == 0


def test_an_owner_that_is_not_an_id_is_invalid(records: RecordService, alice: Actor) -> None:
    assert field_codes(records.create, alice, "deal", {"title": "Big", "owner": "bob"}) == \
        {"owner": "invalid_reference"}


def test_the_owner_can_be_changed_to_another_user(records: RecordService, alice: Actor, bob: Actor) -> None:
    created = records.create(alice, "deal", {"title": "Big"})
    assert records.update(alice, "deal", created["id"], {"owner": bob.id})["owner"] == bob.id
    assert field_codes(records.update, alice, "deal", created["id"], {"owner": 9999}) == {"owner": "not_found"}
