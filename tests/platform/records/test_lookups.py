"""Lookups, master-detail and polymorphic lookups must name a live record of an allowed object."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import field_codes, field_messages, row_count

OBJECTS = {"objects": [
    make_object("company", fld("name")),
    make_object("project", fld("name")),
    make_object("contact", fld("name"), fld("company", "lookup", target="company"),
                fld("employer", "lookup", target="company")),
    make_object("activity", fld("subject"),
                fld("regarding", "polymorphic_lookup", targets=["company", "contact"])),
]}


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(OBJECTS)


@pytest.fixture
def company(records: RecordService) -> int:
    return records.create(SYSTEM, "company", {"name": "Acme"})["id"]


def test_a_lookup_to_an_existing_record_is_stored_as_its_id(records: RecordService, company: int) -> None:
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "company": str(company)})
    assert records.get(SYSTEM, "contact", contact["id"])["company"] == company


def test_a_lookup_to_a_missing_record_is_not_found(platform: Platform, records: RecordService) -> None:
    messages = field_messages(records.create, SYSTEM, "contact", {"name": "Ann", "company": 404})
    assert messages == {"company": "no Company with id 404 exists"}
    assert row_count(platform, "contact") == 0


def test_a_lookup_to_a_record_in_the_recycle_bin_is_not_found(records: RecordService, company: int) -> None:
    records.delete(SYSTEM, "company", company)
    assert field_codes(records.create, SYSTEM, "contact", {"name": "Ann", "company": company}) == \
        {"company": "not_found"}


def test_every_missing_reference_is_reported(records: RecordService) -> None:
    assert field_codes(records.create, SYSTEM, "contact", {"name": "Ann", "company": 7, "employer": 8}) == \
        {"company": "not_found", "employer": "not_found"}


def test_a_lookup_must_be_an_id(records: RecordService) -> None:
    assert field_codes(records.create, SYSTEM, "contact", {"name": "Ann", "company": "Acme"}) == \
        {"company": "invalid_reference"}


def test_a_lookup_given_as_a_record_uses_its_id(records: RecordService, company: int) -> None:
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "company": {"id": company, "name": "Acme"}})
    assert contact["company"] == company


def test_a_lookup_can_be_cleared(records: RecordService, company: int) -> None:
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "company": company})
    assert records.update(SYSTEM, "contact", contact["id"], {"company": None})["company"] is None


def test_updating_a_lookup_to_a_missing_record_is_not_found(records: RecordService, company: int) -> None:
    contact = records.create(SYSTEM, "contact", {"name": "Ann", "company": company})
    assert field_codes(records.update, SYSTEM, "contact", contact["id"], {"company": 404}) == \
        {"company": "not_found"}
    assert records.get(SYSTEM, "contact", contact["id"])["company"] == company


def test_a_polymorphic_lookup_points_at_any_allowed_object(records: RecordService, company: int) -> None:
    contact = records.create(SYSTEM, "contact", {"name": "Ann"})["id"]
    first = records.create(SYSTEM, "activity", {"subject": "Call", "regarding": {"object": "company", "id": company}})
    second = records.create(SYSTEM, "activity", {"subject": "Mail", "regarding": {"object": "contact", "id": contact}})
    assert records.get(SYSTEM, "activity", first["id"])["regarding"] == {"object": "company", "id": company}
    assert records.get(SYSTEM, "activity", second["id"])["regarding"] == {"object": "contact", "id": contact}


def test_a_polymorphic_lookup_to_an_object_not_allowed_is_invalid(records: RecordService) -> None:
    project = records.create(SYSTEM, "project", {"name": "Apollo"})["id"]
    messages = field_messages(records.create, SYSTEM, "activity",
                              {"subject": "Call", "regarding": {"object": "project", "id": project}})
    assert messages == {"regarding": 'may point at one of: company, contact (got "project")'}


def test_a_polymorphic_lookup_to_a_missing_record_is_not_found(records: RecordService, company: int) -> None:
    # Company #company exists, contact #company does not: the object is part of the reference.
    assert field_codes(records.create, SYSTEM, "activity",
                       {"subject": "Call", "regarding": {"object": "contact", "id": company}}) == \
        {"regarding": "not_found"}


def test_a_polymorphic_lookup_to_a_record_in_the_recycle_bin_is_not_found(
        records: RecordService, company: int) -> None:
    records.delete(SYSTEM, "company", company)
    assert field_codes(records.create, SYSTEM, "activity",
                       {"subject": "Call", "regarding": {"object": "company", "id": company}}) == \
        {"regarding": "not_found"}


@pytest.mark.parametrize("value", ["company:1", {"id": 1}, {"object": "company", "id": 1, "x": 2}])
def test_a_polymorphic_lookup_must_name_object_and_id(records: RecordService, value: Any) -> None:
    assert field_codes(records.create, SYSTEM, "activity", {"subject": "Call", "regarding": value}) == \
        {"regarding": "invalid_reference"}


def test_a_polymorphic_lookup_id_must_be_a_number(records: RecordService) -> None:
    codes = field_codes(records.create, SYSTEM, "activity",
                        {"subject": "Call", "regarding": {"object": "company", "id": "one"}})
    assert list(codes) == ["regarding"]
