"""Every helper of docs/logic.md, through the sandbox as admins call them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metacrm.platform.logic import helpers
from metacrm.platform.logic.limits import SandboxError, ScriptFailure
from metacrm.platform.logic.policy import compiled, source_key, _cache
from metacrm.platform.logic.sandbox import evaluate
from metacrm.platform.logic.views import LookupValue, UserView


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "clock", lambda: dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.timezone.utc))
    monkeypatch.setattr(helpers, "settings", helpers.LogicSettings("US", None, 4))


D = dt.date
CASES = [
    ("today()", D(2025, 3, 14)), ("now().hour", 9), ("today() + days(30)", D(2025, 4, 13)),
    ("today() + months(1)", D(2025, 4, 14)), ("today() - years(1)", D(2024, 3, 14)),
    ("days_between(today(), d)", 18), ("days_between(None, d)", None),
    ("year(d)", 2025), ("month(d)", 4), ("day(d)", 1),
    ("fiscal_year(d)", 2026), ("fiscal_year(today())", 2025), ("fiscal_quarter(d)", 1), ("fiscal_quarter(today())", 4),
    ("is_business_day(date(2025, 7, 4))", False), ("is_business_day(d)", True),
    ("add_business_days(date(2025, 7, 3), 1)", D(2025, 7, 7)),  # Independence Day, then the weekend
    ("add_business_days(date(2025, 7, 7), -1)", D(2025, 7, 3)),
    ("business_days_between(date(2025, 7, 3), date(2025, 7, 8))", 2),
    ("business_days_between(date(2025, 7, 8), date(2025, 7, 3))", -2),
    ("decimal(0.1) + decimal('0.2')", Decimal("0.3")), ("money('2.345')", Decimal("2.35")),
    ("money(amount * 3 / 7)", Decimal("4.29")), ("amount * probability / 100", Decimal("2.50")),
    ("concat(first, ' ', last)", "Ada "), ("upper('a')", "A"), ("lower('A')", "a"), ("trim('  a ')", "a"),
    ("left('abcdef', 2)", "ab"), ("right('abcdef', 2)", "ef"), ("contains('abc', 'b')", True),
    ("startswith('abc', 'ab')", True), ("len('abc')", 3),
    ("if_(stage == 'Won', amount, 0)", Decimal("10.00")), ("if_(False, 1)", None),
    ("is_blank('  ')", True), ("is_blank(0)", False), ("coalesce(None, '', 'x')", "x"),
    ("round(decimal('2.567'), 2)", Decimal("2.57")), ("abs(-2)", 2), ("min(3, 1, 2)", 1), ("max([1, 5])", 5),
    ("sum([1, 2, 3])", 6), ("int('42')", 42), ("str(42)", "42"),
    ("current_user.id", 7), ("current_user.email", "u@example.com"), ("'sales' in current_user.roles", True),
    ("company.industry", "Rockets"), ("company.id", 3), ("company == 3", True),
    ("sorted([3, 1, 2])", [1, 2, 3]), ("[x * 2 for x in range(3)]", [0, 2, 4]), ("f'{amount:.1f}'", "10.0"),
    ("'a-b'.split('-')", ["a", "b"]),
]


def names() -> dict:
    return {"d": D(2025, 4, 1), "amount": Decimal("10.00"), "probability": Decimal("25"), "first": "Ada",
            "last": None, "stage": "Won", "date": D,
            "current_user": UserView(7, "u@example.com", ["sales"], False),
            "company": LookupValue(3, "company", lambda t, i: {"industry": "Rockets"})}


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_helper(source: str, expected: object) -> None:
    assert evaluate(source, names()) == expected


def test_fail_and_matches() -> None:
    with pytest.raises(ScriptFailure) as exc:
        evaluate("fail('no', 'amount')", {})
    assert (exc.value.message, exc.value.field) == ("no", "amount")
    with pytest.raises(SandboxError, match="server scripts only"):
        evaluate("matches('a', 'a')", {})
    assert helpers.matches("^a+$", "aaa")


def test_compiled_code_is_cached_by_source_hash() -> None:
    code = compiled("1 + 2 + 3")
    assert compiled("1 + 2 + 3") is code and source_key("eval", "1 + 2 + 3") in _cache


def test_runtime_errors_name_kind_and_line() -> None:
    with pytest.raises(SandboxError, match="ZeroDivisionError"):
        evaluate("1 / 0", {})
    with pytest.raises(SandboxError, match="not a field of this object or a helper"):
        evaluate("nope + 1", {})
