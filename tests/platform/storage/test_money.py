"""Money and decimals stay exact on both databases: Decimal in, the same Decimal out, never a float."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import insert_rows, select_all

from .conftest import raw_column

Apply = Callable[..., Any]
LEDGER = make_object("ledger", fld("memo"), fld("amount", "decimal", precision=18, scale=4),
                     fld("price", "currency"))


@pytest.mark.parametrize("value", ["12345678901234.5678", "-12345678901234.5678", "0.0001", "-0.0001", "0.0000"])
def test_a_decimal_roundtrips_exactly(platform: Platform, apply: Apply, value: str) -> None:
    apply(LEDGER)
    insert_rows(platform, "ledger", [{"memo": "x", "amount": Decimal(value), "price": None}])
    [(stored,)] = select_all(platform, "ledger", "amount")
    assert isinstance(stored, Decimal)
    assert stored == Decimal(value)


@pytest.mark.parametrize("value", ["9999999999999999.99", "-9999999999999999.99", "0.01", "-0.01"])
def test_a_currency_amount_keeps_every_cent(platform: Platform, apply: Apply, value: str) -> None:
    apply(LEDGER)
    insert_rows(platform, "ledger", [{"memo": "x", "amount": None, "price": Decimal(value)}])
    assert select_all(platform, "ledger", "price") == [(Decimal(value),)]


def test_money_is_stored_exactly_never_as_a_float(platform: Platform, apply: Apply) -> None:
    """NUMERIC on PostgreSQL; a scaled integer on SQLite, whose REAL would round."""
    apply(LEDGER)
    insert_rows(platform, "ledger", [{"memo": "x", "amount": Decimal("12345678901234.5678"), "price": None}])
    [raw] = raw_column(platform, "obj_ledger", "amount")
    expected = {"postgresql": Decimal("12345678901234.5678"), "sqlite": 123456789012345678}
    assert not isinstance(raw, float)
    assert raw == expected[platform.engine.dialect.name]


def test_sql_sums_money_exactly(platform: Platform, apply: Apply) -> None:
    apply(LEDGER)
    insert_rows(platform, "ledger", [{"memo": str(v), "amount": None, "price": Decimal(v)}
                                     for v in ("0.10", "0.20", "-0.05", "1000000000000.01")])
    table = platform.schema.get().tables["ledger"]
    with platform.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.sum(table.c.price))).scalar()
    assert total == Decimal("1000000000000.26")
    assert isinstance(total, Decimal)
