"""Closing computes the commission splits exactly, to the cent: referral off the top, franchise fee, the
transaction fee, agent and brokerage per the split plan honouring the remaining annual cap, the team's share;
the rows always sum to the gross commission (the brokerage takes the rounding remainder)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from metacrm.platform.records import SYSTEM
from metacrm.platform.runtime import Platform

from .conftest import TODAY, Brokerage, listing


def deal_at_clear_to_close(p: Platform, b: Brokerage, agent: str, gci: Any, **extra: Any) -> dict[str, Any]:
    """A listing-side deal walked to Clear to Close by the platform (no checklist templates: nothing to tick)."""
    member = b.members[agent]
    home = listing(p, member, listing_id=f"HV26-{abs(hash((agent, str(gci), str(extra)))) % 10**6:06d}")
    deal = p.records.create(SYSTEM, "deal", {"name": "Sale", "representation_side": "Seller", "agent": member["id"],
                                             "property": home["id"], "owner": member["user_id"]})
    for stage in ("Pre-Listing", "Listing Signed", "Active"):
        p.records.update(SYSTEM, "deal", deal["id"], {"stage": stage})
    offer = p.records.create(SYSTEM, "offer", {"deal": deal["id"], "property": home["id"], "offer_amount": 500000,
                                               "side": "Incoming",
                                               "offer_expiration": dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)})
    for status in ("Submitted", "Accepted"):
        p.records.update(SYSTEM, "offer", offer["id"], {"status": status})
    p.records.update(SYSTEM, "deal", deal["id"], {
        "stage": "Under Contract", "price": 500000, "mutual_acceptance_date": TODAY,
        "earnest_money_due_date": TODAY, "projected_close_date": TODAY})
    values = {"stage": "Clear to Close", "close_date": TODAY, "gross_commission_amount": gci}
    values.update(extra)
    return p.records.update(SYSTEM, "deal", deal["id"], values)


def plan(p: Platform, b: Brokerage, agent: str, **values: Any) -> None:
    data = {"name": f"plan of {agent}", "agent_share_percent": 70, "post_cap_agent_share_percent": 100,
            "per_transaction_fee": 395}
    data.update(values)
    created = p.records.create(SYSTEM, "split_plan", data)
    p.records.update(SYSTEM, "member", b.members[agent]["id"], {"split_plan": created["id"]})


CASES = [
    # id, plan, deal extras, earlier brokerage cap contributions, gci, expected {payee type: amount}
    ("70/30 under the cap", {"annual_cap": 18000, "cap_period_start": "2026-01-01"}, {}, None, "15000.00",
     {"Agent": "10223.50", "Transaction Fee": "395.00", "Brokerage": "4381.50"}),
    ("25% referral off the top", {"annual_cap": 18000, "cap_period_start": "2026-01-01"},
     {"referral_fee_percent": 25}, None, "12000.00",
     {"Referral": "3000.00", "Agent": "6023.50", "Transaction Fee": "395.00", "Brokerage": "2581.50"}),
    ("cap reached within the deal", {"annual_cap": 18000, "cap_period_start": "2026-01-01"}, {}, "17000.00",
     "15000.00", {"Agent": "13605.00", "Transaction Fee": "395.00", "Brokerage": "1000.00"}),
    ("cap already met", {"annual_cap": 18000, "cap_period_start": "2026-01-01"}, {}, "18000.00",
     "15000.00", {"Agent": "14605.00", "Transaction Fee": "395.00"}),
    ("contributions before the anniversary do not count", {"annual_cap": 12000, "cap_period_start": "2025-12-01",
                                                           "agent_share_percent": 80}, {}, None, "9999.99",
     {"Agent": "7683.99", "Transaction Fee": "395.00", "Brokerage": "1921.00"}),
    ("80/20 with a 6% franchise fee, odd cents", {"agent_share_percent": 80, "per_transaction_fee": 0,
                                                   "franchise_fee_percent": 6}, {}, None, "10000.01",
     {"Franchise": "600.00", "Agent": "7520.01", "Brokerage": "1880.00"}),
    ("franchise fee capped at 500", {"agent_share_percent": 80, "per_transaction_fee": 0, "franchise_fee_percent": 6,
                                     "franchise_fee_cap": 500}, {}, None, "10000.00",
     {"Franchise": "500.00", "Agent": "7600.00", "Brokerage": "1900.00"}),
    ("team takes half of the agent's part", {"team_share_percent": 50}, {}, None, "9000.00",
     {"Team": "3011.75", "Agent": "3011.75", "Transaction Fee": "395.00", "Brokerage": "2581.50"}),
    ("a third to a referral", {"per_transaction_fee": 0}, {"referral_fee_percent": "33.33"}, None, "1000.00",
     {"Referral": "333.30", "Agent": "466.69", "Brokerage": "200.01"}),
]


@pytest.mark.parametrize("name, plan_values, extra, earlier, gci, expected", CASES, ids=[c[0] for c in CASES])
def test_closing_splits_the_commission_to_the_cent(re_crm: Platform, brokerage: Brokerage, name: str,
                                                   plan_values: dict, extra: dict, earlier: str | None, gci: str,
                                                   expected: dict[str, str]) -> None:
    p = re_crm
    plan(p, brokerage, "ben", **plan_values)
    if earlier is not None:
        old = p.records.create(SYSTEM, "deal", {"name": "Earlier", "agent": brokerage.members["ben"]["id"]})
        p.records.create(SYSTEM, "commission_split", {
            "deal": old["id"], "payee_type": "Brokerage", "amount": earlier, "cap_contribution": earlier,
            "agent": brokerage.members["ben"]["id"], "close_date": "2026-03-01", "status": "Paid"})
    if name.startswith("contributions before"):
        old = p.records.create(SYSTEM, "deal", {"name": "Last year", "agent": brokerage.members["ben"]["id"]})
        p.records.create(SYSTEM, "commission_split", {
            "deal": old["id"], "payee_type": "Brokerage", "amount": 11000, "cap_contribution": 11000,
            "agent": brokerage.members["ben"]["id"], "close_date": "2025-11-30", "status": "Paid"})
    deal = deal_at_clear_to_close(p, brokerage, "ben", gci, **extra)
    p.records.update(brokerage.users["broker"], "deal", deal["id"], {"stage": "Closed"})
    rows = p.records.reader.list(SYSTEM, "commission_split", {"deal": str(deal["id"])}).records
    got = {r["payee_type"]: str(r["amount"]) for r in rows}
    assert got == expected
    assert sum(Decimal(v) for v in got.values()) == Decimal(gci)
    assert Decimal(str(p.records.get(SYSTEM, "deal", deal["id"])["split_total"])) == Decimal(gci)
