"""Listing status (RESO semantics), offer and showing status machines: allowed and refused moves."""

from __future__ import annotations

import datetime as dt

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.records import SYSTEM
from metacrm.platform.runtime import Platform

from .conftest import TODAY, Brokerage, listing


def move(p: Platform, obj: str, rec: dict, **values) -> dict:
    return p.records.update(SYSTEM, obj, rec["id"], values)


def test_a_listing_goes_live_under_contract_and_closes_only_with_its_closing_facts(re_crm: Platform, brokerage: Brokerage) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000001")
    assert home["standard_status"] == "Incomplete"
    move(p, "property", home, standard_status="Active")
    with pytest.raises(Unprocessable):  # Pending needs the purchase contract date
        move(p, "property", home, standard_status="Pending")
    move(p, "property", home, standard_status="Pending", purchase_contract_date=TODAY)
    with pytest.raises(Unprocessable):  # Closed needs close price, close date and buyer agent
        move(p, "property", home, standard_status="Closed")
    move(p, "property", home, standard_status="Closed", close_price=505000, close_date=TODAY,
         buyer_agent=brokerage.members["ben"]["id"])
    with pytest.raises(Unprocessable):  # terminal and locked
        move(p, "property", home, standard_status="Active")


@pytest.mark.parametrize("path, refused", [
    (["ComingSoon", "Active", "Hold", "Withdrawn"], "Pending"),
    (["Active", "Canceled"], "Active"),
    (["Active", "Expired"], "Active"),
    (["Incomplete"], "Closed"),
    (["ComingSoon"], "Expired"),
])
def test_refused_listing_moves(re_crm: Platform, brokerage: Brokerage, path: list[str], refused: str) -> None:
    home = listing(re_crm, brokerage.members["ana"], listing_id="HV26-000002")
    for status in path:
        if status != "Incomplete":
            home = move(re_crm, "property", home, standard_status=status)
    with pytest.raises(Unprocessable):
        move(re_crm, "property", home, standard_status=refused, purchase_contract_date=TODAY)


def test_an_offer_counters_back_and_forth_then_is_accepted_and_locked(re_crm: Platform, brokerage: Brokerage) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000003")
    offer = p.records.create(SYSTEM, "offer", {"property": home["id"], "offer_amount": 480000,
                                               "offer_expiration": dt.datetime(2026, 11, 25, 17, tzinfo=dt.timezone.utc)})
    assert offer["status"] == "Draft"
    with pytest.raises(Unprocessable):
        move(p, "offer", offer, status="Accepted")
    for status in ("Submitted", "Countered", "Submitted", "Accepted"):
        move(p, "offer", offer, status=status)
    with pytest.raises(Unprocessable):
        move(p, "offer", offer, status="Withdrawn")


def test_an_offer_expires_by_itself_at_its_expiration(re_crm: Platform, brokerage: Brokerage, jobs) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000004")
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    offer = p.records.create(SYSTEM, "offer", {"property": home["id"], "offer_amount": 480000,
                                               "offer_expiration": past + dt.timedelta(days=2)})
    move(p, "offer", offer, status="Submitted", offer_expiration=past)
    jobs.run_pending()
    assert p.records.get(SYSTEM, "offer", offer["id"])["status"] == "Expired"


def test_showing_status_moves(re_crm: Platform, brokerage: Brokerage) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000005")
    start = dt.datetime(2026, 11, 24, 15, tzinfo=dt.timezone.utc)
    showing = p.records.create(SYSTEM, "showing", {"listing": home["id"], "showing_agent": brokerage.members["ben"]["id"],
                                                   "showing_start": start, "showing_end": start + dt.timedelta(minutes=30)})
    move(p, "showing", showing, showing_status="Confirmed")
    with pytest.raises(Unprocessable):
        move(p, "showing", showing, showing_status="Denied")
    move(p, "showing", showing, showing_status="Cancelled")
