"""The workflow editor: form data ⇄ workflow document as pure functions, then the pages — create, edit,
switch off and delete a workflow through plan/apply with CSRF, an invalid condition answered beside its input
and at its JSON path, and 403 for non-admins. A saved workflow runs: a stage change creates a task."""

from __future__ import annotations

import html
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.admin import workflow_forms as wf
from metacrm.metadata.workflows import ACTION_KEYS, TRIGGER_KEYS
from metacrm.platform.records.actor import Actor
from tests.admin.builder_helpers import DEAL, only_admins, save_and_apply
from tests.conftest import fld, make_object
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

BASE = "/admin/objects/deal/workflows"
ADMIN = Actor(id=1, email="admin@example.com", is_admin=True)
TASK = make_object("task", fld("subject", required=True), fld("due_date", "date"),
                   fld("deal", "lookup", target="deal"))
WON = {"name": "won_follow_up", "label": "Won: follow up", "description": "A task for the owner",
       "trigger": {"type": "field_changed", "field": "stage", "to": "Won"}, "condition": "amount > 100",
       "actions": [{"type": "create_record", "object": "task",
                    "fields": {"subject": "=concat('Follow up ', title)", "due_date": "=today() + days(3)",
                               "deal": "=record.id", "owner": "=owner"}},
                   {"type": "set_field", "fields": {"notes": "won", "amount": 5, "close_date": None}},
                   {"type": "send_email", "to": ["owner", "owner.manager"], "subject": "{{ record.title }} won",
                    "body": "Line one\nLine two", "when": "amount > 1000"},
                   {"type": "notify", "to": "owner", "message": "{{ record.title }} was won"},
                   {"type": "call_webhook", "url": "https://example.com/hook"},
                   {"type": "wait", "for": 2, "unit": "days"}]}
FORM = {"original": "", "name": "won_follow_up", "label": "Won: follow up", "active": "y",
        "trigger_type": "field_changed", "changed_field": "stage", "changed_from": "", "changed_to": "Won",
        "condition": "amount > 100",
        "a_type": ["create_record"], "a_object": ["task"], "a_when": [""], "a_to": [""], "a_subject": [""],
        "a_body": [""], "a_message": [""], "a_url": [""], "a_json": [""],
        "a_fields": ["subject: =concat('Follow up ', title)\ndue_date: =today() + days(3)\ndeal: =record.id"]}


# --- pure: form data ⇄ document ------------------------------------------------------------------
def test_a_workflow_round_trips_through_the_form_data() -> None:
    data, rows = wf.workflow_to_data(WON)
    assert data["trigger_type"] == "field_changed" and data["changed_to"] == "Won"
    assert [r["type"] for r in rows] == ["create_record", "set_field", "send_email", "notify", "call_webhook",
                                         "other"]  # no inputs for "wait": an expert JSON row keeps it
    assert "due_date: =today() + days(3)" in rows[0]["fields"] and 'amount: 5' in rows[1]["fields"]
    assert wf.workflow_from_data(data, rows) == WON


@pytest.mark.parametrize("trigger", [
    {"type": "created"}, {"type": "deleted"}, {"type": "created_or_updated"},
    {"type": "field_changed", "field": "stage", "from": ["New", "Lost"], "to": "Won"},
    {"type": "time", "field": "close_date", "offset": 3, "unit": "business_days", "direction": "before"},
    {"type": "schedule", "cron": "0 7 * * 1-5", "filter": {"stage": ["New", "Won"], "amount__gte": "100"}},
    {"type": "manual", "label": "Escalate"}, {"type": "webhook", "secret_env": "ERP"},
    {"type": "form_submitted", "form": "contact_us"},
])
def test_every_trigger_round_trips_with_the_metadata_keys(trigger: dict[str, Any]) -> None:
    back = wf.trigger_from_data(wf.trigger_to_data(trigger))
    assert back == trigger
    assert set(back) - {"type"} <= TRIGGER_KEYS[trigger["type"]]


