"""The validation rule editor: inline condition checks with line and column, trying a rule on a record,
and saving through plan/apply, after which the record service enforces the rule."""

from __future__ import annotations

import html
from typing import Any

import pytest

from metacrm.platform.records.actor import Actor
from tests.admin.builder_helpers import add_deal, only_admins, save_and_apply
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

BASE = "/admin/objects/deal/rules"
RULE = {"original": "", "name": "no_negative_amounts", "condition": "amount is None or amount >= 0",
        "message": "The amount cannot be negative", "fields": "amount", "when": "always", "active": "y"}
ADMIN = Actor(id=1, email="admin@example.com", is_admin=True)


@pytest.fixture(autouse=True)
def deal(app: Any) -> None:
    add_deal(app)


def check(browser: Any, condition: str) -> str:
    token = csrf_of(browser.get(f"{BASE}/").get_data(as_text=True))
    return html.unescape(browser.post(f"{BASE}/check", data={"condition": condition},
                                      headers={"X-CSRFToken": token}).get_data(as_text=True))


def test_the_condition_is_checked_as_it_is_typed(browser: Any) -> None:
    assert "reads well" in check(browser, "amount >= 0 and stage != 'Lost'")
    assert "line 1, column" in check(browser, "amount >= ")
    unknown = check(browser, "amont > 0")
    assert 'refers to "amont"' in unknown and 'did you mean "amount"' in unknown
    assert "underscore" in check(browser, "amount.__class__")


def test_saving_a_rule_plans_then_applies_it_and_records_are_refused(browser: Any, app: Any) -> None:
    plan_page, done = save_and_apply(browser, f"{BASE}/", f"{BASE}/save", **RULE)
    assert 'id="plan"' in plan_page.get_data(as_text=True)
    assert done.status_code == 302
    obj = app.extensions["metacrm"].metadata.current().compiled.object("deal").definition
    assert [r.name for r in obj.validation_rules] == ["no_negative_amounts"]
    assert app.extensions["metacrm"].metadata.history()[0].author == "admin@example.com"
    html = browser.get(f"{BASE}/?rule=no_negative_amounts").get_data(as_text=True)
    assert 'value="no_negative_amounts"' in html and "The amount cannot be negative" in html
    from metacrm.platform.errors import PlatformError

    with pytest.raises(PlatformError) as refused:
        app.extensions["metacrm"].records.create(ADMIN, "deal", {"title": "Bad", "amount": "-5"})
    assert "The amount cannot be negative" in str(refused.value.extra)


def test_trying_a_rule_on_a_record_says_passes_or_fails(browser: Any, app: Any) -> None:
    record = app.extensions["metacrm"].records.create(ADMIN, "deal", {"title": "Big", "amount": "500"})
    token = csrf_of(browser.get(f"{BASE}/").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    passes = browser.post(f"{BASE}/try", data={"condition": "amount > 100", "record_id": record["id"]},
                          headers=headers).get_data(as_text=True)
    fails = browser.post(f"{BASE}/try", data={"condition": "amount > 1000", "record_id": record["id"]},
                         headers=headers).get_data(as_text=True)
    assert "passes" in passes and "fails" in fails
    missing = browser.post(f"{BASE}/try", data={"condition": "amount > 1", "record_id": "9999"},
                           headers=headers).get_data(as_text=True)
    assert "text-danger" in missing


def test_a_rule_the_checks_refuse_comes_back_with_its_json_path(browser: Any, app: Any) -> None:
    token = csrf_of(browser.get(f"{BASE}/").get_data(as_text=True))
    bad = browser.post(f"{BASE}/save", data={**RULE, "csrf_token": token, "condition": "amont > 0"})
    text = html.unescape(bad.get_data(as_text=True))
    assert bad.status_code == 422 and "validation_rules[0].condition" in text and "amont" in text
    empty = browser.post(f"{BASE}/save", data={**RULE, "csrf_token": token, "message": ""})
    assert empty.status_code == 422
    assert not app.extensions["metacrm"].metadata.current().compiled.object("deal").definition.validation_rules


def test_only_admins_reach_the_rule_editor(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    only_admins(client, [f"{BASE}/"], [f"{BASE}/check", f"{BASE}/try", f"{BASE}/save", f"{BASE}/apply"])
