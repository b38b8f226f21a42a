"""CSV export of a list, and what a restricted role never sees: hidden fields stay out of list HTML,
exports and search results (checked on raw bytes, for the field's name and its value)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, USER_PASSWORD, sign_in

SECRET = "Zanzibar-7731"
BUNDLE = {
    "objects": [make_object(
        "account", fld("name", required=True), fld("tier", "picklist", options=["Gold", "Silver"]),
        fld("revenue", "currency"), fld("since", "date"), fld("margin_note", searchable=True),
        search_fields=["name", "margin_note"])],
    "roles": [{"name": "sales", "objects": {"account": {"read": True, "update": True}},
               "fields": {"account": {"margin_note": "hidden"}}}],
}


@pytest.fixture
def accounts(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(BUNDLE), author="test", confirm=True)
    platform.records.bulk_create(SYSTEM, "account", [
        {"name": "Acme, Inc.", "tier": "Gold", "revenue": "1234.50", "since": "2024-02-29", "margin_note": SECRET},
        {"name": "=HYPERLINK(\"http://evil\")", "tier": "Silver", "revenue": "-5", "margin_note": SECRET},
        {"name": "Ünïcode “quoted”", "revenue": "0"},
        {"name": "@risk", "margin_note": "+plus"},
    ])
    return platform


def read_csv(response: Any) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def test_the_export_is_the_list_on_screen(browser: Any, accounts: Any) -> None:
    response = browser.get("/o/account/export.csv?col=name&col=tier&col=revenue&col=since&sort=name")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="accounts-')
    rows = read_csv(response)
    assert rows[0] == ["Name", "Tier", "Revenue", "Since"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "Silver", "-5.00", ""]  # formula defused; numbers kept
    assert rows[2] == ["'@risk", "", "", ""]
    assert rows[3] == ["Acme, Inc.", "Gold", "1234.50", "2024-02-29"]
    assert rows[4] == ["Ünïcode “quoted”", "", "0.00", ""]


def test_the_export_follows_filters_and_streams_every_page(browser: Any, accounts: Any) -> None:
    accounts.records.bulk_create(SYSTEM, "account", [{"name": f"Bulk {i:04d}", "tier": "Gold"} for i in range(450)])
    rows = read_csv(browser.get("/o/account/export.csv?tier=Gold&col=name&sort=name"))
    assert len(rows) == 1 + 451  # header + every Gold account, over three reader pages
    assert rows[1] == ["Acme, Inc."] and rows[-1] == ["Bulk 0449"]


def test_a_plus_sign_in_text_is_defused_too(browser: Any, accounts: Any) -> None:
    rows = read_csv(browser.get("/o/account/export.csv?col=name&col=margin_note&name=@risk"))
    assert rows[1] == ["'@risk", "'+plus"]


@pytest.fixture
def sales_user(app: Any, accounts: Any, plain_user: Any) -> Any:
    app.extensions["metacrm"].users.set_roles(plain_user.id, ["sales"])
    client = app.test_client()
    assert sign_in(client, USER_EMAIL, USER_PASSWORD).status_code == 302
    return client


def test_hidden_fields_never_reach_a_restricted_role(sales_user: Any) -> None:
    urls = [
        "/o/account",
        "/o/account?cols=name,margin_note,tier",
        "/o/account/export.csv?cols=name,margin_note",
        "/o/account/export.csv",
        "/o/account/kanban?by=tier",
        "/search?q=Acme",
        "/search/suggest?q=Acme",
        f"/search?q={SECRET[:8]}",
    ]
    pages = []
    for url in urls:
        response = sales_user.get(url)
        raw = response.get_data()  # read each (streamed) body before the next request
        assert response.status_code == 200, raw[:300]
        assert SECRET.encode() not in raw and b"margin_note" not in raw and b"Margin note" not in raw, url
        pages.append(raw)
    assert b"Acme" in pages[5] and b"Acme" in pages[6]  # search still finds the record by its visible name
    assert b"Nothing matches" in pages[7]  # ...but not by the hidden field's value


def test_filtering_on_a_hidden_field_is_refused_without_leaking(sales_user: Any) -> None:
    html = sales_user.get("/o/account?margin_note__icontains=Zanz").get_data(as_text=True)
    assert 'id="list-error"' in html and "<tr data-id=" not in html
    assert SECRET not in html


def test_the_admin_sees_the_field(browser: Any, accounts: Any) -> None:
    assert SECRET.encode() in browser.get("/o/account?cols=name,margin_note").get_data()