def test_actions_use_the_metadata_keys_and_text_that_looks_like_a_literal_stays_text() -> None:
    for kind, keys in wf.FORM_KEYS.items():
        assert keys <= ACTION_KEYS[kind]
    assert wf.parse_mapping('a: 12\nb: "12"\nc: true\nd: =x + 1\ne: plain words', "p") == \
        {"a": 12, "b": "12", "c": True, "d": "=x + 1", "e": "plain words"}
    for value in ("12", "true", " padded", '"quoted"', "=expr", "null", "two\nlines"):
        assert wf.parse_value(wf.format_value(value)) == value
    lines = {"a": "two\nlines", "b": "x: y"}
    assert wf.parse_mapping(wf.format_mapping(lines), "p") == lines
    with pytest.raises(wf.FormProblems) as bad:
        wf.workflow_from_data({"name": "x", "trigger_type": "time", "time_offset": "soon"},
                              [{"type": "other", "json": "{not json"}, {"type": "set_field", "fields": "no colon"}])
    assert [p["path"] for p in bad.value.problems] == ["trigger.offset", "actions[0]", "actions[1].fields"]


def test_the_object_document_gets_the_workflow_replaced_removed_or_toggled() -> None:
    document = {"name": "deal", "fields": [], "workflows": [{"name": "a", "owner": "pack:x"}, {"name": "b"}]}
    replaced = wf.with_workflow(document, "a", {"name": "a2"})
    assert replaced["workflows"] == [{"name": "a2", "owner": "pack:x"}, {"name": "b"}]
    assert wf.with_workflow(document, "", {"name": "c"})["workflows"][-1] == {"name": "c"}
    assert [w["name"] for w in wf.without_workflow(document, "a")["workflows"]] == ["b"]
    off = wf.toggled(document, "b")
    assert off["workflows"][1] == {"name": "b", "active": False}
    assert wf.toggled(off, "b")["workflows"][1] == {"name": "b"}
    assert wf.describe_trigger({"type": "field_changed", "field": "stage", "to": "Won"}) == "stage changes to Won"
    assert wf.describe_trigger({"type": "time", "field": "close_date", "offset": 2, "unit": "business_days",
                                "direction": "before"}) == "2 business days before close_date"


