"""The record page summary (Customer 360): KPIs, configured related sections and a merged activity timeline,
all read as the signed-in user (a user who cannot read cases sees no cases section and no case count)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from metacrm.platform.records import SYSTEM
from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, USER_PASSWORD, sign_in
from .records_schema import apply

RECORD_PAGE = {
    "kpis": [{"label": "Lifetime value", "field": "lifetime_value"},
             {"label": "Open opportunities", "section": "open_opportunities"},
             {"label": "Open pipeline", "section": "open_opportunities", "function": "sum", "field": "amount"},
             {"label": "Open cases", "section": "open_cases"}],
    "related": [{"name": "contacts", "object": "contact", "via": "account", "title": "Contacts", "sort": "last_name"},
                {"name": "open_opportunities", "object": "opportunity", "via": "account", "title": "Open opportunities",
                 "filter": "is_closed=false", "columns": ["name", "amount"]},
                {"name": "open_cases", "object": "support_case", "via": "account", "title": "Open cases",
                 "filter": {"status__ne": "Closed"}}],
    "timeline": {"object": "activity", "via": ["what", "who"], "include_related": ["contact", "opportunity"],
                 "title": "Activity timeline", "page_size": 3},
}
ACCOUNT = make_object("account", fld("name", required=True), fld(
    "lifetime_value", "rollup", result_type="currency",
    rollup={"child": "opportunity", "relationship_field": "account", "function": "sum", "field": "amount",
            "filter": {"is_won": True}}), name_field="name", record_page=RECORD_PAGE)
CONTACT = make_object("contact", fld("last_name", required=True), fld("account", "lookup", target="account"),
                      name_field="last_name")
OPPORTUNITY = make_object("opportunity", fld("name", required=True), fld("account", "lookup", target="account"),
                          fld("amount", "currency"), fld("is_closed", "boolean"), fld("is_won", "boolean"),
                          name_field="name")
CASE = make_object("support_case", fld("subject", required=True), fld("account", "lookup", target="account"),
                   fld("status", "picklist", options=["New", "Closed"]), name_field="subject")
ACTIVITY = make_object("activity", fld("subject", required=True),
                       fld("type", "picklist", options=["Call", "Email"]),
                       fld("who", "polymorphic_lookup", targets=["contact"]),
                       fld("what", "polymorphic_lookup", targets=["account", "opportunity", "support_case"]),
                       name_field="subject")
READ = {"read": True}
SALES = {"name": "sales", "objects": {"account": READ, "contact": READ, "opportunity": READ, "activity": READ}}
SUPPORT = {"name": "support", "objects": {**SALES["objects"], "support_case": READ}}


@pytest.fixture
def acme(app: Any) -> dict[str, Any]:
    apply(app, {"objects": [ACCOUNT, CONTACT, OPPORTUNITY, CASE, ACTIVITY], "roles": [SALES, SUPPORT]})
    records = app.extensions["metacrm"].records
    make = lambda obj, **data: records.create(SYSTEM, obj, data)  # noqa: E731
    acme, other = make("account", name="Acme"), make("account", name="Other Co")
    ada = make("contact", last_name="Lovelace", account=acme["id"])
    make("contact", last_name="Stranger", account=other["id"])
    won = make("opportunity", name="Won deal", account=acme["id"], amount="1000.00", is_closed=True, is_won=True)
    make("opportunity", name="Open deal", account=acme["id"], amount="250.00", is_closed=False)
    make("opportunity", name="Another open", account=acme["id"], amount="50.00", is_closed=False)
    make("opportunity", name="Elsewhere", account=other["id"], amount="999.00", is_closed=False)
    make("support_case", subject="Broken widget", account=acme["id"], status="New")
    make("support_case", subject="Old issue", account=acme["id"], status="Closed")
    make("activity", subject="Kick-off call", type="Call", what={"object": "account", "id": acme["id"]})
    make("activity", subject="Emailed Ada", type="Email", who={"object": "contact", "id": ada["id"]})
    make("activity", subject="Deal review", type="Call", what={"object": "opportunity", "id": won["id"]})
    make("activity", subject="Newest note", type="Call", what={"object": "account", "id": acme["id"]})
    make("activity", subject="Not ours", type="Call", what={"object": "account", "id": other["id"]})
    return acme


def kpis(html: str) -> dict[str, str]:
    found = re.findall(r'<dt class="small text-body-secondary fw-normal">([^<]+)</dt>\s*<dd[^>]*data-kpi="[^"]+">(.*?)</dd>',
                       html, re.S)
    return {label: re.sub(r"<[^>]+>", "", value).strip() for label, value in found}


def test_the_account_page_shows_kpis_sections_and_the_merged_timeline(browser: Any, acme: dict[str, Any]) -> None:
    html = browser.get(f"/o/account/{acme['id']}").get_data(as_text=True)
    assert kpis(html) == {"Lifetime value": "$1,000.00", "Open opportunities": "2", "Open pipeline": "$300.00",
                          "Open cases": "1"}
    sections = re.findall(r'data-related="([a-z_]+)\.account"', html)
    assert sections == ["contact", "opportunity", "support_case"]  # configured, in order
    assert "Open deal" in html and "Another open" in html and "Won deal" not in html.split("activity-timeline")[0] \
        .split("Open opportunities")[1].split("Open cases")[0]
    assert "Broken widget" in html and "Old issue" not in html and "Elsewhere" not in html and "Stranger" not in html
    timeline = html.split('id="activity-timeline"')[1]
    entries = re.findall(r'data-activity="\d+">.*?class="fw-medium">([^<]+)</a>', timeline, re.S)
    assert entries == ["Newest note", "Deal review", "Emailed Ada"]  # newest first, a page of 3
    assert "Not ours" not in timeline and 'id="timeline-older"' in timeline
    older = browser.get(f"/o/account/{acme['id']}?timeline_page=2").get_data(as_text=True)
    assert re.findall(r'data-activity="\d+">.*?class="fw-medium">([^<]+)</a>', older.split('id="activity-timeline"')[1],
                      re.S) == ["Kick-off call"]
    assert 'href="/o/contact/' in timeline  # "regarding" links to the contact


def test_a_user_who_cannot_read_cases_sees_no_cases_section_nor_their_count(
        app: Any, client: Any, plain_user: Any, acme: dict[str, Any]) -> None:
    app.extensions["metacrm"].users.set_roles(plain_user.id, ["sales"])
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    html = client.get(f"/o/account/{acme['id']}").get_data(as_text=True)
    assert "support_case.account" not in html and "Broken widget" not in html
    assert set(kpis(html)) == {"Lifetime value", "Open opportunities", "Open pipeline"}
    app.extensions["metacrm"].users.set_roles(plain_user.id, ["support"])
    html = client.get(f"/o/account/{acme['id']}").get_data(as_text=True)
    assert "Broken widget" in html and kpis(html)["Open cases"] == "1"


def test_an_object_without_a_record_page_keeps_the_automatic_related_lists(browser: Any, acme: dict[str, Any]) -> None:
    opportunity = browser.get("/o/opportunity/1").get_data(as_text=True)
    assert 'id="record-kpis"' not in opportunity and 'id="activity-timeline"' not in opportunity
