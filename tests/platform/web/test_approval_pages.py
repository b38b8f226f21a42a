"""The record page's state buttons, lock badge and approval decisions; the edit form and kanban refusals."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.storage.platform_tables import user
from tests.conftest import ADMIN_PASSWORD
from tests.platform.workflows.deals import DISCOUNT, deal_bundle

from .conftest import csrf_of, sign_in

SINGLE = {"name": "quick", "label": "Quick approval", "steps": [{"name": "boss", "approver": {"manager_of": "owner"}}],
          "on_approve": [{"type": "set_field", "fields": {"approval": "Approved"}}]}


@pytest.fixture
def sales(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(deal_bundle(processes=(DISCOUNT, SINGLE))), author="test",
                            confirm=True)
    boss = platform.users.create("boss@example.com", ADMIN_PASSWORD, roles=["sales_manager"])
    rep = platform.users.create("rep@example.com", ADMIN_PASSWORD, roles=["sales_rep"])
    with platform.engine.begin() as conn:  # the rep reports to the boss
        conn.execute(sa.update(user).where(user.c.id == rep.id).values(manager_id=boss.id))
    return platform


def signed_in(app: Any, email: str) -> Any:
    client = app.test_client()
    assert sign_in(client, email, ADMIN_PASSWORD).status_code == 302
    return client


def new_deal(client: Any) -> int:
    page = "/o/deal/new"
    token = csrf_of(client.get(page).get_data(as_text=True))
    response = client.post(page, data={"csrf_token": token, "title": "Acme", "amount": "100"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def press(client: Any, record_page: str, action: str, **data: Any) -> str:
    token = csrf_of(client.get(record_page).get_data(as_text=True))
    response = client.post(action, data={"csrf_token": token, **data})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_page_offers_only_the_moves_the_user_may_make(app: Any, sales: Any) -> None:
    rep = signed_in(app, "rep@example.com")
    deal = new_deal(rep)
    page = f"/o/deal/{deal}"
    html = rep.get(page).get_data(as_text=True)
    assert 'data-state="Prospecting"' in html
    assert 'data-move-to="Qualification"' in html and 'data-move-to="Closed Lost"' in html
    html = press(rep, page, f"{page}/state", field="stage", to="Qualification", version="1")
    assert 'data-state="Qualification"' in html
    assert 'data-move-to="Closed Won"' not in html  # the rep lacks the sales_manager role
    boss = signed_in(app, "boss@example.com")
    assert 'data-move-to="Closed Won"' in boss.get(page).get_data(as_text=True)
    html = press(rep, page, f"{page}/state", field="stage", to="Closed Won", version="2")  # a forged press
    assert "needs the role" in html and 'data-state="Qualification"' in html
    html = press(boss, page, f"{page}/state", field="stage", to="Closed Won", version="2")
    assert 'id="record-locked"' in html and "Locked in state Closed Won" in html and "data-move-to" not in html
    assert 'id="edit-record"' not in html and "hx-get" not in html.split('id="record-locked"')[1]  # no edit, no inline edit
    response = boss.get(f"{page}/edit")  # typed by hand: back to the page with the reason
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "Locked in state Closed Won" in boss.get(page).get_data(as_text=True)


def test_the_edit_form_shows_a_refused_transition(app: Any, sales: Any) -> None:
    rep = signed_in(app, "rep@example.com")
    deal = new_deal(rep)
    page = f"/o/deal/{deal}/edit"
    token = csrf_of(rep.get(page).get_data(as_text=True))
    response = rep.post(page, data={"csrf_token": token, "title": "Acme", "amount": "100", "stage": "Closed Won",
                                    "version": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "allowed next:" in html


def test_submit_approve_and_the_status_on_the_page(app: Any, sales: Any) -> None:
    rep = signed_in(app, "rep@example.com")
    deal = new_deal(rep)
    page = f"/o/deal/{deal}"
    assert 'data-submit-process="quick"' in rep.get(page).get_data(as_text=True)
    html = press(rep, page, f"{page}/approval/submit", process="quick", comment="please")
    assert 'data-status="pending"' in html and "Awaiting approval (Quick approval)" in html
    assert 'id="approval-recall"' in html and 'id="approval-approve"' not in html
    boss = signed_in(app, "boss@example.com")
    html = boss.get(page).get_data(as_text=True)
    assert 'id="approval-approve"' in html and 'id="approval-reject"' in html
    request_id = sales.approvals.history(SYSTEM, "deal", deal)[0]["id"]
    html = press(boss, page, f"/approvals/requests/{request_id}/approve", comment="fine")
    assert 'data-status="approved"' in html and "fine" in html and 'id="record-locked"' not in html


def test_a_kanban_drag_to_a_disallowed_column_shows_the_refusal_on_the_card(app: Any, sales: Any) -> None:
    rep = signed_in(app, "rep@example.com")
    deal = new_deal(rep)
    token = csrf_of(rep.get("/o/deal/kanban?by=stage").get_data(as_text=True).replace(
        "X-CSRFToken\": \"", 'name="csrf_token" value="'))
    response = rep.post("/o/deal/kanban/move", data={"id": deal, "version": 1, "by": "stage", "value": "Closed Won"},
                        headers={"X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "border-danger" in html
    assert "Stage: cannot go from &#34;Prospecting&#34; to &#34;Closed Won&#34;" in html

