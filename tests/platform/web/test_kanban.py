"""Kanban boards: columns per choice with counts and sums, and moves through the record service."""

from __future__ import annotations

import re
from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

DEAL = make_object(
    "deal", fld("title", required=True),
    fld("stage", "picklist", options=[{"value": "New", "label": "New", "color": "#0d6efd"},
                                      {"value": "Won", "label": "Closed won"},
                                      {"value": "Old", "label": "Old", "active": False},
                                      {"value": "Gone", "label": "Gone", "active": False}]),
    fld("amount", "currency"), fld("reason"))


@pytest.fixture
def deals(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(DEAL), author="test", confirm=True)
    platform.records.bulk_create(SYSTEM, "deal", [
        {"title": "Alpha", "stage": "New", "amount": "100"}, {"title": "Beta", "stage": "New", "amount": "250.50"},
        {"title": "Gamma", "stage": "Won", "amount": "1000"}, {"title": "Delta", "stage": "Old"}])
    return platform


def columns(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<h2 class="h6 mb-0 text-truncate" id="col-\d+-title">([^<]+)</h2>\s*'
                      r'<span class="badge[^"]*kanban-count" data-count="(\d+)"', html)


def test_the_board_has_a_column_per_choice_with_counts_and_sums(browser: Any, deals: Any) -> None:
    html = browser.get("/o/deal/kanban?by=stage").get_data(as_text=True)
    assert columns(html) == [("New", "2"), ("Closed won", "1"), ("Old", "1")]  # "Gone": inactive and unused
    assert "$350.50" in html and "$1,000.00" in html
    assert "--kanban-accent: #0d6efd" in html
    assert re.search(r'data-id="\d+" data-version="1"', html) and "Alpha" in html


def test_the_list_links_to_the_board(browser: Any, deals: Any) -> None:
    assert 'href="/o/deal/kanban?by=stage"' in browser.get("/o/deal").get_data(as_text=True)


def test_objects_without_a_picklist_have_no_board(app: Any, browser: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(make_object("note", fld("title"))), author="test", confirm=True)
    assert browser.get("/o/note/kanban").status_code == 404


def _move(browser: Any, record_id: int, version: Any, value: str) -> Any:
    token = csrf_of(browser.get("/o/deal/kanban?by=stage").get_data(as_text=True).replace(
        "X-CSRFToken\": \"", 'name="csrf_token" value="'))
    return browser.post("/o/deal/kanban/move", data={"id": record_id, "version": version, "by": "stage",
                                                     "value": value}, headers={"X-CSRFToken": token})


def _alpha(deals: Any) -> dict[str, Any]:
    return deals.records.reader.list(SYSTEM, "deal", {"title": "Alpha"}).records[0]


def test_a_move_updates_the_record_and_answers_with_the_card(browser: Any, deals: Any) -> None:
    alpha = _alpha(deals)
    response = _move(browser, alpha["id"], alpha["version"], "Won")
    assert response.status_code == 200
    assert f'data-id="{alpha["id"]}" data-version="2"' in response.get_data(as_text=True)
    assert _alpha(deals)["stage"] == "Won"


def test_a_stale_move_is_refused_with_the_reason_on_the_card(browser: Any, deals: Any) -> None:
    alpha = _alpha(deals)
    deals.records.update(SYSTEM, "deal", alpha["id"], {"amount": "1"})  # someone else, meanwhile
    response = _move(browser, alpha["id"], alpha["version"], "Won")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed by someone else" in html and "border-danger" in html
    assert _alpha(deals)["stage"] == "New"


def test_an_invalid_move_is_refused(browser: Any, deals: Any) -> None:
    alpha = _alpha(deals)
    response = _move(browser, alpha["id"], alpha["version"], "Nonsense")
    assert response.status_code == 422 and "Stage: must be one of" in response.get_data(as_text=True)


def test_a_move_without_permission_is_refused(app: Any, deals: Any, plain_user: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": [], "roles": [
        {"name": "viewer", "objects": {"deal": {"read": True}}}]}), author="test", confirm=True)
    platform.users.set_roles(plain_user.id, ["viewer"])
    client = app.test_client()
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    html = client.get("/o/deal/kanban?by=stage").get_data(as_text=True)
    assert "kanban-move-menu" not in html  # no move controls for a reader
    alpha = _alpha(deals)
    assert _move(client, alpha["id"], alpha["version"], "Won").status_code == 403
    assert _alpha(deals)["stage"] == "New"


def test_a_move_needs_the_csrf_token(browser: Any, deals: Any) -> None:
    alpha = _alpha(deals)
    response = browser.post("/o/deal/kanban/move", data={"id": alpha["id"], "by": "stage", "value": "Won"})
    assert response.status_code == 400 and _alpha(deals)["stage"] == "New"
