"""The issue's acceptance in real Chromium: a sales rep signs in, creates a lead, converts it from the lead
page, opens the new opportunity, moves it through its stages to Closed Won and finds the onboarding case."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from metacrm.platform.packs.service import PackService
from metacrm.platform.packs.source import open_pack
from metacrm.platform.records import SYSTEM

from .conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "a long enough passphrase"


@pytest.fixture
def crm(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    with open_pack("base_crm") as source:
        PackService(platform.metadata, platform.records).install(source)
    platform.users.create("rep@example.com", PASSWORD, name="Rita Rep", roles=["sales_rep"])
    return platform


def _set_stage(page: Any, base: str, opp_id: str, stage: str) -> None:
    page.goto(f"{base}/o/opportunity/{opp_id}/edit")
    page.get_by_label("Stage").select_option(stage)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(rf"/o/opportunity/{opp_id}$"))
    assert page.locator('[data-highlight="stage"], #field-stage').first.inner_text().find(stage) >= 0


def test_a_sales_rep_works_a_lead_to_a_won_opportunity(page: Any, live_server: str, crm: Any) -> None:
    existing = crm.records.create(SYSTEM, "account", {"name": "Analytical Engines Ltd"})
    sign_in(page, live_server, "rep@example.com", PASSWORD)
    page.goto(f"{live_server}/o/lead/new")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Company").fill("Analytical Engines Ltd")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Status").select_option("Open - Not Contacted")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/o/lead/\d+$"))
    lead_id = page.url.rsplit("/", 1)[1]

    page.locator("#convert-convert").click()
    page.wait_for_selector("#convert-form")
    # The account matched by name is offered and chosen; contact and opportunity are new.
    assert page.locator(f"#account-use-{existing['id']}").is_checked()
    assert page.locator("#contact-new").is_checked()
    page.locator("#opportunity-name").fill("Analytical Engines - 50 seats")
    page.screenshot(path=str(SCREENSHOTS / "lead_conversion.png"))
    page.locator("#confirm-convert").click()
    page.wait_for_url(re.compile(r"/o/opportunity/\d+$"))
    opp_id = page.url.rsplit("/", 1)[1]
    assert "Analytical Engines - 50 seats" in page.locator("#record-title").inner_text()

    lead = crm.records.get(SYSTEM, "lead", int(lead_id))
    assert lead["is_converted"] and lead["converted_account"] == existing["id"]
    page.goto(f"{live_server}/o/lead/{lead_id}")
    assert page.locator("#converted-badge").is_visible() and page.locator("#convert-convert").count() == 0

    for stage in ("Qualification", "Proposal/Price Quote", "Closed Won"):
        _set_stage(page, live_server, opp_id, stage)
    opp = crm.records.get(SYSTEM, "opportunity", int(opp_id))
    assert (opp["probability"], opp["is_won"], opp["forecast_category"]) == (100, True, "Closed")

    page.goto(f"{live_server}/o/support_case")
    case = page.locator("tr", has_text="Onboard Analytical Engines - 50 seats")
    case.wait_for()
    case.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/o/support_case/\d+$"))
    assert "Onboarding" in page.content()

