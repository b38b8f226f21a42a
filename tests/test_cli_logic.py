"""``metacrm logic recompute``: repairs stored roll-ups and formulas through the record path."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

import pytest
import sqlalchemy as sa

from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.test_cli import Run, metacrm, ready  # noqa: F401  (fixtures)

ACCOUNT = make_object(
    "account", fld("name"),
    fld("total", "rollup", result_type="currency",
        rollup={"child": "deal", "relationship_field": "account", "function": "sum", "field": "amount"}),
    fld("won", "rollup", rollup={"child": "deal", "relationship_field": "account", "function": "count",
                                 "filter": {"stage": "Won"}}),
    fld("label", "formula", formula='concat(name, ": ", total)', result_type="text"))
DEAL = make_object("deal", fld("amount", "currency"), fld("stage"),
                   fld("account", "lookup", target="account", on_delete="set_null"))


@pytest.fixture
def crm(ready: Run, database_url: str) -> Iterator[Platform]:  # noqa: F811
    p = Platform.from_url(database_url)
    p.metadata.apply(p.metadata.plan({"objects": [ACCOUNT, DEAL]}), author="test")
    yield p
    p.engine.dispose()


def column(p: Platform, name: str, rid: int) -> object:
    table = p.schema.get().tables["account"]
    with p.engine.connect() as conn:
        return conn.execute(sa.select(table.c[name]).where(table.c.id == rid)).scalar_one()


def test_recompute_fixes_values_written_around_the_record_path(ready: Run, crm: Platform) -> None:  # noqa: F811
    ids = [crm.records.create(SYSTEM, "account", {"name": f"A{i}"})["id"] for i in range(5)]
    for rid in ids:
        crm.records.create(SYSTEM, "deal", {"amount": "10.50", "stage": "Won", "account": rid})
    table = crm.schema.get().tables["account"]
    with crm.engine.begin() as conn:  # a bad import, a hand-written fix: wrong values on two accounts
        conn.execute(sa.update(table).where(table.c.id.in_(ids[:2])).values(total=Decimal("999.00"), won=7,
                                                                            label="stale"))
    result = ready("logic", "recompute", "account", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert "Recomputed account: 5 record(s), 2 changed." in result.output
    assert [column(crm, "total", rid) for rid in ids] == [Decimal("10.50")] * 5
    assert column(crm, "won", ids[0]) == 1 and column(crm, "label", ids[1]) == "A1: 10.50"
    again = ready("logic", "recompute", "account", "--field", "total")
    assert "Recomputed account.total: 5 record(s), 0 changed." in again.output


def test_recompute_names_what_it_cannot_do(ready: Run, crm: Platform) -> None:  # noqa: F811
    wrong_field = ready("logic", "recompute", "account", "--field", "name")
    assert wrong_field.exit_code == 1 and '"name" is not a roll-up or stored formula' in wrong_field.output
    assert "computed fields: total, won, label" in wrong_field.output
    unknown = ready("logic", "recompute", "nothing")
    assert unknown.exit_code == 1 and 'there is no object "nothing"' in unknown.output
