"""What is written is what is read back, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.records import SYSTEM, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

UTC = dt.timezone.utc


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(make_object(
        "event", fld("title"), fld("notes", "long_text"), fld("starts_on", "date"), fld("meets_at", "datetime"),
        fld("public", "boolean"), fld("attendees", "integer"), fld("tags", "multi_picklist", options=["A", "B", "C"]),
        fld("email", "email"), fld("website", "url"), fld("phone", "phone"),
    ))


def stored(records: RecordService, data: dict[str, Any]) -> dict[str, Any]:
    created = records.create(SYSTEM, "event", data)
    return records.get(SYSTEM, "event", created["id"])


def test_a_record_reads_back_as_it_was_created(records: RecordService) -> None:
    created = records.create(SYSTEM, "event", {
        "title": "Launch", "notes": "line 1\nline 2", "starts_on": "2026-01-31", "meets_at": "2026-01-31T09:00:00Z",
        "public": "yes", "attendees": "120", "tags": ["C", "A"], "email": "a@b.co",
        "website": "https://example.com/launch", "phone": "+44 20 7946 0000"})
    assert records.get(SYSTEM, "event", created["id"]) == created
    assert created["starts_on"] == dt.date(2026, 1, 31) and created["public"] is True
    assert created["attendees"] == 120 and created["tags"] == ["A", "C"]


def test_a_datetime_is_stored_as_the_utc_instant(platform: Platform, records: RecordService) -> None:
    record = stored(records, {"meets_at": "2026-01-31T14:30:00+02:00"})
    expected = dt.datetime(2026, 1, 31, 12, 30, tzinfo=UTC)
    assert record["meets_at"] == expected and record["meets_at"].utcoffset() == dt.timedelta(0)
    table = platform.schema.get().tables["event"]
    with platform.engine.connect() as conn:
        raw = conn.execute(sa.select(table.c.meets_at)).scalar_one()
    assert raw.replace(tzinfo=raw.tzinfo or UTC) == expected  # SQLite keeps the UTC wall clock, naive


def test_a_datetime_without_offset_is_taken_as_utc(records: RecordService) -> None:
    assert stored(records, {"meets_at": "2026-01-31T14:30:00"})["meets_at"] == dt.datetime(2026, 1, 31, 14, 30,
                                                                                            tzinfo=UTC)


def test_stamps_read_back_as_aware_utc(records: RecordService) -> None:
    record = stored(records, {"title": "Launch"})
    assert record["created_at"].utcoffset() == record["updated_at"].utcoffset() == dt.timedelta(0)


def test_datetimes_come_out_as_iso_8601_utc_json(records: RecordService) -> None:
    out = records.to_json("event", stored(records, {"meets_at": "2026-01-31T14:30:00+02:00",
                                                    "starts_on": "2026-01-31"}))
    assert (out["meets_at"], out["starts_on"]) == ("2026-01-31T12:30:00Z", "2026-01-31")
    assert out["created_at"].endswith("Z")


def test_repeating_a_stored_datetime_in_another_offset_is_no_change(records: RecordService) -> None:
    created = records.create(SYSTEM, "event", {"meets_at": "2026-01-31T12:30:00Z"})
    same = records.update(SYSTEM, "event", created["id"], {"meets_at": "2026-01-31T13:30:00+01:00"})
    assert same["version"] == 1


def test_an_empty_value_clears_a_stored_field(records: RecordService) -> None:
    created = records.create(SYSTEM, "event", {"title": "Launch", "tags": ["A"], "attendees": 3})
    records.update(SYSTEM, "event", created["id"], {"title": "", "tags": [], "attendees": None})
    record = records.get(SYSTEM, "event", created["id"])
    assert (record["title"], record["tags"], record["attendees"]) == (None, None, None)