# --- the pages -----------------------------------------------------------------------------------
@pytest.fixture
def crm(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": [DEAL, TASK]}), author="test", confirm=True)
    return platform


def _workflows(crm: Any) -> Any:
    return crm.metadata.current().compiled.object("deal").definition.workflows


def test_creating_a_workflow_plans_then_applies_it_and_it_runs(browser: Any, crm: Any) -> None:
    listing = browser.get(f"{BASE}/").get_data(as_text=True)
    assert "No workflows yet" in listing and f"{BASE}/new" in listing
    editor = browser.get(f"{BASE}/new").get_data(as_text=True)
    assert 'id="trigger_type"' in editor and 'name="a_type"' in editor and 'id="action-template"' in editor
    plan_page, done = save_and_apply(browser, f"{BASE}/new", f"{BASE}/save", **FORM)
    assert "update deal" in plan_page.get_data(as_text=True) and done.status_code == 302
    [saved] = _workflows(crm)
    assert saved.trigger.to_json() == {"type": "field_changed", "field": "stage", "to": "Won"}
    assert saved.actions[0].to_json()["fields"]["deal"] == "=record.id"
    assert crm.metadata.history()[0].author == "admin@example.com"
    listing = browser.get(f"{BASE}/").get_data(as_text=True)
    assert "stage changes to Won" in listing and "won_follow_up" in listing
    deal = crm.records.create(ADMIN, "deal", {"title": "Harbour", "stage": "New", "amount": "500"})
    crm.records.update(ADMIN, "deal", deal["id"], {"stage": "Won"})
    table = crm.metadata.current().tables["task"]
    with crm.engine.connect() as conn:
        tasks = conn.execute(sa.select(table.c.subject, table.c.deal)).all()
    assert [tuple(t) for t in tasks] == [("Follow up Harbour", deal["id"])]


def test_editing_toggling_and_deleting_a_workflow(browser: Any, crm: Any) -> None:
    save_and_apply(browser, f"{BASE}/new", f"{BASE}/save", **FORM)
    editor = html.unescape(browser.get(f"{BASE}/won_follow_up").get_data(as_text=True))
    assert 'value="won_follow_up"' in editor and "due_date: =today() + days(3)" in editor
    assert '"type": "field_changed"' in editor  # the read-only JSON view
    two_actions = {**FORM, "original": "won_follow_up", "a_type": ["notify", "create_record"],
                   "a_to": ["owner", ""], "a_message": ["{{ record.title }} won", ""],
                   **{k: FORM[k] * 2 if k != "a_fields" else ["", FORM["a_fields"][0]]
                      for k in ("a_object", "a_when", "a_subject", "a_body", "a_url", "a_json", "a_fields")}}
    _, done = save_and_apply(browser, f"{BASE}/won_follow_up", f"{BASE}/save", **two_actions)
    assert done.status_code == 302
    assert [a.type for a in _workflows(crm)[0].actions] == ["notify", "create_record"]
    token = csrf_of(browser.get(f"{BASE}/").get_data(as_text=True))
    toggle_plan = browser.post(f"{BASE}/won_follow_up/toggle", data={"csrf_token": token})
    assert toggle_plan.status_code == 200 and 'id="apply-form"' in toggle_plan.get_data(as_text=True)
    _, done = save_and_apply(browser, f"{BASE}/", f"{BASE}/won_follow_up/toggle")
    assert done.status_code == 302 and _workflows(crm)[0].active is False
    assert "switch on" in browser.get(f"{BASE}/").get_data(as_text=True)
    _, done = save_and_apply(browser, f"{BASE}/won_follow_up", f"{BASE}/won_follow_up/delete")
    assert done.status_code == 302 and _workflows(crm) == ()
    assert browser.get(f"{BASE}/won_follow_up").status_code == 404


def test_an_invalid_condition_is_checked_inline_and_refused_at_its_json_path(browser: Any, crm: Any) -> None:
    token = csrf_of(browser.get(f"{BASE}/new").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    check = html.unescape(browser.post(f"{BASE}/check", data={"condition": "amont > 1"},
                                       headers=headers).get_data(as_text=True))
    assert 'refers to "amont"' in check and 'did you mean "amount"' in check
    assert "line 1, column" in browser.post(f"{BASE}/check", data={"condition": "amount >"},
                                            headers=headers).get_data(as_text=True)
    assert "reads well" in browser.post(f"{BASE}/check", data={"condition": "old.stage != 'Won'"},
                                        headers=headers).get_data(as_text=True)
    bad = browser.post(f"{BASE}/save", data={**FORM, "csrf_token": token, "condition": "amont > 1"})
    text = html.unescape(bad.get_data(as_text=True))
    assert bad.status_code == 422 and "workflows[0].condition" in text and 'did you mean "amount"' in text
    assert 'class="small text-danger wf-error"' in text  # beside the condition too
    wrong_field = browser.post(f"{BASE}/save", data={**FORM, "csrf_token": token,
                                                     "a_fields": ["subjct: Call"]})
    assert wrong_field.status_code == 422 and "actions[0].fields.subjct" in wrong_field.get_data(as_text=True)
    no_csrf = browser.post(f"{BASE}/save", data=FORM)
    assert no_csrf.status_code == 400
    assert _workflows(crm) == ()


def test_only_admins_reach_the_workflow_editor(client: Any, plain_user: Any, crm: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    only_admins(client, [f"{BASE}/", f"{BASE}/new", f"{BASE}/anything"],
                [f"{BASE}/check", f"{BASE}/save", f"{BASE}/apply", f"{BASE}/x/delete", f"{BASE}/x/toggle"])
