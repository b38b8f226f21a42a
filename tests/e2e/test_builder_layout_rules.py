"""The builder in real Chromium: drag a field into another section's column and see the end-user form
follow; add a validation rule and see the form refuse a record with its message; make a role read-only in
the matrix and see its user lose the Edit button. Screenshots of each page go to docs/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import ADMIN_PASSWORD, fld, make_object

from .conftest import sign_in

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEAL = make_object("deal", fld("title", required=True), fld("stage", "picklist", options=["New", "Won", "Lost"]),
                   fld("amount", "currency"), fld("close_date", "date"), fld("notes", "long_text"),
                   layouts=[{"name": "main", "label": "Main", "default": True,
                             "sections": [{"label": "Deal", "columns": 2, "fields": ["title", "stage", "amount"]},
                                          {"label": "Dates", "columns": 2, "fields": ["close_date"]}]}])
SALES = {"name": "sales", "label": "Sales", "objects": {"deal": {"create": True, "read": True, "update": True}}}


@pytest.fixture
def crm(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": [DEAL], "roles": [SALES]}), author="test",
                            confirm=True)
    return platform


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def drag(page: Any, item: Any, target: Any) -> None:
    """A person's drag: press, move a little (SortableJS's threshold), travel, release."""
    box, goal = item.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 20, box["y"] + 20, steps=4)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=15)
    page.mouse.up()


def apply_plan(page: Any, button: str) -> None:
    page.click(button)
    page.wait_for_selector("#plan, #draft-problems, #plan-problems")
    assert page.locator("#plan").count() == 1, page.locator("#draft-problems, #plan-problems").inner_text()
    page.click("#apply-button")
    page.wait_for_selector(".alert-success")


def test_drag_a_field_into_another_section_and_the_form_follows(signed_in: Any, live_server: str, crm: Any) -> None:
    page = signed_in
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/admin/objects/deal/layouts/main")
    page.wait_for_selector("#preview-form")
    assert not errors, errors
    dates_second_column = page.locator(".le-section").nth(1).locator('.le-list[data-column="2"]')
    drag(page, page.locator('#le-sections .le-chip[data-field="amount"]'), dates_second_column)
    assert dates_second_column.locator('[data-field="amount"]').count() == 1
    drag(page, page.locator('#le-palette .le-chip[data-field="notes"]'),
         page.locator(".le-section").nth(0).locator('.le-list[data-column="1"]'))
    page.wait_for_function("document.querySelector('#preview-form [data-section=\"Dates\"] [data-field=\"amount\"]')"
                           " && document.querySelector('#preview-form [data-section=\"Deal\"] [data-field=\"notes\"]')")
    shot(page, "builder_layout.png")
    apply_plan(page, "#le-save")
    layout = crm.metadata.current().compiled.object("deal").definition.layouts[0]
    assert layout.sections[1].fields == ("close_date", "amount") and "notes" in layout.sections[0].fields
    page.goto(f"{live_server}/o/deal/new")
    dates = page.locator("#record-form .card", has_text="Dates")
    assert dates.locator('[data-field="amount"]').count() == 1
    assert page.locator('#record-form [data-field="notes"]').count() == 1


def test_a_rule_added_in_the_editor_is_enforced_in_the_form(signed_in: Any, live_server: str, crm: Any) -> None:
    page = signed_in
    page.goto(f"{live_server}/admin/objects/deal/rules/")
    page.fill("#name", "no_negative_amounts")
    page.fill("#condition", "amount >= ")
    page.wait_for_selector("#condition-check .text-danger")
    assert "line 1, column" in page.locator("#condition-check").inner_text()
    page.fill("#condition", "amount is None or amount >= 0")
    page.wait_for_selector("#condition-check .text-success")
    page.fill("#message", "The amount cannot be negative")
    page.select_option("#fields", "amount")
    shot(page, "builder_rules.png")
    apply_plan(page, "#rule-save")
    assert "no_negative_amounts" in page.locator("#rules").inner_text()
    page.goto(f"{live_server}/o/deal/new")
    page.fill("#f-title", "Refund")
    page.fill("#f-amount", "-5")
    page.click('#record-form button[type="submit"]')
    page.wait_for_selector("#form-errors")
    assert "The amount cannot be negative" in page.content()
    assert page.url.endswith("/o/deal/new")  # refused: no record page to go to
    # The list view editor and the users page render for the admin (screenshots for the docs).
    page.goto(f"{live_server}/admin/objects/deal/views/")
    page.wait_for_selector("form")
    shot(page, "builder_views.png")
    page.goto(f"{live_server}/admin/users/")
    page.wait_for_selector("table")
    shot(page, "builder_users.png")


def test_a_read_only_role_loses_the_edit_button(app: Any, live_server: str, page: Any, crm: Any) -> None:
    rep = crm.users.create("rep@example.com", ADMIN_PASSWORD, roles=["sales"])
    deal = crm.records.create(SYSTEM, "deal", {"title": "Harbour", "owner": rep.id})
    sign_in(page, live_server, "admin@example.com", ADMIN_PASSWORD)
    page.goto(f"{live_server}/admin/roles/sales")
    page.uncheck('[name="perm:deal:update"]')
    page.uncheck('[name="perm:deal:create"]')
    page.click('[data-fields-of="deal"] summary')
    page.select_option('[name="field:deal:amount"]', "read_only")
    shot(page, "builder_roles.png")
    apply_plan(page, "#role-save")
    assert dict(crm.metadata.current().compiled.bundle.roles["sales"].objects["deal"]) == {"read": True}
    page.context.clear_cookies()
    sign_in(page, live_server, "rep@example.com", ADMIN_PASSWORD)
    page.goto(f"{live_server}/o/deal/{deal['id']}")
    assert "Harbour" in page.content() and page.locator("#edit-record").count() == 0
    assert page.goto(f"{live_server}/admin/roles/").status == 403
