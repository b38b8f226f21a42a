"""Who sees what, through the REST API and the list pages: an agent sees only their own deals and their own
commission rows; the transaction coordinator sees every deal but no split plan; the lockbox code is hidden
from unlicensed staff and masked in nothing an agent may not see."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.runtime import Platform
from tests.conftest import ADMIN_PASSWORD, basic_auth

from .conftest import Brokerage, listing
from .test_commissions import deal_at_clear_to_close


def as_(key: str) -> dict[str, str]:
    return basic_auth(f"{key}@harborview.example", ADMIN_PASSWORD)


@pytest.fixture
def closed_deals(re_crm: Platform, brokerage: Brokerage) -> dict[str, dict[str, Any]]:
    deals = {}
    for agent, gci in (("ana", "12345.67"), ("ben", "23456.78")):
        deal = deal_at_clear_to_close(re_crm, brokerage, agent, gci)
        re_crm.records.update(brokerage.users["broker"], "deal", deal["id"], {"stage": "Closed"})
        deals[agent] = deal
    return deals


def ids(client: Any, who: str, obj: str) -> set[int]:
    response = client.get(f"/api/v1/records/{obj}?limit=200", headers=as_(who))
    assert response.status_code == 200, response.get_data(as_text=True)
    return {r["id"] for r in response.get_json()["data"]}


def test_agents_see_only_their_own_deals_and_commission_rows(re_crm: Platform, brokerage: Brokerage,
                                                             closed_deals: dict, client: Any) -> None:
    ana_deal, ben_deal = closed_deals["ana"], closed_deals["ben"]
    assert ids(client, "ana", "deal") == {ana_deal["id"]}
    assert client.get(f"/api/v1/records/deal/{ben_deal['id']}", headers=as_("ana")).status_code == 404
    ana_rows = client.get("/api/v1/records/commission_split?limit=200", headers=as_("ana")).get_json()["data"]
    assert ana_rows and {r["deal"] for r in ana_rows} == {ana_deal["id"]}
    assert client.get(f"/api/v1/records/commission_split?deal={ben_deal['id']}",
                      headers=as_("ana")).get_json()["data"] == []
    ben_rows = client.get("/api/v1/records/commission_split?limit=200", headers=as_("ben")).get_json()["data"]
    assert {r["deal"] for r in ben_rows} == {ben_deal["id"]}
    # The transaction coordinator: every deal, never a split plan or a commission row.
    assert ids(client, "tc", "deal") >= {ana_deal["id"], ben_deal["id"]}
    assert client.get("/api/v1/records/split_plan", headers=as_("tc")).status_code == 403
    assert client.get("/api/v1/records/commission_split", headers=as_("tc")).status_code == 403
    # Accounting sees every row.
    assert ids(client, "acct", "commission_split") == {r["id"] for r in ana_rows + ben_rows}


def test_the_commission_list_page_shows_an_agent_only_their_own_amounts(re_crm: Platform, brokerage: Brokerage,
                                                                         closed_deals: dict, client: Any) -> None:
    from tests.platform.web.conftest import sign_in
    assert sign_in(client, "ana@harborview.example", ADMIN_PASSWORD).status_code == 302
    page = client.get("/o/commission_split").get_data(as_text=True)
    ben_rows = re_crm.records.reader.list(brokerage.users["broker"], "commission_split",
                                          {"deal": str(closed_deals["ben"]["id"])}).records
    ana_rows = re_crm.records.reader.list(brokerage.users["broker"], "commission_split",
                                          {"deal": str(closed_deals["ana"]["id"])}).records
    agent_amount = lambda rows: next(r["amount"] for r in rows if r["payee_type"] == "Agent")  # noqa: E731
    assert f"{agent_amount(ana_rows):,}" in page or str(agent_amount(ana_rows)) in page
    assert f"{agent_amount(ben_rows):,}" not in page and str(agent_amount(ben_rows)) not in page


def test_the_lockbox_code_is_for_licensed_members_only(re_crm: Platform, brokerage: Brokerage, client: Any) -> None:
    home = listing(re_crm, brokerage.members["ana"], listing_id="HV26-000900", lockbox_code="4821")
    url = f"/api/v1/records/property/{home['id']}"
    assert client.get(url, headers=as_("ana")).get_json()["lockbox_code"] == "4821"
    for unlicensed in ("isa", "acct"):
        body = client.get(url, headers=as_(unlicensed)).get_json()
        assert body["list_price"] and "lockbox_code" not in body
