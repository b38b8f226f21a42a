"""Keyset pagination walks a whole table: every row exactly once, in the offset order.

57 live deals (plus 3 in the recycle bin) with many duplicate and empty sort
values, so pages break in the middle of ties and of the empty tail.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Iterator

import pytest

from metacrm.platform.runtime import Platform

from .conftest import COMPANIES, COMPANY_COLUMNS, DEAL_COLUMNS, UTC, Runner, build_crm, insert

LIVE = 57
PAGE = "10"
AMOUNTS = [None, Decimal("10.00"), Decimal("20.00"), Decimal("20.00"), Decimal("5.50")]
STAGES = [None, "New", "Won", "Lost"]


def deal(i: int) -> dict[str, Any]:
    return {
        "title": f"t{(i * 7) % 13:02d}",
        "amount": AMOUNTS[i % 5],
        "stage": STAGES[i % 4],
        "close_date": None if i % 3 == 0 else dt.date(2026, 1, 1) + dt.timedelta(days=i % 7),
        "closed_at": None if i % 4 == 1 else dt.datetime(2026, 3, 1, tzinfo=UTC) + dt.timedelta(hours=i % 9),
        "is_hot": [True, False, None][i % 3],
        "score": None if i % 8 == 0 else i % 6 - 2,
        "company": [1, 2, 3, None][i % 4],
    }


DEALS = [deal(i) for i in range(LIVE)]
COMPANY_NAMES = {i + 1: c["name"] for i, c in enumerate(COMPANIES)}


def value(row: dict[str, Any], name: str) -> Any:
    if name == "company__name":
        return COMPANY_NAMES.get(row["company"])
    if name == "company__id":
        return row["company"]
    return row[name]


def expected_order(sort: str, rows: dict[int, dict[str, Any]]) -> list[int]:
    """The specification in Python: each key ascending or descending, empty values last, then id."""
    ids = sorted(rows)
    for item in reversed(sort.split(",")):
        name = item.lstrip("-")
        present = [i for i in ids if value(rows[i], name) is not None]
        empty = [i for i in ids if value(rows[i], name) is None]
        present.sort(key=lambda i: value(rows[i], name), reverse=item.startswith("-"))  # stable
        ids = present + empty
    return ids


@pytest.fixture(scope="module")
def paging(module_database_url: str) -> Iterator[Runner]:
    platform = build_crm(module_database_url)  # deals 1..6 of the shared data set
    with platform.engine.begin() as conn:
        conn.execute(platform.schema.get().tables["deal"].delete())
    insert(platform, "deal", DEALS[:30] + [{**DEALS[0], "deleted_at": dt.datetime(2026, 1, 1, tzinfo=UTC)}] * 3
           + DEALS[30:], DEAL_COLUMNS)
    yield Runner(platform)
    platform.engine.dispose()


@pytest.fixture(scope="module")
def rows(paging: Runner) -> dict[int, dict[str, Any]]:
    result = paging.run(limit="200")
    assert len(result.rows) == LIVE
    return {r["id"]: r for r in result.rows}


def walk_with_cursor(run: Callable[..., Any], **params: Any) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(LIVE):
        result = run(limit=PAGE, **params, **({"cursor": cursor} if cursor else {}))
        seen += [r["id"] for r in result.rows]
        cursor = result.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the cursor never reached the end")


def walk_with_offset(run: Callable[..., Any], **params: Any) -> list[int]:
    seen: list[int] = []
    for offset in range(0, 1000, int(PAGE)):
        page = [r["id"] for r in run(limit=PAGE, offset=str(offset), **params).rows]
        if not page:
            return seen
        seen += page
    raise AssertionError("offset paging never ended")


SORTS = ["-amount,stage", "amount,-stage", "stage", "-close_date,-is_hot", "title", "-title,amount",
         "company__name,-score", "-company__id,title", "closed_at", "-closed_at,-amount", "is_hot", "-score", "-id", "id"]


@pytest.mark.parametrize("sort", SORTS)
def test_a_cursor_walk_sees_every_row_once_in_offset_order(paging: Runner, rows: dict[int, dict[str, Any]],
                                                           sort: str) -> None:
    by_cursor = walk_with_cursor(paging.run, sort=sort)
    assert len(by_cursor) == LIVE and len(set(by_cursor)) == LIVE
    assert by_cursor == walk_with_offset(paging.run, sort=sort) == expected_order(sort, rows)


def test_a_cursor_walk_keeps_the_filters(paging: Runner, rows: dict[int, dict[str, Any]]) -> None:
    params = {"sort": "-amount,close_date", "stage__ne": "Won", "q": "t0"}
    walked = walk_with_cursor(paging.run, **params)
    matching = {i for i, r in rows.items() if r["stage"] != "Won" and r["title"].startswith("t0")}
    assert walked == [i for i in expected_order(params["sort"], rows) if i in matching]
    assert walked == walk_with_offset(paging.run, **params)


def test_rows_added_while_paging_neither_repeat_nor_shift_a_cursor_walk(platform: Platform, apply: Any) -> None:
    from .schema import BUNDLE

    apply(BUNDLE)
    insert(platform, "company", COMPANIES, COMPANY_COLUMNS)
    insert(platform, "deal", [{"title": f"d{i:02d}", "amount": Decimal(i)} for i in range(1, 21)], DEAL_COLUMNS)
    run = Runner(platform).run
    first = run(sort="amount", limit="10")
    assert [r["title"] for r in first.rows] == [f"d{i:02d}" for i in range(1, 11)]
    insert(platform, "deal", [{"title": "early", "amount": Decimal("0.50")}], DEAL_COLUMNS)
    second = run(sort="amount", limit="10", cursor=first.next_cursor)
    assert [r["title"] for r in second.rows] == [f"d{i:02d}" for i in range(11, 21)]
    assert second.next_cursor is None
    # offset paging, by contrast, shows d10 again
    assert run(sort="amount", limit="10", offset="10").rows[0]["title"] == "d10"
