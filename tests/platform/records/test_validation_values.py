"""values.py without a database: raw input → typed values or field errors, and back to rows and JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from metacrm.metadata import CompiledObject, compile_schema, load_bundle
from metacrm.platform.records import values
from tests.conftest import fld, make_object

UTC = dt.timezone.utc

DEAL = make_object(
    "deal",
    fld("title", required=True, max_length=10),
    fld("stage", "picklist", options=["New", "Won"], default="New"),
    fld("closed", "boolean"),
    fld("quantity", "integer"),
    fld("ratio", "decimal", precision=5, scale=2),
    fld("price", "currency"),
    fld("discount", "percent"),
    fld("starts_on", "date"),
    fld("meets_at", "datetime"),
    fld("tags", "multi_picklist", options=["A", "B"]),
    fld("email", "email"),
    fld("website", "url"),
    fld("phone", "phone"),
    fld("regarding", "polymorphic_lookup", targets=["company"]),
    fld("number", "autonumber", pattern="D-{000}"),
    fld("doubled", "formula", formula="price * 2", result_type="currency"),
)
COMPANY = make_object("company", fld("name"))
GLOBAL = make_object("global_deal", fld("amount", "currency"), multi_currency=True, currency="EUR")


def compiled(name: str) -> CompiledObject:
    schema = compile_schema(load_bundle({"objects": [DEAL, COMPANY, GLOBAL]}).bundle, 1)
    return schema.objects[name]


def coerce(data: dict[str, Any], *, creating: bool = True, name: str = "deal") -> tuple[dict[str, Any], dict[str, str]]:
    clean, errors = values.coerce_values(compiled(name), data, creating=creating)
    return clean, {e.field: e.code for e in errors}


def key_codes(data: dict[str, Any], *, allow: tuple[str, ...] = (), name: str = "deal") -> dict[str, str]:
    return {e.field: e.code for e in values.check_keys(compiled(name), data, allow=allow)}


def test_creating_applies_the_picklist_default_and_unchecked_booleans() -> None:
    clean, errors = coerce({"title": "Big"})
    assert errors == {}
    assert clean["stage"] == "New" and clean["closed"] is False


def test_a_given_value_wins_over_the_default() -> None:
    clean, _ = coerce({"title": "Big", "stage": "Won", "closed": "yes"})
    assert clean["stage"] == "Won" and clean["closed"] is True


def test_updating_applies_no_defaults_and_touches_only_the_given_fields() -> None:
    clean, errors = coerce({"quantity": "3"}, creating=False)
    assert clean == {"quantity": 3} and errors == {}


def test_updating_without_a_required_field_is_fine() -> None:
    assert coerce({"quantity": 1}, creating=False)[1] == {}


@pytest.mark.parametrize("missing", [{}, {"title": None}, {"title": ""}, {"title": "   "}])
def test_a_required_field_missing_or_empty_is_required(missing: dict[str, Any]) -> None:
    assert coerce(missing)[1] == {"title": "required"}


def test_emptying_a_required_field_on_update_is_required() -> None:
    assert coerce({"title": ""}, creating=False)[1] == {"title": "required"}


def test_an_empty_optional_value_clears_the_field() -> None:
    assert coerce({"quantity": "", "tags": []}, creating=False) == ({"quantity": None, "tags": None}, {})


def test_every_invalid_field_is_reported_at_once() -> None:
    _, errors = coerce({
        "title": "much too long", "quantity": "4.5", "ratio": "1234.5", "price": "1.005", "discount": "lots",
        "starts_on": "31/01/2026", "meets_at": "tomorrow at noon", "closed": "maybe", "stage": "Lost",
        "tags": ["A", "Z"], "email": "nobody", "website": "ftp://example.com", "phone": "call me",
        "regarding": {"object": "deal", "id": 1},
    })
    assert errors == {
        "title": "too_long", "quantity": "invalid_integer", "ratio": "out_of_range", "price": "too_many_decimals",
        "discount": "invalid_number", "starts_on": "invalid_date", "meets_at": "invalid_datetime",
        "closed": "invalid_boolean", "stage": "invalid_choice", "tags": "invalid_choice", "email": "invalid_email",
        "website": "invalid_url", "phone": "invalid_phone", "regarding": "invalid_reference",
    }


def test_valid_values_of_every_type_are_coerced_to_their_stored_form() -> None:
    clean, errors = coerce({
        "title": " Big ", "quantity": "42", "ratio": "-12.5", "price": "1,234.5", "discount": "12.5",
        "starts_on": "2026-01-31", "meets_at": "2026-01-31T14:30:00+02:00", "closed": "off",
        "tags": "B;A", "email": " a@b.co ", "website": "https://example.com", "phone": "+1 555 0100",
        "regarding": {"object": "company", "id": "7"},
    })
    assert errors == {}
    assert clean["quantity"] == 42 and clean["ratio"] == Decimal("-12.50")
    assert clean["price"] == Decimal("1234.50") and clean["discount"] == Decimal("12.5000")
    assert clean["starts_on"] == dt.date(2026, 1, 31)
    assert clean["closed"] is False and clean["tags"] == ["A", "B"] and clean["email"] == "a@b.co"
    assert clean["regarding"] == {"object": "company", "id": 7}


def test_datetimes_are_converted_to_utc_and_naive_ones_are_taken_as_utc() -> None:
    assert coerce({"meets_at": "2026-01-31T14:30:00+02:00"}, creating=False)[0]["meets_at"] == \
        dt.datetime(2026, 1, 31, 12, 30, tzinfo=UTC)
    assert coerce({"meets_at": "2026-01-31T14:30:00"}, creating=False)[0]["meets_at"] == \
        dt.datetime(2026, 1, 31, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("word, expected", [("yes", True), ("on", True), ("1", True), ("no", False),
                                            ("off", False), ("FALSE", False)])
def test_boolean_words(word: str, expected: bool) -> None:
    assert coerce({"closed": word}, creating=False)[0]["closed"] is expected


def test_decimals_are_checked_against_precision_and_scale() -> None:
    assert coerce({"ratio": "999.99"}, creating=False)[0]["ratio"] == Decimal("999.99")
    assert coerce({"ratio": "1000"}, creating=False)[1] == {"ratio": "out_of_range"}
    assert coerce({"ratio": "1.234"}, creating=False)[1] == {"ratio": "too_many_decimals"}


def test_currency_is_exact_decimal_without_float_drift() -> None:
    clean, _ = coerce({"price": "0.1"}, creating=False)
    other, _ = coerce({"price": "0.2"}, creating=False)
    assert clean["price"] + other["price"] == Decimal("0.30")
    assert coerce({"price": 0.1}, creating=False)[0]["price"] == Decimal("0.10")


def test_an_unknown_field_is_reported_with_a_suggestion() -> None:
    errors = values.check_keys(compiled("deal"), {"titel": "x"})
    assert [(e.field, e.code) for e in errors] == [("titel", "unknown_field")]
    assert errors[0].message == 'is not a field of Deal — did you mean "title"?'


@pytest.mark.parametrize("key", ["id", "created_at", "updated_at", "created_by", "updated_by", "version"])
def test_system_fields_are_read_only_on_create(key: str) -> None:
    assert key_codes({key: 1}) == {key: "read_only"}


def test_an_update_may_name_the_record_id_and_version() -> None:
    assert key_codes({"id": 1, "version": 3}, allow=("version", "id")) == {}


def test_owner_is_the_one_writable_system_field() -> None:
    assert key_codes({"owner": 5}) == {}


def test_computed_fields_are_read_only() -> None:
    assert key_codes({"number": "D-999", "doubled": "2"}) == {"number": "read_only", "doubled": "read_only"}


def test_computed_fields_are_never_coerced_from_input() -> None:
    clean, _ = coerce({"title": "Big", "number": "D-999", "doubled": "2"})
    assert "number" not in clean and "doubled" not in clean


def test_owner_must_look_like_a_user_id() -> None:
    assert coerce({"owner": "7"}, creating=False) == ({"owner": 7}, {})
    assert coerce({"owner": ""}, creating=False) == ({"owner": None}, {})
    for bad in ("me", 0, -3, True):
        assert coerce({"owner": bad}, creating=False)[1] == {"owner": "invalid_reference"}


def test_a_single_currency_object_refuses_a_record_currency() -> None:
    errors = values.check_keys(compiled("deal"), {"currency_code": "EUR"})
    assert [(e.field, e.code) for e in errors] == [("currency_code", "read_only")]
    assert "USD" in errors[0].message


def test_a_multi_currency_record_defaults_to_the_object_currency() -> None:
    assert coerce({}, name="global_deal")[0]["currency_code"] == "EUR"
    assert coerce({"currency_code": "JPY"}, name="global_deal")[0]["currency_code"] == "JPY"
    assert "currency_code" not in coerce({}, creating=False, name="global_deal")[0]


@pytest.mark.parametrize("code", ["eur", "EURO", "E1R", 978])
def test_a_currency_code_must_be_three_capital_letters(code: Any) -> None:
    assert coerce({"currency_code": code}, name="global_deal")[1] == {"currency_code": "invalid_currency"}


def test_a_polymorphic_lookup_spans_two_columns_and_comes_back_whole() -> None:
    obj = compiled("deal")
    row = values.to_row(obj, {"regarding": {"object": "company", "id": 7}, "owner": 3})
    assert row == {"regarding_object": "company", "regarding_id": 7, "owner": 3}
    assert values.from_row(obj, row)["regarding"] == {"object": "company", "id": 7}
    assert values.to_row(obj, {"regarding": None}) == {"regarding_object": None, "regarding_id": None}
    assert values.from_row(obj, {"regarding_object": None, "regarding_id": None})["regarding"] is None


def test_datetimes_read_from_a_row_are_aware_utc() -> None:
    obj = compiled("deal")
    naive = dt.datetime(2026, 1, 31, 12, 30)
    paris = dt.datetime(2026, 1, 31, 13, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    record = values.from_row(obj, {"meets_at": naive, "created_at": paris, "deleted_at": naive})
    expected = dt.datetime(2026, 1, 31, 12, 30, tzinfo=UTC)
    assert record["meets_at"] == record["created_at"] == record["deleted_at"] == expected
    assert record["meets_at"].utcoffset() == record["created_at"].utcoffset() == dt.timedelta(0)


def test_json_has_exact_decimals_as_text_and_times_in_utc() -> None:
    obj = compiled("deal")
    out = values.to_json(obj, {"price": Decimal("0.30"), "starts_on": dt.date(2026, 1, 31),
                               "meets_at": dt.datetime(2026, 1, 31, 12, 30, tzinfo=UTC),
                               "created_at": dt.datetime(2026, 1, 31, 12, 30), "quantity": None})
    assert out == {"price": "0.30", "starts_on": "2026-01-31", "meets_at": "2026-01-31T12:30:00Z",
                   "created_at": "2026-01-31T12:30:00Z", "quantity": None}


def test_changed_fields_ignore_the_stamps_of_the_write() -> None:
    before = {"title": "a", "quantity": 1, "version": 1, "updated_at": 1}
    after = {"title": "a", "quantity": 2, "version": 2, "updated_at": 2}
    assert values.changed_fields(before, after) == ("quantity",)
