"""A buyer-side deal end to end as its agent: the buyer-agreement gate on showings, the deal's stage guards,
and the under-contract checklist with business-day deadlines (weekends, US holidays and an office closure),
recomputed for open items when the mutual acceptance date moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from metacrm.platform.errors import Forbidden, Unprocessable
from metacrm.platform.records import SYSTEM, Actor
from metacrm.platform.runtime import Platform

from .conftest import TODAY, Brokerage, listing

UTC = dt.timezone.utc
D = dt.date


def templates(p: Platform) -> None:
    for order, (name, anchor, offset, business, required) in enumerate([
            ("Earnest money delivered", "mutual_acceptance_date", 3, True, True),
            ("Inspection contingency ends", "mutual_acceptance_date", 10, False, True),
            ("Appraisal deadline", "mutual_acceptance_date", 21, False, False),
            ("Final walk-through", "projected_close_date", -1, False, False),
            ("Closing", "projected_close_date", 0, False, True)]):
        p.records.create(SYSTEM, "checklist_template", {
            "name": name, "representation_side": "Buyer", "anchor_field": anchor, "offset_days": offset,
            "business_days": business, "required": required, "sort_order": order, "category": "Deadline"})


def items(p: Platform, actor: Actor, deal: dict[str, Any]) -> dict[str, tuple[dt.date, str]]:
    rows = p.records.reader.list(actor, "checklist_item", {"deal": str(deal["id"]), "sort": "id"}).records
    return {r["name"]: (r["due_date"], r["status"]) for r in rows}


@pytest.fixture
def buyer_setup(re_crm: Platform, brokerage: Brokerage) -> dict[str, Any]:
    p = re_crm
    p.settings.update({"holiday_country": "US", "extra_holidays": ["2026-11-27"]}, author="test")
    templates(p)
    ana = brokerage.users["ana"]
    buyer = p.records.create(ana, "contact", {"first_name": "Maya", "last_name": "Okafor", "client_stage": "Active Buyer"})
    home = listing(p, brokerage.members["ben"], listing_id="HV26-000100", standard_status="Incomplete")
    p.records.update(SYSTEM, "property", home["id"], {"standard_status": "Active"})
    return {"ana": ana, "buyer": buyer, "home": home, "member": brokerage.members["ana"]}


def test_no_showing_without_a_signed_unexpired_agreement_then_the_deal_moves_to_under_contract_with_its_checklist(
        re_crm: Platform, buyer_setup: dict[str, Any]) -> None:
    p, s = re_crm, buyer_setup
    ana, member = s["ana"], s["member"]
    start = dt.datetime(2026, 11, 24, 16, tzinfo=UTC)
    showing = {"listing": s["home"]["id"], "showing_agent": member["id"], "buyer": s["buyer"]["id"],
               "showing_start": start, "showing_end": start + dt.timedelta(minutes=45)}
    with pytest.raises(Unprocessable) as refused:
        p.records.create(ana, "showing", showing)
    assert "buyer representation agreement" in str(refused.value.__dict__)
    expired = p.records.create(ana, "buyer_agreement", {
        "contact": s["buyer"]["id"], "agent": member["id"], "effective_date": TODAY - dt.timedelta(days=200),
        "expiration_date": TODAY - dt.timedelta(days=20), "compensation_type": "Percent", "compensation_amount": 2.5})
    p.records.update(ana, "buyer_agreement", expired["id"], {"status": "Signed"})
    with pytest.raises(Unprocessable):
        p.records.create(ana, "showing", showing)  # signed but expired
    agreement = p.records.create(ana, "buyer_agreement", {
        "contact": s["buyer"]["id"], "agent": member["id"], "effective_date": TODAY,
        "expiration_date": TODAY + dt.timedelta(days=90), "compensation_type": "Percent", "compensation_amount": 2.5})
    deal = p.records.create(ana, "deal", {"name": "12 Harbor Way - Okafor purchase", "agent": member["id"],
                                          "property": s["home"]["id"], "buyer_agreement": agreement["id"]})
    with pytest.raises(Unprocessable):
        p.records.update(ana, "deal", deal["id"], {"stage": "Agreement Signed"})  # still a draft
    p.records.update(ana, "buyer_agreement", agreement["id"], {"status": "Signed"})
    assert p.records.get(ana, "buyer_agreement", agreement["id"])["signed_at"] is not None
    p.records.create(ana, "showing", showing)  # now allowed
    p.records.update(ana, "deal", deal["id"], {"stage": "Agreement Signed"})
    p.records.update(ana, "deal", deal["id"], {"stage": "Showing"})
    with pytest.raises(Unprocessable):
        p.records.update(ana, "deal", deal["id"], {"stage": "Offer Submitted"})  # no offer yet
    offer = p.records.create(ana, "offer", {"deal": deal["id"], "property": s["home"]["id"], "offer_amount": 490000,
                                            "offer_expiration": dt.datetime(2026, 11, 25, 17, tzinfo=UTC)})
    p.records.update(ana, "offer", offer["id"], {"status": "Submitted"})
    p.records.update(ana, "deal", deal["id"], {"stage": "Offer Submitted"})
    p.records.update(ana, "offer", offer["id"], {"status": "Accepted"})
    with pytest.raises(Unprocessable):
        p.records.update(ana, "deal", deal["id"], {"stage": "Under Contract"})  # dates missing
    p.records.update(ana, "deal", deal["id"], {
        "stage": "Under Contract", "price": 490000, "mutual_acceptance_date": TODAY,
        "earnest_money_due_date": D(2026, 11, 30), "projected_close_date": D(2026, 12, 28)})
    # Mon 23 Nov + 3 business days: Thanksgiving (26th) and the office's closure (27th) and the weekend skipped.
    assert items(p, ana, deal) == {
        "Earnest money delivered": (D(2026, 11, 30), "Open"), "Inspection contingency ends": (D(2026, 12, 3), "Open"),
        "Appraisal deadline": (D(2026, 12, 14), "Open"), "Final walk-through": (D(2026, 12, 27), "Open"),
        "Closing": (D(2026, 12, 28), "Open")}
    assert p.records.get(SYSTEM, "property", s["home"]["id"])["standard_status"] == "Pending"
    # The inspection is done; then the acceptance date moves: only open items follow.
    inspection = p.records.reader.list(ana, "checklist_item", {"name": "Inspection contingency ends"}).records[0]
    p.records.update(ana, "checklist_item", inspection["id"], {"status": "Approved"})
    p.records.update(ana, "deal", deal["id"], {"mutual_acceptance_date": D(2026, 12, 1)})
    got = items(p, ana, deal)
    assert got["Earnest money delivered"] == (D(2026, 12, 4), "Open")
    assert got["Inspection contingency ends"] == (D(2026, 12, 3), "Approved")
    assert got["Appraisal deadline"] == (D(2026, 12, 22), "Open")
    with pytest.raises(Unprocessable):
        p.records.update(ana, "deal", deal["id"], {"stage": "Clear to Close"})  # required items still open
    with pytest.raises(Unprocessable):
        p.records.update(ana, "deal", deal["id"], {"stage": "Fell Through"})  # needs a reason
    p.records.update(ana, "deal", deal["id"], {"stage": "Fell Through", "fell_through_reason": "Inspection"})
    p.records.update(ana, "deal", deal["id"], {"stage": "Showing"})


def test_only_a_broker_or_accounting_closes_a_deal(re_crm: Platform, brokerage: Brokerage) -> None:
    from .test_commissions import deal_at_clear_to_close
    p = re_crm
    deal = deal_at_clear_to_close(p, brokerage, "ana", gci=15000)
    with pytest.raises(Forbidden):
        p.records.update(brokerage.users["ana"], "deal", deal["id"], {"stage": "Closed"})
    p.records.update(brokerage.users["broker"], "deal", deal["id"], {"stage": "Closed"})
    with pytest.raises(Unprocessable):  # closed deals are locked
        p.records.update(brokerage.users["broker"], "deal", deal["id"], {"price": 1})
