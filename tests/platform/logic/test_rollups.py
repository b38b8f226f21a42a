"""Roll-up summary fields kept right by every child write (both databases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from metacrm.platform.errors import Forbidden
from metacrm.platform.logic import rollups
from metacrm.platform.records import Actor, RecordInvalid
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from metacrm.platform.security import users
from tests.conftest import ADMIN_PASSWORD, fld, make_object


def rollup(name: str, function: str, field: str | None = None, *, child: str = "deal", via: str = "account",
           result_type: str | None = None, **filter_: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"child": child, "relationship_field": via, "function": function}
    if field:
        spec["field"] = field
    if filter_:
        spec["filter"] = filter_
    return fld(name, "rollup", rollup=spec, **({"result_type": result_type} if result_type else {}))


ACCOUNT = make_object(
    "account", fld("name"), fld("credit_limit", "currency"),
    rollup("deals", "count"), rollup("won_deals", "count", stage="Won"),
    rollup("total", "sum", "amount", result_type="currency"),
    rollup("won_total", "sum", "amount", result_type="currency", stage="Won"),
    rollup("smallest", "min", "amount", result_type="currency"),
    rollup("largest_open", "max", "amount", result_type="currency", stage__in="Open,Won"),
    {**rollup("mean", "avg", "amount", result_type="decimal"), "scale": 2},
    {**rollup("mean_won", "avg", "amount", result_type="decimal", stage="Won"), "scale": 2},
    rollup("first_close", "min", "close_date", result_type="date"),
    rollup("last_won_close", "max", "close_date", result_type="date", stage="Won"),
    rollup("line_total", "sum", "line_total", result_type="currency"),  # a roll-up of a roll-up
    fld("doubled", "formula", formula="total * 2", result_type="currency"),  # a formula reading a roll-up
)
DEAL = make_object(
    "deal", fld("title"), fld("amount", "currency"), fld("stage", "picklist", options=["Open", "Won", "Lost"]),
    fld("close_date", "date"), fld("account", "lookup", target="account", on_delete="set_null"),
    rollup("line_total", "sum", "price", child="line", via="deal", result_type="currency"))
PRODUCT = make_object("product", fld("name"), rollup("units", "sum", "quantity", child="line", via="product",
                                                     result_type="integer"))
LINE = make_object("line", fld("deal", "master_detail", target="deal"), fld("product", "lookup", target="product",
                                                                             on_delete="set_null"),
                   fld("quantity", "integer"), fld("price", "currency"))
EMPTY = {"deals": 0, "won_deals": 0, "total": Decimal("0.00"), "won_total": Decimal("0.00"), "smallest": None,
         "largest_open": None, "mean": None, "mean_won": None, "first_close": None, "last_won_close": None,
         "line_total": Decimal("0.00"), "doubled": Decimal("0.00")}


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [ACCOUNT, DEAL, PRODUCT, LINE]})


def create(platform: Platform, obj: str, **values: Any) -> dict[str, Any]:
    return platform.records.create(SYSTEM, obj, values)


def account(platform: Platform, rid: int) -> dict[str, Any]:
    return platform.records.get(SYSTEM, "account", rid, include_deleted=True)


def summary(platform: Platform, rid: int) -> dict[str, Any]:
    record = account(platform, rid)
    return {k: record[k] for k in EMPTY}


def test_a_new_parent_starts_with_zero_counts_and_sums_and_empty_extremes(platform: Platform) -> None:
    acme = create(platform, "account", name="Acme")
    assert summary(platform, acme["id"]) == EMPTY


def test_each_function_with_and_without_a_filter_is_exact(platform: Platform) -> None:
    acme = create(platform, "account", name="Acme")["id"]
    create(platform, "deal", title="a", amount="1.00", stage="Won", close_date="2025-01-10", account=acme)
    create(platform, "deal", title="b", amount="2.00", stage="Open", close_date="2025-03-01", account=acme)
    create(platform, "deal", title="c", amount="2.00", stage="Lost", close_date="2024-12-24", account=acme)
    create(platform, "deal", title="d", amount="0.10", stage="Won", close_date="2025-02-02", account=acme)
    create(platform, "deal", title="e", amount="0.20", stage="Won", account=acme)
    got = summary(platform, acme)
    assert got == {**EMPTY, "deals": 5, "won_deals": 3, "total": Decimal("5.30"), "won_total": Decimal("1.30"),
                   "smallest": Decimal("0.10"), "largest_open": Decimal("2.00"),
                   "mean": Decimal("1.06"), "mean_won": Decimal("0.43"),  # 1.30 / 3 = 0.4333 → 0.43
                   "first_close": dt.date(2024, 12, 24), "last_won_close": dt.date(2025, 2, 2),
                   "doubled": Decimal("10.60")}
    assert isinstance(got["total"], Decimal) and isinstance(got["deals"], int)


def test_averages_round_half_even_to_the_result_scale(platform: Platform) -> None:
    acme = create(platform, "account", name="Acme")["id"]
    for amount in ("1.00", "2.00", "2.00"):
        create(platform, "deal", amount=amount, stage="Open", account=acme)
    assert account(platform, acme)["mean"] == Decimal("1.67")


def test_update_delete_restore_and_purge_of_a_child(platform: Platform) -> None:
    acme = create(platform, "account", name="Acme")["id"]
    big = create(platform, "deal", amount="100.00", stage="Open", account=acme)["id"]
    create(platform, "deal", amount="5.00", stage="Won", account=acme)
    platform.records.update(SYSTEM, "deal", big, {"amount": "150.50"})  # the summarised field
    assert (account(platform, acme)["total"], account(platform, acme)["won_total"]) == (Decimal("155.50"),
                                                                                       Decimal("5.00"))
    platform.records.update(SYSTEM, "deal", big, {"stage": "Won"})  # a field of the filter
    assert account(platform, acme)["won_deals"] == 2 and account(platform, acme)["won_total"] == Decimal("155.50")
    platform.records.update(SYSTEM, "deal", big, {"title": "renamed"})  # a field no roll-up reads
    version = account(platform, acme)["version"]
    platform.records.delete(SYSTEM, "deal", big)  # into the recycle bin: no longer counted
    assert summary(platform, acme)["deals"] == 1 and account(platform, acme)["total"] == Decimal("5.00")
    assert account(platform, acme)["version"] == version + 1
    platform.records.restore(SYSTEM, "deal", big)
    assert account(platform, acme)["deals"] == 2 and account(platform, acme)["total"] == Decimal("155.50")
    platform.records.delete(SYSTEM, "deal", big)
    platform.records.purge(SYSTEM, "deal", big)
    assert account(platform, acme)["deals"] == 1 and account(platform, acme)["largest_open"] == Decimal("5.00")


def test_reparenting_a_child_moves_it_between_both_parents(platform: Platform) -> None:
    acme, globex = (create(platform, "account", name=n)["id"] for n in ("Acme", "Globex"))
    deal = create(platform, "deal", amount="10.00", stage="Won", account=acme)["id"]
    platform.records.update(SYSTEM, "deal", deal, {"account": globex})
    assert summary(platform, acme) == EMPTY
    assert (account(platform, globex)["deals"], account(platform, globex)["won_total"]) == (1, Decimal("10.00"))
    platform.records.update(SYSTEM, "deal", deal, {"account": None})
    assert account(platform, globex)["deals"] == 0


def test_bulk_writes_recompute_each_parent_once_per_statement(platform: Platform,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    acme, globex = (create(platform, "account", name=n)["id"] for n in ("Acme", "Globex"))
    calls: list[str] = []
    real = rollups.compute
    monkeypatch.setattr(rollups, "compute", lambda conn, live, f, *a: calls.append(f.name) or real(conn, live, f, *a))
    rows = [{"amount": f"{i}.25", "stage": "Won", "account": acme if i % 2 else globex} for i in range(1, 11)]
    created = platform.records.bulk_create(SYSTEM, "deal", rows).records
    assert calls.count("total") == 2  # one aggregate per parent and roll-up, not one per child
    assert (account(platform, acme)["deals"], account(platform, acme)["total"]) == (5, Decimal("26.25"))
    assert (account(platform, globex)["deals"], account(platform, globex)["total"]) == (5, Decimal("31.25"))
    platform.records.bulk_update(SYSTEM, "deal", [{"id": d["id"], "stage": "Lost", "account": acme}
                                                  for d in created if d["account"] == globex])
    assert (account(platform, acme)["deals"], account(platform, acme)["won_deals"]) == (10, 5)
    assert account(platform, acme)["won_total"] == Decimal("26.25") and summary(platform, globex) == EMPTY


def test_a_cascade_delete_of_a_master_and_roll_ups_of_roll_ups(platform: Platform,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    acme = create(platform, "account", name="Acme")["id"]
    widget = create(platform, "product", name="Widget")["id"]
    deals = [create(platform, "deal", amount="1.00", stage="Open", account=acme)["id"] for _ in range(2)]
    for deal in deals:
        for quantity, price in ((2, "3.50"), (1, "0.25")):
            create(platform, "line", deal=deal, product=widget, quantity=quantity, price=price)
    assert platform.records.get(SYSTEM, "deal", deals[0])["line_total"] == Decimal("3.75")
    assert account(platform, acme)["line_total"] == Decimal("7.50")
    assert platform.records.get(SYSTEM, "product", widget)["units"] == 6
    calls: list[str] = []
    real = rollups.compute
    monkeypatch.setattr(rollups, "compute", lambda conn, live, f, *a: calls.append(f.name) or real(conn, live, f, *a))
    deleted = platform.records.delete(SYSTEM, "deal", deals[0])  # its two lines go with it
    assert len(deleted["line"]) == 2 and calls.count("units") == 1  # the product re-saved once, not per line
    assert platform.records.get(SYSTEM, "product", widget)["units"] == 3
    assert account(platform, acme)["line_total"] == Decimal("3.75") and account(platform, acme)["deals"] == 1
    platform.records.restore(SYSTEM, "deal", deals[0])
    assert platform.records.get(SYSTEM, "product", widget)["units"] == 6
    assert account(platform, acme)["line_total"] == Decimal("7.50")


def test_a_child_author_who_cannot_edit_the_parent_still_keeps_its_roll_up_right(
        platform: Platform, apply: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    apply({"roles": [{"name": "sales", "objects": {"deal": {"create": True, "read": True, "update": True},
                                                   "account": {"read": True}}}]})
    seller = Actor.from_user(platform.users.create("seller@example.com", ADMIN_PASSWORD, roles=("sales",)))
    acme = create(platform, "account", name="Acme")["id"]
    with pytest.raises(Forbidden):
        platform.records.update(seller, "account", acme, {"name": "Mine now"})
    deal = platform.records.create(seller, "deal", {"amount": "42.00", "stage": "Won", "account": acme})
    assert account(platform, acme)["won_total"] == Decimal("42.00")
    platform.records.update(seller, "deal", deal["id"], {"amount": "40.00"})
    assert account(platform, acme)["total"] == Decimal("40.00") and account(platform, acme)["updated_by"] is None


def test_a_rule_on_the_parent_refuses_the_child_write_and_names_the_parent(
        platform: Platform, apply: Callable[..., Any]) -> None:
    apply({"objects": [{**ACCOUNT, "validation_rules": [
        {"name": "within_credit", "condition": "credit_limit is None or total <= credit_limit",
         "message": "Over the credit limit", "fields": ["total"]}]}]})
    acme = create(platform, "account", name="Acme", credit_limit="100.00")["id"]
    create(platform, "deal", amount="60.00", stage="Open", account=acme)
    with pytest.raises(RecordInvalid) as refused:
        create(platform, "deal", amount="50.00", stage="Open", account=acme)
    [error] = refused.value.field_errors
    assert (error.field, error.code) == ("account", "dependent_invalid")
    assert f"#{acme}" in error.message and "Over the credit limit" in error.message
    assert account(platform, acme)["total"] == Decimal("60.00") and account(platform, acme)["deals"] == 1


def test_adding_a_roll_up_fills_it_for_parents_that_already_have_children(
        platform: Platform, apply: Callable[..., Any]) -> None:
    acme = create(platform, "account", name="Acme")["id"]
    create(platform, "deal", amount="7.00", stage="Lost", account=acme)
    create(platform, "deal", amount="8.00", stage="Lost", account=acme)
    apply({"objects": [{**ACCOUNT, "fields": [*ACCOUNT["fields"],
                                              rollup("lost", "sum", "amount", result_type="currency", stage="Lost")]}]})
    assert account(platform, acme)["lost"] == Decimal("15.00")
    table = platform.schema.get().tables["account"]
    with platform.engine.connect() as conn:  # stored, so lists can filter and sort on it
        assert conn.execute(sa.select(table.c.id).where(table.c.lost > 10)).scalars().all() == [acme]
