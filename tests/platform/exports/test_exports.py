"""Exports: a list as XLSX (typed cells, formulas defused), a whole object through the API in every
registered format, always as the caller (hidden fields absent, masked ones masked), and the registry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any, Iterator

import pytest
from openpyxl import load_workbook

from metacrm.platform.exports.formats import FORMATS, ExportSource, export_format, register_export_format
from metacrm.platform.records.actor import SYSTEM
from tests.conftest import basic_auth, fld, make_object
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD

SECRET = "Zanzibar-7731"
BUNDLE = {
    "objects": [make_object(
        "account", fld("name", required=True), fld("tier", "picklist", options=["Gold", "Silver"]),
        fld("revenue", "currency"), fld("since", "date"), fld("margin_note"),
        fld("tax_id", mask={"show_last": 4}))],
    "roles": [{"name": "sales", "objects": {"account": {"read": True}},
               "fields": {"account": {"margin_note": "hidden", "tax_id": "masked"}}}],
}


@pytest.fixture
def accounts(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(BUNDLE), author="test", confirm=True)
    platform.records.bulk_create(SYSTEM, "account", [
        {"name": "Acme, Inc.", "tier": "Gold", "revenue": "1234.50", "since": "2024-02-29", "margin_note": SECRET,
         "tax_id": "123456789"},
        {"name": "=HYPERLINK(\"http://evil\")", "tier": "Silver", "revenue": "-5", "margin_note": SECRET},
    ])
    return platform


@pytest.fixture
def sales_user(accounts: Any) -> dict[str, str]:
    accounts.users.create(USER_EMAIL, USER_PASSWORD, roles=["sales"])
    return basic_auth(USER_EMAIL, USER_PASSWORD)


def sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def test_a_list_exports_as_xlsx_with_typed_cells_and_defused_formulas(browser: Any, accounts: Any) -> None:
    response = browser.get("/o/account/export.xlsx?col=name&col=tier&col=revenue&col=since&sort=name")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename=accounts-' in response.headers["Content-Disposition"]
    rows = sheet_rows(response.get_data())
    assert rows[0] == ("Name", "Tier", "Revenue", "Since")
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\")"  # text, never a formula
    assert rows[1][2] == -5
    assert rows[2][:3] == ("Acme, Inc.", "Gold", 1234.5)
    assert rows[2][3] == dt.datetime(2024, 2, 29)  # a real date cell


def test_the_list_page_offers_xlsx_beside_csv(browser: Any, accounts: Any) -> None:
    html = browser.get("/o/account").get_data(as_text=True)
    assert 'id="export-csv"' in html and 'id="export-xlsx"' in html and "/o/account/export.xlsx" in html


def test_xlsx_list_export_keeps_hidden_fields_out(client: Any, accounts: Any) -> None:
    from tests.platform.web.conftest import sign_in

    accounts.users.create(USER_EMAIL, USER_PASSWORD, roles=["sales"])
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    data = client.get("/o/account/export.xlsx?col=name&col=margin_note").get_data()
    assert SECRET not in str(sheet_rows(data))


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_the_api_exports_a_whole_object_as_the_caller(client: Any, sales_user: Any, fmt: str) -> None:
    response = client.get(f"/api/v1/records/account/export?format={fmt}", headers=sales_user)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_data()
    assert SECRET.encode() not in data and b"margin_note" not in data  # hidden: absent, name and value
    assert b"123456789" not in data  # masked fields stay masked
    if fmt == "json":
        records = [json.loads(line) for line in data.decode().splitlines()]
        assert [r["name"] for r in records] == ["Acme, Inc.", "=HYPERLINK(\"http://evil\")"]
        assert records[0]["revenue"] == "1234.50" and records[0]["tax_id"].endswith("6789")
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0][:2] == ["id", "name"] and rows[2][1].startswith("'=")
    else:
        rows = sheet_rows(data)
        assert rows[0][:2] == ("id", "name") and rows[1][3] == 1234.5


def test_an_admin_export_has_every_field_and_the_query_language_filters(client: Any, accounts: Any,
                                                                        admin_headers: Any) -> None:
    data = client.get("/api/v1/records/account/export?tier=Gold", headers=admin_headers).get_data(as_text=True)
    records = [json.loads(line) for line in data.splitlines()]
    assert len(records) == 1 and records[0]["margin_note"] == SECRET


def test_unknown_formats_and_unreadable_objects_are_refused(client: Any, accounts: Any, sales_user: Any,
                                                            admin_headers: Any) -> None:
    bad = client.get("/api/v1/records/account/export?format=pdf", headers=admin_headers)
    assert bad.status_code == 422 and "known formats" in bad.get_json()["detail"]
    accounts.metadata.apply(accounts.metadata.plan({"objects": [make_object("secret", fld("name"))]}),
                            author="test", confirm=True)
    assert client.get("/api/v1/records/secret/export", headers=sales_user).status_code == 403


def test_a_plugin_registers_its_own_format(client: Any, accounts: Any, admin_headers: Any) -> None:
    def pipes(source: ExportSource) -> Iterator[bytes]:
        for record in source.records:
            yield f"{record['name']}|{source.label('revenue')}={record.get('revenue')}\n".encode()

    register_export_format("pipes", pipes, media_type="text/plain", extension="txt")
    try:
        response = client.get("/api/v1/records/account/export?format=pipes", headers=admin_headers)
        assert response.get_data(as_text=True).splitlines()[0] == f"Acme, Inc.|Revenue={Decimal('1234.50')}"
        assert export_format("pipes").extension == "txt"
    finally:
        FORMATS.pop("pipes")
    with pytest.raises(ValueError):
        register_export_format("bad name!", pipes)


EVENTS = {"objects": [make_object(
    "showing", fld("title", required=True), fld("showing_start", "datetime"), fld("showing_end", "datetime")),
    make_object("deal", fld("name", required=True), fld("earnest_money_due_date", "date"),
                fld("projected_close_date", "date"))]}


def test_dates_export_as_icalendar_events_a_calendar_can_subscribe_to(app: Any, admin_headers: dict[str, str]) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(EVENTS), author="test", confirm=True)
    platform.records.create(SYSTEM, "showing", {"title": "418 Marina Dr; with Okafor, family",
                                                "showing_start": "2026-11-24T17:00:00Z",
                                                "showing_end": "2026-11-24T17:30:00Z"})
    platform.records.create(SYSTEM, "deal", {"name": "Marina purchase", "earnest_money_due_date": "2026-11-27",
                                             "projected_close_date": "2026-12-29"})
    client = app.test_client()
    response = client.get("/api/v1/records/showing/export?format=ics", headers=admin_headers)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261124T170000Z\r\nDTEND:20261124T173000Z" in text  # one timed event per showing
    assert "SUMMARY:418 Marina Dr\\; with Okafor\\, family" in text and "UID:showing-1-showing_start@metacrm" in text
    deals = client.get("/api/v1/records/deal/export?format=ics", headers=admin_headers).get_data(as_text=True)
    assert deals.count("BEGIN:VEVENT") == 2  # each deadline is an all-day event
    assert "DTSTART;VALUE=DATE:20261127" in deals and "SUMMARY:Earnest money due date: Marina purchase" in deals
    assert all(len(line.encode()) <= 75 for line in deals.split("\r\n"))
