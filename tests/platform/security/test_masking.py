"""Masked fields: shown as "•••• 1234" to roles that mask them, everywhere a record is handed out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from metacrm.metadata.definitions import FieldDef
from metacrm.platform.errors import Forbidden, Unprocessable
from metacrm.platform.query import QueryError
from metacrm.platform.records import Actor
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from metacrm.platform.security.masking import Masked, mask_value
from tests.conftest import ADMIN_PASSWORD, fld, make_object

PATIENT = make_object("patient", fld("name"), {**fld("ssn"), "mask": {"show_last": 4}},
                      {**fld("born", "date"), "mask": {"show_first": 4, "show_last": 0}},
                      fld("salary", "currency"), fld("diagnosis"), search_fields=["name", "ssn"])
VISIT = make_object("visit", fld("reason"), fld("patient", "lookup", target="patient"))
READ_WRITE = {"read": True, "create": True, "update": True}
BUNDLE = {
    "objects": [PATIENT, VISIT],
    "roles": [
        {"name": "nurse", "objects": {"patient": READ_WRITE, "visit": READ_WRITE},
         "fields": {"patient": {"ssn": "masked", "born": "masked", "salary": "masked", "diagnosis": "hidden"}}},
        {"name": "doctor", "objects": {"patient": READ_WRITE}, "fields": {"patient": {"salary": "hidden"}}},
        {"name": "auditor", "objects": {"patient": {"read": True}},
         "fields": {"patient": {"diagnosis": "masked", "ssn": "hidden"}}},
    ],
}
SSN = "123-45-6789"


@pytest.fixture
def clinic(platform: Platform, apply: Any) -> dict[str, Any]:
    apply(BUNDLE)
    patient = platform.records.create(SYSTEM, "patient", {"name": "Ann Lee", "ssn": SSN, "born": "1990-05-17",
                                                          "salary": "81000.25", "diagnosis": "flu"})
    platform.records.create(SYSTEM, "visit", {"reason": "cough", "patient": patient["id"]})
    return patient


def actor(platform: Platform, email: str, *roles: str) -> Actor:
    return Actor.from_user(platform.users.create(email, ADMIN_PASSWORD, roles=roles))


def definition(**mask: int) -> FieldDef:
    return FieldDef("x", "text", "X", mask=mask or None)


@pytest.mark.parametrize("value,mask,shown", [
    (SSN, {}, "•••• 6789"),
    (SSN, {"show_last": 2}, "•••• 89"),
    (SSN, {"show_last": 0}, "••••"),
    ("1234", {}, "•••• 34"),  # never more than half of the value
    ("7", {}, "••••"),
    (dt.date(1990, 5, 17), {"show_first": 4, "show_last": 0}, "1990 ••••"),
    (Decimal("81000.25"), {}, "•••• 0.25"),
    (4111111111111111, {}, "•••• 1111"),
])
def test_the_mask_shows_at_most_what_the_field_allows(value: Any, mask: dict[str, int], shown: str) -> None:
    masked = mask_value(value, definition(**mask))
    assert masked == shown and isinstance(masked, Masked)


def test_an_empty_value_stays_empty() -> None:
    assert mask_value(None, definition()) is None


def test_get_list_related_and_search_hand_out_the_mask(platform: Platform, clinic: dict[str, Any]) -> None:
    nurse = actor(platform, "nurse@example.com", "nurse")
    record = platform.records.get(nurse, "patient", clinic["id"])
    assert (record["ssn"], record["born"], record["salary"]) == ("•••• 6789", "1990 ••••", "•••• 0.25")
    assert "diagnosis" not in record  # hidden beats masked: the nurse's role hides it
    assert platform.records.to_json("patient", record)["salary"] == "•••• 0.25"
    (listed,) = platform.records.reader.list(nurse, "patient", {}).records
    assert listed["ssn"] == "•••• 6789"
    (hit,) = platform.records.reader.search(nurse, "Ann")
    assert hit["record"]["ssn"] == "•••• 6789"
    visit_page = platform.records.reader.related(nurse, "patient", clinic["id"], "visit", {})
    assert [v["reason"] for v in visit_page.records] == ["cough"]


def test_the_full_value_when_any_reading_role_shows_it(platform: Platform, clinic: dict[str, Any]) -> None:
    both = actor(platform, "both@example.com", "nurse", "doctor")
    record = platform.records.get(both, "patient", clinic["id"])
    assert (record["ssn"], record["born"], record["diagnosis"]) == (SSN, dt.date(1990, 5, 17), "flu")
    assert record["salary"] == "•••• 0.25"  # masked for the nurse, hidden for the doctor: masked wins
    mixed = actor(platform, "mixed@example.com", "nurse", "auditor")
    record = platform.records.get(mixed, "patient", clinic["id"])
    assert record["ssn"] == "•••• 6789" and record["diagnosis"] == "•••• u"  # hidden + masked → masked


@pytest.mark.parametrize("params", [{"ssn": SSN}, {"ssn__startswith": "1"}, {"sort": "ssn"}, {"fields": "ssn"},
                                    {"group_by": "ssn"}, {"or": "name=x|ssn=1"}, {"visit__patient": "1"}])
def test_a_masked_field_cannot_be_queried(platform: Platform, clinic: dict[str, Any], params: dict[str, str]
                                          ) -> None:
    nurse = actor(platform, "nurse@example.com", "nurse")
    if "visit__patient" in params:  # a one-hop filter through another object: the masked field is gone there too
        params = {"patient__ssn": SSN}
        with pytest.raises(QueryError):
            platform.records.reader.list(nurse, "visit", params)
        return
    with pytest.raises(QueryError):
        platform.records.reader.list(nurse, "patient", params)


def test_search_does_not_match_on_a_masked_field(platform: Platform, clinic: dict[str, Any]) -> None:
    nurse = actor(platform, "nurse@example.com", "nurse")
    assert platform.records.reader.search(nurse, "6789") == []
    assert platform.records.reader.search(SYSTEM, "6789") != []


def test_a_masked_field_is_read_only_unless_another_role_writes_it(platform: Platform, clinic: dict[str, Any]
                                                                   ) -> None:
    nurse = actor(platform, "nurse@example.com", "nurse")
    with pytest.raises(Forbidden) as refused:
        platform.records.update(nurse, "patient", clinic["id"], {"ssn": "999-99-9999"})
    assert "ssn" in refused.value.detail
    with pytest.raises(Forbidden):
        platform.records.create(nurse, "patient", {"name": "Bob", "ssn": "1"})
    assert platform.records.update(nurse, "patient", clinic["id"], {"name": "Ann Li"})["ssn"] == "•••• 6789"
    both = actor(platform, "both@example.com", "nurse", "doctor")
    assert platform.records.update(both, "patient", clinic["id"], {"ssn": "999-99-9999"})["ssn"] == "999-99-9999"
    assert platform.records.get(SYSTEM, "patient", clinic["id"])["ssn"] == "999-99-9999"


def test_a_mask_setting_that_is_not_in_the_schema_is_refused(apply: Any) -> None:
    with pytest.raises(Unprocessable) as info:
        apply(make_object("thing", {**fld("code"), "mask": {"show_last": 99}}))
    assert any("show_last" in e["path"] for e in info.value.extra["errors"])
