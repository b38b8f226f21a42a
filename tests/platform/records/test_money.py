"""Money is exact on both databases, and multi-currency records carry their own currency code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, RecordService
from tests.conftest import fld, make_object
from tests.platform.records.conftest import field_codes, field_messages


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [
        make_object("deal", fld("amount", "currency"), fld("fee", "currency", precision=10, scale=4),
                    fld("discount", "percent"), fld("ratio", "decimal")),
        make_object("global_deal", fld("amount", "currency"), multi_currency=True, currency="EUR"),
    ]})


def stored(records: RecordService, object_name: str, data: dict[str, Any]) -> dict[str, Any]:
    created = records.create(SYSTEM, object_name, data)
    return records.get(SYSTEM, object_name, created["id"])


def test_amounts_are_stored_and_read_exactly(records: RecordService) -> None:
    a = stored(records, "deal", {"amount": "0.1"})["amount"]
    b = stored(records, "deal", {"amount": "0.2"})["amount"]
    assert (a, b) == (Decimal("0.10"), Decimal("0.20"))
    assert isinstance(a, Decimal) and a + b == Decimal("0.3")


def test_a_float_amount_is_taken_at_its_written_value(records: RecordService) -> None:
    assert stored(records, "deal", {"amount": 0.1})["amount"] == Decimal("0.10")


@pytest.mark.parametrize("amount", ["9999999999999999.99", "-9999999999999999.99", "0.01", "0"])
def test_the_largest_and_smallest_amounts_round_trip_without_rounding(records: RecordService, amount: str) -> None:
    assert stored(records, "deal", {"amount": amount})["amount"] == Decimal(amount)


def test_an_amount_beyond_the_precision_is_out_of_range(records: RecordService) -> None:
    assert field_codes(records.create, SYSTEM, "deal", {"amount": "10000000000000000"}) == {"amount": "out_of_range"}


def test_an_amount_with_more_decimals_than_the_currency_has_is_refused(records: RecordService) -> None:
    assert field_messages(records.create, SYSTEM, "deal", {"amount": "0.125"}) == \
        {"amount": "may have at most 2 digits after the point"}


def test_a_currency_field_may_declare_its_own_scale(records: RecordService) -> None:
    assert stored(records, "deal", {"fee": "0.0001"})["fee"] == Decimal("0.0001")
    assert field_codes(records.create, SYSTEM, "deal", {"fee": "1000000"}) == {"fee": "out_of_range"}


def test_percentages_and_decimals_are_exact_too(records: RecordService) -> None:
    record = stored(records, "deal", {"discount": "12.3456", "ratio": "-0.0001"})
    assert (record["discount"], record["ratio"]) == (Decimal("12.3456"), Decimal("-0.0001"))
    assert field_codes(records.create, SYSTEM, "deal", {"discount": "100000"}) == {"discount": "out_of_range"}


def test_money_is_json_text_so_no_client_rounds_it(records: RecordService) -> None:
    record = stored(records, "deal", {"amount": "1234.5", "discount": "5"})
    out = records.to_json("deal", record)
    assert (out["amount"], out["discount"], out["fee"]) == ("1234.50", "5.0000", None)


def test_a_multi_currency_record_defaults_to_the_object_currency(records: RecordService) -> None:
    assert stored(records, "global_deal", {"amount": "5"})["currency_code"] == "EUR"


def test_a_multi_currency_record_can_have_its_own_currency(records: RecordService) -> None:
    record = stored(records, "global_deal", {"amount": "5", "currency_code": "JPY"})
    assert (record["amount"], record["currency_code"]) == (Decimal("5.00"), "JPY")


def test_a_record_currency_can_be_changed(records: RecordService) -> None:
    created = records.create(SYSTEM, "global_deal", {"amount": "5"})
    updated = records.update(SYSTEM, "global_deal", created["id"], {"currency_code": "GBP"})
    assert (updated["currency_code"], updated["version"]) == ("GBP", 2)
    assert records.get(SYSTEM, "global_deal", created["id"])["currency_code"] == "GBP"


def test_an_update_leaves_the_record_currency_alone(records: RecordService) -> None:
    created = records.create(SYSTEM, "global_deal", {"amount": "5", "currency_code": "JPY"})
    assert records.update(SYSTEM, "global_deal", created["id"], {"amount": "6"})["currency_code"] == "JPY"


@pytest.mark.parametrize("code", ["eur", "EURO", "€", 978])
def test_an_invalid_currency_code_is_rejected(records: RecordService, code: Any) -> None:
    assert field_codes(records.create, SYSTEM, "global_deal", {"amount": "5", "currency_code": code}) == \
        {"currency_code": "invalid_currency"}


def test_a_single_currency_object_refuses_a_record_currency(records: RecordService) -> None:
    messages = field_messages(records.create, SYSTEM, "deal", {"amount": "5", "currency_code": "EUR"})
    assert messages == {"currency_code": "Deal uses one currency (USD); records cannot set their own"}


def test_a_single_currency_record_has_no_currency_code(records: RecordService) -> None:
    record = stored(records, "deal", {"amount": "5"})
    assert "currency_code" not in record
    assert field_codes(records.update, SYSTEM, "deal", record["id"], {"currency_code": "USD"}) == \
        {"currency_code": "read_only"}
