"""Each field type coerces raw input to one exact stored value or says why not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from metacrm.metadata import FIELD_TYPES, FieldValueError, load_bundle


def field(type_: str, **settings: Any) -> Any:
    doc = {"name": "t", "fields": [{"name": "f", "type": type_, **settings}]}
    return load_bundle(doc).bundle.objects["t"].fields[0]


def coerce(type_: str, value: Any, **settings: Any) -> Any:
    f = field(type_, **settings)
    return FIELD_TYPES.get(f.type).coerce(value, f)


def code(type_: str, value: Any, **settings: Any) -> str:
    with pytest.raises(FieldValueError) as info:
        coerce(type_, value, **settings)
    return info.value.code


def test_money_is_exact_decimal_never_float() -> None:
    assert coerce("currency", "0.1") + coerce("currency", "0.2") == Decimal("0.30")
    assert coerce("currency", "1,234.5") == Decimal("1234.50")
    assert coerce("currency", 0.1) == Decimal("0.10")
    assert code("currency", "1.005") == "too_many_decimals"
    assert code("currency", "1e40") == "out_of_range"
    assert code("currency", "abc") == "invalid_number"
    assert code("currency", True) == "invalid_number"
    assert coerce("decimal", "3.14159", scale=5) == Decimal("3.14159")


def test_integers_refuse_fractions_and_booleans() -> None:
    assert coerce("integer", "42") == 42
    assert coerce("integer", "42.0") == 42
    assert code("integer", "4.2") == "invalid_integer"
    assert code("integer", True) == "invalid_integer"
    assert code("integer", str(2**63)) == "out_of_range"


def test_text_lengths_formats() -> None:
    assert code("text", "x" * 11, max_length=10) == "too_long"
    assert coerce("email", " a@b.co ") == "a@b.co"
    assert code("email", "not-an-email") == "invalid_email"
    assert coerce("phone", "+1 (555) 010-9999 ext 12") == "+1 (555) 010-9999 ext 12"
    assert code("phone", "call me") == "invalid_phone"
    assert code("url", "javascript:alert(1)") == "invalid_url"
    assert coerce("url", "https://example.com/x") == "https://example.com/x"


def test_dates_and_datetimes_are_iso_and_utc() -> None:
    assert coerce("date", "2026-01-31") == dt.date(2026, 1, 31)
    assert code("date", "31/01/2026") == "invalid_date"
    value = coerce("datetime", "2026-01-31T14:30:00+02:00")
    assert value == dt.datetime(2026, 1, 31, 12, 30, tzinfo=dt.timezone.utc)
    f = field("datetime")
    assert FIELD_TYPES.get("datetime").to_json(value, f) == "2026-01-31T12:30:00Z"


def test_booleans_and_picklists() -> None:
    assert coerce("boolean", "yes") is True and coerce("boolean", "0") is False
    assert code("boolean", "maybe") == "invalid_boolean"
    assert coerce("picklist", "Won", options=["New", "Won"]) == "Won"
    assert code("picklist", "won", options=["New", "Won"]) == "invalid_choice"
    assert coerce("multi_picklist", ["B", "A"], options=["A", "B", "C"]) == ["A", "B"]
    assert coerce("multi_picklist", "A;C", options=["A", "B", "C"]) == ["A", "C"]


def test_references() -> None:
    company = {"name": "company", "fields": [{"name": "name", "type": "text"}]}
    doc = {"objects": [company, {"name": "activity", "fields": [
        {"name": "regarding", "type": "polymorphic_lookup", "targets": ["company"]},
        {"name": "company", "type": "lookup", "target": "company"}]}]}
    activity = load_bundle(doc).bundle.objects["activity"]
    poly, lookup = activity.fields
    assert FIELD_TYPES.get("lookup").coerce("7", lookup) == 7
    assert FIELD_TYPES.get("polymorphic_lookup").coerce({"object": "company", "id": "3"}, poly) == {
        "object": "company", "id": 3}
    with pytest.raises(FieldValueError):
        FIELD_TYPES.get("polymorphic_lookup").coerce({"object": "deal", "id": 3}, poly)
    assert [c.name for c in FIELD_TYPES.get("polymorphic_lookup").columns(poly)] == ["regarding_object", "regarding_id"]


def test_formulas_store_like_their_result_type_unless_computed_on_read() -> None:
    stored = field("formula", formula="1 + 1", result_type="currency")
    on_read = field("formula", formula="1 + 1", result_type="currency", stored=False)
    assert [c.kind for c in FIELD_TYPES.get("formula").columns(stored)] == ["decimal"]
    assert FIELD_TYPES.get("formula").columns(on_read) == []


def test_registry_closes_when_frozen() -> None:
    from metacrm.metadata.field_types import EmailType, FieldTypeRegistry, TextType

    registry = FieldTypeRegistry()
    registry.register(TextType)
    registry.freeze()
    registry.register(TextType)  # the same class again (a second app in one process) changes nothing
    with pytest.raises(RuntimeError):
        registry.register(EmailType)


def test_a_type_name_cannot_be_taken_over() -> None:
    from metacrm.metadata.field_types import FieldTypeRegistry, TextType

    class Impostor(TextType):
        pass

    registry = FieldTypeRegistry()
    registry.register(TextType)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Impostor)


def test_an_isolated_registry_is_restored_afterwards() -> None:
    from metacrm.metadata.field_types import EmailType, FieldTypeRegistry

    registry = FieldTypeRegistry()
    registry.freeze()
    with registry.isolated():
        registry.register(EmailType)
        assert "email" in registry
    assert "email" not in registry and registry.frozen
