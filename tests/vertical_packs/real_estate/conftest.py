"""Fixtures for the real estate pack: base_crm and real_estate installed (no demo data), a brokerage's
offices, split plans and members with users of the pack's roles, and a manually drained job queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from metacrm.platform.jobs import Jobs
from metacrm.platform.logic import helpers
from metacrm.platform.packs import PackService, open_pack
from metacrm.platform.records import Actor
from metacrm.platform.records import SYSTEM
from metacrm.platform.runtime import Platform
from tests.platform.workflows.conftest import cheap_password_hashing, jobs  # noqa: F401
from tests.vertical_packs.conftest import make_user

TODAY = dt.date(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "clock", lambda: dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc))


def install(platform: Platform, *names: str, demo: bool = False) -> None:
    for name in names:
        with open_pack(name) as source:
            PackService(platform.metadata, platform.records).install(source, demo=demo)


@pytest.fixture
def re_crm(platform: Platform, jobs: Jobs) -> Platform:
    """A fresh database with base_crm and real_estate installed (no demo data)."""
    install(platform, "base_crm", "real_estate")
    return platform


@dataclass
class Brokerage:
    """Users of each role and their Member records."""
    users: dict[str, Actor] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    office: dict[str, Any] = field(default_factory=dict)
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)


@pytest.fixture
def brokerage(re_crm: Platform) -> Brokerage:
    p = re_crm
    b = Brokerage()
    b.office = p.records.create(SYSTEM, "office", {"office_key": "HV-MAIN", "office_name": "Harborview Realty",
                                                   "office_branch_type": "Main"})
    b.plans["70/30"] = p.records.create(SYSTEM, "split_plan", {
        "name": "70/30 cap 18k", "agent_share_percent": 70, "annual_cap": 18000, "cap_period_start": "2026-01-01",
        "post_cap_agent_share_percent": 100, "per_transaction_fee": 395})
    people = [("broker", "broker", "DesignatedRealtorParticipant"), ("lead", "team_lead", "RealtorSalesperson"),
              ("ana", "agent", "RealtorSalesperson"), ("ben", "agent", "RealtorSalesperson"),
              ("tc", "transaction_coordinator", "LicensedAssistant"), ("isa", "isa", "UnlicensedAssistant"),
              ("acct", "accounting", "Assistant")]
    for key, role, member_type in people:
        actor = make_user(p, f"{key}@harborview.example", role)
        b.users[key] = actor
        b.members[key] = p.records.create(SYSTEM, "member", {
            "member_key": f"M-{key}", "member_first_name": key.title(), "member_last_name": "Harbor",
            "member_email": f"{key}@harborview.example", "member_type": member_type, "office": b.office["id"],
            "user_id": actor.id, "split_plan": b.plans["70/30"]["id"], "member_state_license": f"SL-{key}"})
    return b


def listing(platform: Platform, agent: dict[str, Any], **values: Any) -> dict[str, Any]:
    data = {"listing_key": f"L-{values.get('listing_id', 'x')}", "list_price": 500000,
            "expiration_date": TODAY + dt.timedelta(days=90), "unparsed_address": "12 Harbor Way",
            "city": "Harborview", "state_or_province": "WA", "postal_code": "98101", "list_agent": agent["id"]}
    data.update(values)
    return platform.records.create(SYSTEM, "property", data)
