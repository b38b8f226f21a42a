"""Formulas, validation rules, expression defaults and before-save scripts on the record path (both databases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.logic import helpers
from metacrm.platform.records.actor import SYSTEM, Actor
from metacrm.platform.records.errors import RecordInvalid
from tests.conftest import fld, make_object
from tests.helpers import select_all

TODAY = dt.date(2025, 3, 14)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "clock", lambda: dt.datetime(2025, 3, 14, 12, tzinfo=dt.timezone.utc))


def company() -> dict[str, Any]:
    return make_object("company", fld("name"), fld("industry"))


def deal(**settings: Any) -> dict[str, Any]:
    return make_object(
        "deal", fld("title"), fld("first_name"), fld("last_name"),
        fld("amount", "currency"), fld("probability", "percent"), fld("stage", "picklist", options=["Open", "Won", "Lost"]),
        fld("close_date", "date"), fld("company", "lookup", target="company", on_delete="set_null"),
        fld("expected_revenue", "formula", formula="amount * probability / 100", result_type="currency"),
        fld("days_left", "formula", formula="days_between(today(), close_date)", result_type="integer"),
        fld("full_name", "formula", formula='concat(first_name, " ", last_name)', result_type="text"),
        fld("won_amount", "formula", formula='if_(stage == "Won", amount, 0)', result_type="currency"),
        fld("industry", "formula", formula="company.industry", result_type="text"),
        fld("doubled", "formula", formula="won_amount * 2", result_type="currency"),
        fld("on_read", "formula", formula="upper(title)", result_type="text", stored=False),
        fld("follow_up", "date", default="=today() + days(30)"),
        fld("creator", "integer", default="=current_user.id"),
        **settings)


RULES = [
    {"name": "close_date_after_today", "condition": "close_date is None or close_date >= today() or "
     "stage in ('Won', 'Lost')", "message": "Close date cannot be in the past for an open deal",
     "fields": ["close_date"]},
    {"name": "amount_positive", "condition": "amount is None or amount > 0", "message": "Amount must be positive",
     "fields": ["amount"], "when": "always"},
    {"name": "no_reopen", "condition": "old is None or old.stage != 'Won' or stage == 'Won'",
     "message": "A won deal cannot be reopened", "fields": ["stage"], "when": "update"},
]


def test_formulas_defaults_and_lookups(platform: Any, apply: Any) -> None:
    apply({"objects": [company(), deal()]})
    acme = platform.records.create(SYSTEM, "company", {"name": "Acme", "industry": "Rockets"})
    actor = Actor(id=7, email="a@example.com", is_admin=True)
    rec = platform.records.create(actor, "deal", {
        "title": "big", "first_name": "Ada", "last_name": "Lovelace", "amount": "1000.00", "probability": "25",
        "stage": "Won", "close_date": "2025-04-13", "company": acme["id"]})
    assert rec["expected_revenue"] == Decimal("250.00")
    assert rec["days_left"] == 30
    assert rec["full_name"] == "Ada Lovelace"
    assert rec["won_amount"] == Decimal("1000.00")
    assert rec["doubled"] == Decimal("2000.00")
    assert rec["industry"] == "Rockets"
    assert rec["follow_up"] == TODAY + dt.timedelta(days=30)
    assert rec["creator"] == 7
    # stored: in the table
    assert select_all(platform, "deal", "expected_revenue", "full_name")[0] == (Decimal("250.00"), "Ada Lovelace")
    # on read
    assert platform.records.get(actor, "deal", rec["id"])["on_read"] == "BIG"
    # changing a referenced field recomputes (and dependants of dependants)
    upd = platform.records.update(actor, "deal", rec["id"], {"amount": "2000", "stage": "Won"})
    assert upd["expected_revenue"] == Decimal("500.00") and upd["doubled"] == Decimal("4000.00")
    # empty inputs give an empty formula, not an error
    empty = platform.records.create(actor, "deal", {"title": "x"})
    assert empty["expected_revenue"] is None and empty["full_name"] == " "


def test_rules_report_together_with_field_errors(platform: Any, apply: Any) -> None:
    apply({"objects": [company(), deal(validation_rules=RULES)]})
    with pytest.raises(RecordInvalid) as err:
        platform.records.create(SYSTEM, "deal", {"amount": "-5", "stage": "Open", "close_date": "2025-01-01",
                                                 "probability": "not a number"})
    found = {(e.field, e.code) for e in err.value.field_errors}
    assert ("close_date", "validation_rule") in found
    assert ("amount", "validation_rule") in found
    assert ("probability", "invalid_number") in found or any(f == "probability" for f, _ in found)
    assert err.value.status == 422
    assert select_all(platform, "deal", "id") == []  # nothing written
    rec = platform.records.create(SYSTEM, "deal", {"amount": "5", "stage": "Won", "close_date": "2025-01-01"})
    with pytest.raises(RecordInvalid) as err:  # "when": update
        platform.records.update(SYSTEM, "deal", rec["id"], {"stage": "Open"})
    assert {e.message for e in err.value.field_errors} == {"A won deal cannot be reopened",
                                                          "Close date cannot be in the past for an open deal"}


def test_rules_checked_at_definition_time(platform: Any) -> None:
    bad = [{"name": "r1", "condition": "amount >", "message": "m"},
           {"name": "r2", "condition": "amuont > 0", "message": "m", "fields": ["nope"]},
           {"name": "r3", "condition": "amount.__class__", "message": "m"},
           {"name": "r4", "condition": "company.industy == 'x'", "message": "m"}]
    with pytest.raises(Unprocessable) as err:
        platform.metadata.plan({"objects": [company(), deal(validation_rules=bad)]})
    text = "\n".join(f"{i['path']}: {i['message']}" for i in err.value.extra["errors"])
    assert "validation_rules[0].condition: line 1, column" in text
    assert 'validation_rules[1].condition: refers to "amuont"' in text and 'did you mean "amount"' in text
    assert 'validation_rules[1].fields[0]: field "nope" does not exist' in text
    assert "validation_rules[2].condition" in text and "underscore" in text
    assert 'validation_rules[3].condition: refers to "company.industy"' in text


def test_formula_type_and_cycles(platform: Any, apply: Any) -> None:
    with pytest.raises(Unprocessable) as err:
        platform.metadata.plan(make_object("t", fld("a", "formula", formula="b + 1", result_type="integer"),
                                           fld("b", "formula", formula="a + 1", result_type="integer")))
    assert "cycle" in str(err.value.extra["errors"])
    apply(make_object("t", fld("name"), fld("n", "formula", formula="concat(name, 'x')", result_type="integer")))
    with pytest.raises(RecordInvalid) as e2:
        platform.records.create(SYSTEM, "t", {"name": "abc"})
    assert e2.value.field_errors[0].field == "n" and e2.value.field_errors[0].code == "formula_type"


def test_limits_leave_the_record_unwritten(platform: Any, apply: Any) -> None:
    apply(make_object("t", fld("name"), fld("n", "formula", formula="len('x' * 10**9)", result_type="integer")))
    with pytest.raises(RecordInvalid) as err:
        platform.records.create(SYSTEM, "t", {"name": "abc"})
    assert "limit" in err.value.field_errors[0].message
    assert select_all(platform, "t", "id") == []


def test_before_save_scripts(platform: Any, apply: Any) -> None:
    scripts = [{"name": "normalise", "event": "before_save",
                "code": "record.title = upper(record.title or '')\nif record.amount and record.amount > 1000:\n"
                        "    fail('Deals over 1000 need approval', 'amount')\n"},
               {"name": "spin", "event": "before_save", "code": "if record.title == 'SPIN':\n    while True: pass\n"}]
    apply({"objects": [company(), deal(scripts=scripts)]})
    rec = platform.records.create(SYSTEM, "deal", {"title": "small", "amount": "10"})
    assert rec["title"] == "SMALL"
    with pytest.raises(RecordInvalid) as err:
        platform.records.create(SYSTEM, "deal", {"title": "b", "amount": "5000"})
    assert err.value.field_errors[0].field == "amount"
    assert err.value.field_errors[0].message == "Deals over 1000 need approval"
    with pytest.raises(RecordInvalid) as err:
        platform.records.create(SYSTEM, "deal", {"title": "spin"})
    assert "stopped" in err.value.field_errors[0].message
    assert len(select_all(platform, "deal", "id")) == 1
