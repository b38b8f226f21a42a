"""Generated forms and record pages in real Chromium: create with errors, inline edit, lookup type-ahead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metacrm.platform.records import SYSTEM
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, fld, make_object

from .conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ACCOUNT = make_object("account", fld("name", required=True), fld("website", "url"),
                      fld("industry", "picklist", options=[{"value": "Tech", "color": "#0d6efd"}, "Retail"]),
                      fld("revenue", "currency"), fld("employees", "integer"), fld("founded", "date"),
                      fld("description", "long_text"), icon="building")
CONTACT = make_object("contact", fld("full_name", required=True), fld("email", "email"),
                      fld("account", "lookup", target="account", on_delete="set_null"), fld("title"),
                      icon="person", name_field="full_name")
DEAL = make_object("deal", fld("title", required=True), fld("amount", "currency"),
                   fld("stage", "picklist", options=["Prospect", "Won"]),
                   fld("account", "master_detail", target="account"), icon="briefcase")


def define(app: Any, *objects: dict[str, Any]) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": list(objects)}), author="admin", confirm=True)


def test_a_user_creates_a_record_fixes_errors_and_edits_inline(app: Any, live_server: str, page: Any) -> None:
    sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert page.locator('#object-nav a[data-object="account"]').count() == 0
    define(app, ACCOUNT)  # while the server runs: no restart
    page.goto(f"{live_server}/")
    page.locator('#object-nav a[data-object="account"]').wait_for()

    page.goto(f"{live_server}/o/account/new")
    page.get_by_label("Website").fill("acme dot com")
    page.get_by_label("Revenue").fill("1200.555")
    page.get_by_label("Industry").select_option("Tech")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.locator("#form-errors")
    summary.wait_for()
    assert "3 problems" in summary.inner_text()
    assert page.locator("#f-name-error").inner_text() == "is required"
    assert page.locator("#f-website").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Website").input_value() == "acme dot com"  # input kept
    assert page.evaluate("document.activeElement.id") == "form-errors"
    page.screenshot(path=str(SCREENSHOTS / "record_new_errors.png"))

    page.get_by_label("Name").fill("Acme Corporation")
    page.get_by_label("Website").fill("https://acme.example")
    page.get_by_label("Revenue").fill("1200.50")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#record-title")
    assert page.locator("#record-title").inner_text() == "Acme Corporation"
    assert page.locator('[data-highlight="revenue"]').inner_text() == "$1,200.50"

    field = page.locator("#field-employees")
    field.hover()
    field.get_by_role("button", name="Edit Employees").click()
    page.locator("#field-employees form").wait_for()
    page.locator("#f-employees").fill("12.5")
    page.locator("#field-employees").get_by_role("button", name="Save").click()
    page.locator("#field-employees .invalid-feedback").wait_for()
    assert "whole number" in page.locator("#field-employees .invalid-feedback").inner_text()
    page.locator("#f-employees").fill("250")
    page.locator("#f-employees").press("Enter")
    page.locator("#field-employees.app-field-saved").wait_for()
    assert page.locator("#field-employees .app-field-text").inner_text() == "250"
    record_id = page.url.rsplit("/", 1)[-1]
    assert app.extensions["metacrm"].records.get(SYSTEM, "account", record_id)["employees"] == 250


def test_a_lookup_type_ahead_links_records_and_the_page_shows_related_lists(app: Any, live_server: str,
                                                                           page: Any) -> None:
    define(app, ACCOUNT, CONTACT, DEAL)
    records = app.extensions["metacrm"].records
    acme = records.create(SYSTEM, "account", {"name": "Acme Corporation", "industry": "Tech", "revenue": "1200000",
                                               "website": "https://acme.example", "employees": 250,
                                               "founded": "1999-04-01"})
    records.create(SYSTEM, "account", {"name": "Globex"})
    for title, amount, stage in (("Renewal 2026", "48000", "Prospect"), ("Platform upgrade", "125000", "Won")):
        records.create(SYSTEM, "deal", {"title": title, "amount": amount, "stage": stage, "account": acme["id"]})
    records.create(SYSTEM, "contact", {"full_name": "Grace Hopper", "email": "grace@acme.example",
                                       "title": "CTO", "account": acme["id"]})
    records.update(SYSTEM, "account", acme["id"], {"industry": "Retail", "employees": 320})
    sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"{live_server}/o/contact/new")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.locator("#f-account-ts-control").fill("Acm")
    option = page.locator(".ts-dropdown .option", has_text="Acme Corporation")
    option.wait_for()
    assert page.locator(".ts-dropdown .option", has_text="Globex").count() == 0
    option.click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#record-title")
    link = page.locator("#field-account a")
    assert link.inner_text() == "Acme Corporation" and link.get_attribute("href") == f"/o/account/{acme['id']}"

    link.click()
    page.wait_for_selector('[data-related="contact.account"]')
    assert page.locator('[data-related="contact.account"] tbody tr').count() == 2
    assert page.locator('[data-related="deal.account"] tbody tr').count() == 2
    assert "changed 2 fields" in page.locator(".app-timeline").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "record_page.png"))
