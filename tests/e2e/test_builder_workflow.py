"""The workflow editor in real Chromium: an admin builds "when a deal's stage changes to Won, create a
follow-up task" without typing JSON (trigger fieldset shown by the page's script, condition checked as it
is typed, a second action row added and removed), applies the plan; then a sales rep moves a deal to Won
through the record form and the task shows in the deal's related list. Saves docs/screenshots/builder_workflow.png
and builder_state_machine.png (the deal's stage machine, drawn)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import ADMIN_PASSWORD, fld, make_object

from .conftest import sign_in

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEAL = make_object("deal", fld("title", required=True), fld("stage", "picklist", options=["New", "Won", "Lost"]),
                   fld("amount", "currency"),
                   state_machines=[{"field": "stage", "initial": "New",
                                    "transitions": [{"from": "New", "to": ["Won", "Lost"]},
                                                    {"from": "Won", "to": "New", "roles": ["admin"],
                                                     "condition": "amount > 0"},
                                                    {"from": "*", "to": "Lost"}],
                                    "states": {"Lost": {"locked": True}}}])
TASK = make_object("task", fld("subject", required=True), fld("due_date", "date"),
                   fld("deal", "lookup", target="deal"))
SALES = {"name": "sales", "label": "Sales", "objects": {"deal": {"create": True, "read": True, "update": True},
                                                        "task": {"read": True}}}


@pytest.fixture
def crm(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": [DEAL, TASK], "roles": [SALES]}), author="test",
                            confirm=True)
    return platform


def test_an_admin_builds_a_workflow_and_a_field_change_creates_a_task(signed_in: Any, live_server: str,
                                                                       crm: Any) -> None:
    page = signed_in
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/admin/objects/deal/")
    page.click("#state-machines-tab")
    page.wait_for_selector('.state-machine[data-field="stage"] svg .sd-move')
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "builder_state_machine.png"), full_page=True)
    page.go_back()
    page.click("#workflows-tab")
    page.click("#new-workflow")
    page.wait_for_selector("#workflow-form")
    assert not page.locator('.wf-trigger[data-trigger="field_changed"]').is_visible()
    page.fill("#label", "Won: follow up")
    page.fill("#name", "won_follow_up")
    page.select_option("#trigger_type", "field_changed")
    page.select_option("#changed_field", "stage")
    page.fill("#changed_to", "Won")
    assert not page.locator('.wf-trigger[data-trigger="time"]').is_visible()
    page.fill("#condition", "amont > 0")
    page.wait_for_selector("#condition-check .text-danger")
    assert 'did you mean "amount"' in page.locator("#condition-check").inner_text()
    page.fill("#condition", "amount > 0 and old.stage != 'Won'")
    page.wait_for_selector("#condition-check .text-success")
    first = page.locator("#actions .wf-action").nth(0)
    first.locator('[name="a_object"]').select_option("task")
    first.locator('[name="a_fields"]').fill("subject: =concat('Follow up ', title)\n"
                                           "due_date: =today() + days(3)\ndeal: =record.id")
    assert not first.locator('[name="a_url"]').is_visible()
    page.click("#add-action")
    second = page.locator("#actions .wf-action").nth(1)
    second.locator(".wf-type").select_option("notify")
    second.locator('[name="a_to"]').fill("owner")
    second.locator('[name="a_message"]').fill("{{ record.title }} was won")
    assert not second.locator('[name="a_fields"]').is_visible()
    page.click("#add-action")
    page.locator("#actions .wf-action").nth(2).locator(".wf-remove").click()
    assert page.locator("#actions .wf-action").count() == 2
    assert not errors, errors
    page.screenshot(path=str(SHOTS / "builder_workflow.png"), full_page=True)
    page.click("#workflow-save")
    page.wait_for_selector("#plan, #draft-problems, #plan-problems")
    assert page.locator("#plan").count() == 1, page.locator("#draft-problems, #plan-problems").inner_text()
    page.click("#apply-button")
    page.wait_for_selector(".alert-success")
    assert "stage changes to Won" in page.locator("#workflows").inner_text()
    [saved] = crm.metadata.current().compiled.object("deal").definition.workflows
    assert [a.type for a in saved.actions] == ["create_record", "notify"]

    rep = crm.users.create("rep@example.com", ADMIN_PASSWORD, roles=["sales"])
    deal = crm.records.create(SYSTEM, "deal", {"title": "Harbour", "stage": "New", "amount": "900",
                                               "owner": rep.id})
    page.context.clear_cookies()
    sign_in(page, live_server, "rep@example.com", ADMIN_PASSWORD)
    page.goto(f"{live_server}/o/deal/{deal['id']}/edit")
    page.select_option("#f-stage", "Won")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{live_server}/o/deal/{deal['id']}")
    related = page.locator('[data-related="task.deal"]')
    assert "Follow up Harbour" in related.inner_text()
