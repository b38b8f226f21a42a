"""Organisation settings: stored, validated, and used by formulas, rules, defaults and scripts at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.logic import helpers
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object


@pytest.fixture(autouse=True)
def isolated_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are installed process-wide; give them back after each test."""
    monkeypatch.setattr(helpers, "settings", helpers.LogicSettings())
    monkeypatch.setattr(helpers, "clock", lambda: dt.datetime(2025, 3, 14, 23, 30, tzinfo=dt.timezone.utc))


def deal() -> dict[str, Any]:
    return make_object(
        "deal", fld("title"), fld("close_date", "date"),
        fld("quarter", "formula", formula="fiscal_quarter(close_date)", result_type="integer"),
        fld("fy", "formula", formula="fiscal_year(close_date)", result_type="integer"),
        fld("open_day", "formula", formula="is_business_day(close_date)", result_type="boolean"),
        fld("next_day", "formula", formula="add_business_days(close_date, 1)", result_type="date"),
        fld("on_read", "formula", formula="fiscal_quarter(close_date)", result_type="integer", stored=False),
        fld("script_quarter", "integer"), fld("opened", "date", default="=today()"),
        scripts=[{"name": "quarter", "event": "before_save",
                  "code": "record.script_quarter = fiscal_quarter(record.close_date)"}])


def save(platform: Platform, close: str) -> dict[str, Any]:
    return platform.records.create(SYSTEM, "deal", {"title": "x", "close_date": close})


def test_a_change_reaches_formulas_scripts_and_reads_without_a_restart(platform: Platform, apply: Any) -> None:
    apply({"objects": [deal()]})
    before = save(platform, "2025-04-01")
    assert (before["quarter"], before["fy"], before["script_quarter"], before["on_read"]) == (2, 2025, 2, 2)
    platform.settings.update({"fiscal_year_start": 4}, author="test")
    after = save(platform, "2025-04-01")
    assert (after["quarter"], after["fy"], after["script_quarter"], after["on_read"]) == (1, 2026, 1, 1)


def test_another_process_sees_the_change_on_its_next_save(platform: Platform, apply: Any, database_url: str) -> None:
    apply({"objects": [deal()]})
    assert save(platform, "2025-04-01")["quarter"] == 2
    other = Platform.from_url(database_url)
    try:
        other.settings.update({"fiscal_year_start": 4}, author="other")
    finally:
        other.engine.dispose()
    helpers.configure(helpers.LogicSettings())  # as if this process had never seen it
    loads = platform.settings.loads
    assert save(platform, "2025-04-01")["quarter"] == 1
    assert save(platform, "2025-04-01")["quarter"] == 1 and platform.settings.loads == loads + 1  # cached


def test_holiday_calendar_with_extra_and_removed_days(platform: Platform, apply: Any) -> None:
    apply({"objects": [deal()]})
    assert save(platform, "2025-07-04")["open_day"] is True  # no calendar: weekends only
    platform.settings.update({"holiday_country": "US"}, author="test")
    independence = save(platform, "2025-07-03")
    assert save(platform, "2025-07-04")["open_day"] is False and independence["next_day"] == dt.date(2025, 7, 7)
    platform.settings.update({"removed_holidays": ["2025-07-04"], "extra_holidays": ["2025-07-07"]}, author="t")
    assert save(platform, "2025-07-04")["open_day"] is True
    assert save(platform, "2025-07-07")["open_day"] is False
    assert save(platform, "2025-07-03")["next_day"] == dt.date(2025, 7, 4)
    platform.settings.update({"removed_holidays": None, "extra_holidays": None}, author="t")  # null: default
    assert save(platform, "2025-07-04")["open_day"] is False


def test_the_time_zone_decides_what_today_is(platform: Platform, apply: Any) -> None:
    apply({"objects": [deal()]})
    assert save(platform, "2025-04-01")["opened"] == dt.date(2025, 3, 14)  # 23:30 UTC
    platform.settings.update({"time_zone": "Europe/Berlin"}, author="test")
    assert save(platform, "2025-04-01")["opened"] == dt.date(2025, 3, 15)


@pytest.mark.parametrize("changes, key", [
    ({"fiscal_year_start": 13}, "fiscal_year_start"), ({"fiscal_year_start": "4"}, "fiscal_year_start"),
    ({"holiday_country": "XX"}, "holiday_country"), ({"extra_holidays": ["2025-02-30"]}, "extra_holidays.0"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"), ({"colour": "red"}, "colour"),
])
def test_bad_values_are_refused_naming_the_key(platform: Platform, changes: dict[str, Any], key: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        platform.settings.update(changes, author="test")
    assert caught.value.extra["errors"][0]["path"] == key
    assert platform.settings.stored() == {}


def test_the_environment_gives_the_defaults(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METACRM_FISCAL_YEAR_START", "7")
    platform.settings.update({"holiday_country": "DE"}, author="test")
    document = platform.settings.document()
    assert document["settings"]["fiscal_year_start"] == 7 and document["settings"]["holiday_country"] == "DE"
    assert document["stored"] == ["holiday_country"] and document["defaults"]["fiscal_year_start"] == 7


def test_the_settings_api_is_for_admins(client: Any, admin_headers: dict[str, str], app: Any) -> None:
    from tests.conftest import basic_auth

    app.extensions["metacrm"].users.create("user@example.com", "correct horse battery staple")
    user = basic_auth("user@example.com", "correct horse battery staple")
    assert client.get("/api/v1/settings", headers=user).status_code == 403
    assert client.put("/api/v1/settings", json={"fiscal_year_start": 4}, headers=user).status_code == 403
    changed = client.put("/api/v1/settings", json={"fiscal_year_start": 4, "holiday_country": "US"},
                         headers=admin_headers)
    assert changed.status_code == 200 and changed.json["settings"]["fiscal_year_start"] == 4
    assert client.get("/api/v1/settings", headers=admin_headers).json["stored"] == ["fiscal_year_start",
                                                                                    "holiday_country"]
    bad = client.put("/api/v1/settings", json={"fiscal_year_start": 0}, headers=admin_headers)
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "fiscal_year_start"
    assert "fiscal_year_start" in bad.json["detail"]


def test_a_subdivision_is_checked_against_the_current_country(platform: Platform) -> None:
    platform.settings.update({"holiday_country": "US"}, author="test")
    with pytest.raises(Unprocessable) as caught:
        platform.settings.update({"holiday_subdivision": "ZZ"}, author="test")
    assert caught.value.extra["errors"][0]["path"] == "holiday_subdivision"
    assert platform.settings.update({"holiday_subdivision": "CA"}, author="test").holiday_subdivision == "CA"
