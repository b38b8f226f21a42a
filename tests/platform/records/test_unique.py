"""A unique field's value belongs to one record: stored, in the recycle bin, or earlier in the same batch."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, RecordInvalid, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import field_codes, field_messages, row_count


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(make_object("product", fld("name"), fld("sku", unique=True), fld("ean", "integer", unique=True)))


def test_a_value_already_stored_is_a_duplicate(platform: Platform, records: RecordService) -> None:
    first = records.create(SYSTEM, "product", {"name": "A", "sku": "X-1"})
    messages = field_messages(records.create, SYSTEM, "product", {"name": "B", "sku": "X-1"})
    assert messages == {"sku": f'must be unique: "X-1" is already used by Product #{first["id"]}'}
    assert row_count(platform, "product") == 1


def test_a_value_held_by_a_record_in_the_recycle_bin_is_a_duplicate_and_says_so(records: RecordService) -> None:
    first = records.create(SYSTEM, "product", {"name": "A", "sku": "X-1"})
    records.delete(SYSTEM, "product", first["id"])
    messages = field_messages(records.create, SYSTEM, "product", {"name": "B", "sku": "X-1"})
    assert messages == {"sku": f'must be unique: "X-1" is already used by Product #{first["id"]} '
                               "(in the recycle bin)"}


def test_every_duplicated_field_is_reported(records: RecordService) -> None:
    records.create(SYSTEM, "product", {"name": "A", "sku": "X-1", "ean": 400})
    assert field_codes(records.create, SYSTEM, "product", {"name": "B", "sku": "X-1", "ean": "400"}) == \
        {"sku": "duplicate", "ean": "duplicate"}


def test_duplicates_within_one_bulk_batch_name_the_earlier_row(platform: Platform, records: RecordService) -> None:
    rows = [{"name": "A", "sku": "X-1"}, {"name": "B", "sku": "X-2"}, {"name": "C", "sku": "X-1"}]
    with pytest.raises(RecordInvalid) as info:
        records.bulk_create(SYSTEM, "product", rows)
    assert info.value.extra["rows"] == [{"index": 2, "errors": [
        {"field": "sku", "code": "duplicate", "message": 'must be unique: "X-1" is also used by row 1'}]}]
    assert row_count(platform, "product") == 0


def test_empty_values_never_collide(records: RecordService) -> None:
    records.create(SYSTEM, "product", {"name": "A"})
    records.create(SYSTEM, "product", {"name": "B", "sku": None})
    records.bulk_create(SYSTEM, "product", [{"name": "C"}, {"name": "D"}])


def test_a_record_keeps_its_own_value_on_update(records: RecordService) -> None:
    product = records.create(SYSTEM, "product", {"name": "A", "sku": "X-1"})
    updated = records.update(SYSTEM, "product", product["id"], {"name": "A2", "sku": "X-1"})
    assert updated["name"] == "A2" and updated["version"] == 2


def test_updating_to_another_records_value_is_a_duplicate(records: RecordService) -> None:
    records.create(SYSTEM, "product", {"name": "A", "sku": "X-1"})
    second = records.create(SYSTEM, "product", {"name": "B", "sku": "X-2"})
    assert field_codes(records.update, SYSTEM, "product", second["id"], {"sku": "X-1"}) == {"sku": "duplicate"}
    assert records.get(SYSTEM, "product", second["id"])["sku"] == "X-2"


def test_a_value_freed_by_purging_can_be_used_again(records: RecordService) -> None:
    first = records.create(SYSTEM, "product", {"name": "A", "sku": "X-1"})
    records.delete(SYSTEM, "product", first["id"])
    records.purge(SYSTEM, "product", first["id"])
    assert records.create(SYSTEM, "product", {"name": "B", "sku": "X-1"})["sku"] == "X-1"
