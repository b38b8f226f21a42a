"""An admin builds an object in the browser, uses it, changes it, and rolls the change back — in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def review_and_apply(page: Any, reason: str, *, destructive: bool = False) -> None:
    """Press "Review the change…", read the plan, give a reason and apply."""
    page.get_by_role("button", name="Review the change…").click()
    page.wait_for_selector("#plan")
    page.get_by_label("Why are you making this change?").fill(reason)
    if destructive:
        page.get_by_label("I have read the plan").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector("text=Saved as metadata version")


def add_field(page: Any, base: str, type_label: str, label: str, **fill: str) -> None:
    page.goto(f"{base}/admin/objects/property/")
    page.get_by_label("Type of the new field").select_option(label=type_label)
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Label", exact=True).fill(label)
    for selector, value in fill.items():
        page.fill(f"#{selector}", value)
    review_and_apply(page, f"add {label}")


def test_build_an_object_use_it_and_roll_a_change_back(signed_in: Any, live_server: str) -> None:
    page, base = signed_in, live_server
    page.click("#user-menu")
    page.click("#setup-link")
    page.get_by_role("link", name="Manage objects").click()
    page.get_by_role("link", name="New object").click()
    page.get_by_label("Label", exact=True).fill("Property")
    assert page.locator("#name").input_value() == "property"  # suggested as you type
    page.locator('#icon-picker label[title="house"]').click()
    review_and_apply(page, "we sell houses")
    assert page.locator("h1 .bi-house").count() == 1
    assert page.url.endswith("/admin/objects/property/")

    add_field(page, base, "Currency", "Asking price")
    add_field(page, base, "Date", "Listed on")
    add_field(page, base, "Whole number", "Rooms")
    add_field(page, base, "Checkbox", "Has garden")
    # a picklist with three choices, the last dragged to the top
    page.goto(f"{base}/admin/objects/property/")
    page.get_by_label("Type of the new field").select_option(label="Picklist")
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Label", exact=True).fill("Status")
    for i, choice in enumerate(("Available", "Sold", "Draft")):
        if i:
            page.click("#add-option")
        page.locator(".option-row").nth(i).get_by_label("Stored value").fill(choice.lower())
        page.locator(".option-row").nth(i).get_by_label("Choice label").fill(choice)
    page.locator(".option-row").nth(2).locator(".drag-handle").drag_to(page.locator(".option-row").nth(0))
    assert page.locator(".option-row").nth(0).get_by_label("Stored value").input_value() == "draft"
    page.screenshot(path=str(SHOTS / "builder_field_editor.png"), full_page=True)
    review_and_apply(page, "track the status")
    fields = page.locator("#fields tbody tr")
    assert [fields.nth(i).get_attribute("data-field") for i in range(fields.count())] == \
        ["name", "asking_price", "listed_on", "rooms", "has_garden", "status"]

    # a record, then one more field, then roll the field back
    page.goto(f"{base}/o/property/new")
    page.get_by_label("Name").fill("Sea View Cottage")
    page.get_by_label("Rooms").fill("4")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r".*/o/property/\d+$"))
    record_id = page.url.rsplit("/", 1)[1]
    page.goto(f"{base}/admin/objects/")
    assert page.locator('tr[data-object="property"] .records').inner_text() == "1"
    page.screenshot(path=str(SHOTS / "builder_objects.png"), full_page=True)
    add_field(page, base, "Text", "Energy rating")
    page.goto(f"{base}/o/property/new")
    assert page.locator("#f-energy_rating").count() == 1
    api = f"{base}/api/v1/records/property/{record_id}"
    assert "energy_rating" in page.request.get(api, headers=basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD)).json()

    page.goto(f"{base}/admin/history/")
    page.screenshot(path=str(SHOTS / "builder_history.png"), full_page=True)
    page.locator('[data-version]').nth(1).get_by_role("link", name="Restore this version…").click()
    assert "energy_rating" in page.locator("#plan").inner_text()
    page.get_by_label("Why are you making this change?").fill("not needed after all")
    page.get_by_label("I have read the plan").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector("text=Saved as metadata version")
    page.goto(f"{base}/o/property/new")
    page.wait_for_selector("#f-name")
    assert page.locator("#f-energy_rating").count() == 0
    record = page.request.get(api, headers=basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD)).json()
    assert "energy_rating" not in record and record["name"] == "Sea View Cottage" and record["rooms"] == 4
