"""Fixtures for reports at run time: a small sales schema with reports, two reps and a manager.

Records are created through the RecordService, owned by the reps, so row-level
security (private deals) decides what each viewer's aggregates add up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from metacrm.platform.records import SYSTEM, Actor
from metacrm.platform.runtime import Platform
from tests.conftest import ADMIN_PASSWORD
from tests.platform.workflows.conftest import cheap_password_hashing  # noqa: F401

TODAY = dt.date(2026, 5, 20)  # a Wednesday in the second quarter


def fld(name: str, type_: str = "text", **settings: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **settings}


DEAL = {"name": "deal", "sharing": "private", "fields": [
    fld("title", required=True), fld("stage", "picklist", options=["New", "Proposal", "Won", "Lost"]),
    fld("amount", "currency"), fld("probability", "percent"),
    fld("weighted", "formula", formula="amount * probability / 100", result_type="currency"),
    fld("close_date", "date"), fld("closed_at", "datetime"), fld("margin", "currency"),
    fld("code", "text"), fld("score", "integer", sensitive=True),
]}
ROLES = [
    {"name": "manager", "objects": {"deal": {"read": True, "view_all": True}}},
    {"name": "rep", "reports_to": "manager", "objects": {"deal": {"create": True, "read": True, "update": True}},
     "fields": {"deal": {"margin": "hidden", "code": "masked"}}},
]
REPORTS = [
    {"name": "by_stage", "object": "deal", "group_by": [{"field": "stage"}], "chart": "bar",
     "aggregates": [{"function": "count"}, {"function": "sum", "field": "amount"},
                    {"function": "avg", "field": "amount"}, {"function": "min", "field": "amount"},
                    {"function": "max", "field": "amount"}]},
    {"name": "forecast", "object": "deal", "chart": "stacked_bar", "filters": {"stage__nin": "Won,Lost"},
     "group_by": [{"field": "close_date", "bucket": "month"}, {"field": "stage"}],
     "aggregates": [{"function": "sum", "field": "weighted"}]},
    {"name": "total", "object": "deal", "chart": "number", "aggregates": [{"function": "sum", "field": "amount"}]},
    {"name": "scores", "object": "deal", "group_by": [{"field": "stage"}], "chart": "bar",
     "aggregates": [{"function": "sum", "field": "score"}]},
    {"name": "margins", "object": "deal", "group_by": [{"field": "stage"}], "chart": "bar",
     "aggregates": [{"function": "sum", "field": "margin"}]},
    {"name": "by_code", "object": "deal", "group_by": [{"field": "code"}], "chart": "bar"},
    {"name": "managers_only", "object": "deal", "group_by": [{"field": "stage"}], "chart": "pie",
     "roles": ["manager"]},
]
DASHBOARDS = [{"name": "sales", "filters": ["owner", "date_range"], "roles": ["manager", "rep"], "widgets": [
    {"report": "by_stage", "date_field": "close_date"}, {"report": "forecast", "date_field": "close_date"},
    {"report": "total"}, {"report": "managers_only"}]}]
BUNDLE = {"objects": [DEAL], "roles": ROLES, "reports": REPORTS, "dashboards": DASHBOARDS}

# owner key, title, stage, amount, probability, close_date, closed_at
DEALS = [
    ("ann", "a1", "New", "100.00", "10", "2026-04-03", None),
    ("ann", "a2", "Proposal", "300.00", "50", "2026-04-28", None),
    ("ann", "a3", "Won", "1000.00", "100", "2026-03-31", "2026-03-31T23:30:00+00:00"),
    ("bob", "b1", "New", "50.00", "20", "2026-05-02", None),
    ("bob", "b2", "Proposal", "200.00", "25", "2026-06-15", None),
    ("bob", "b3", "Lost", "75.00", "0", "2026-01-10", "2026-01-10T09:00:00+00:00"),
]


@dataclass
class Crm:
    platform: Platform
    ann: Actor
    bob: Actor
    manager: Actor


def _user(platform: Platform, email: str, *roles: str) -> Actor:
    return Actor.from_user(platform.users.create(email, ADMIN_PASSWORD, roles=list(roles)))


@pytest.fixture
def crm(platform: Platform, apply: Any, cheap_password_hashing: None) -> Crm:  # noqa: F811
    apply(BUNDLE)
    crm = Crm(platform, _user(platform, "ann@example.com", "rep"), _user(platform, "bob@example.com", "rep"),
              _user(platform, "boss@example.com", "manager"))
    for who, title, stage, amount, probability, close_date, closed_at in DEALS:
        platform.records.create(SYSTEM, "deal", {
            "owner": getattr(crm, who).id, "title": title, "stage": stage, "amount": Decimal(amount), "probability": Decimal(probability),
            "close_date": close_date, "closed_at": closed_at, "margin": "10.00", "code": f"C-{title}",
            "score": 5})
    return crm
