"""Autonumbers: formatted from a pattern, sequential per field, never handed out twice."""

from __future__ import annotations

import threading
from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, RecordEvent, RecordService
from metacrm.platform.records.autonumber import format_number, reset
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

THREADS, CREATES_PER_THREAD = 8, 25


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [
        make_object("invoice", fld("title", required=True), fld("number", "autonumber", pattern="INV-{0000}"),
                    fld("ref", "autonumber", pattern="R{00}/x")),
        make_object("ticket", fld("title"), fld("number", "autonumber", pattern="T-{0}")),
    ]})


def numbers(result: Any, field: str = "number") -> list[str]:
    return [r[field] for r in result.records]


@pytest.mark.parametrize("pattern, number, expected", [
    ("INV-{0000}", 1, "INV-0001"), ("INV-{0000}", 42, "INV-0042"), ("INV-{0000}", 9999, "INV-9999"),
    ("INV-{0000}", 12345, "INV-12345"), ("{0}", 7, "7"), ("C{000}-2026", 5, "C005-2026"), (None, 3, "3"),
])
def test_the_number_fills_the_placeholder_and_wider_numbers_are_kept_whole(pattern: str | None, number: int,
                                                                          expected: str) -> None:
    assert format_number(pattern, number) == expected


def test_the_first_record_gets_number_one_in_the_pattern(records: RecordService) -> None:
    assert records.create(SYSTEM, "invoice", {"title": "a"})["number"] == "INV-0001"


def test_the_number_is_stored(records: RecordService) -> None:
    created = records.create(SYSTEM, "invoice", {"title": "a"})
    assert records.get(SYSTEM, "invoice", created["id"])["number"] == "INV-0001"


def test_numbers_are_sequential_per_field(records: RecordService) -> None:
    made = [records.create(SYSTEM, "invoice", {"title": t}) for t in "abc"]
    assert [m["number"] for m in made] == ["INV-0001", "INV-0002", "INV-0003"]
    assert [m["ref"] for m in made] == ["R01/x", "R02/x", "R03/x"]
    assert records.create(SYSTEM, "ticket", {"title": "t"})["number"] == "T-1"


def test_an_update_keeps_the_number(records: RecordService) -> None:
    created = records.create(SYSTEM, "invoice", {"title": "a"})
    assert records.update(SYSTEM, "invoice", created["id"], {"title": "b"})["number"] == "INV-0001"


def test_a_bulk_create_assigns_consecutive_numbers_in_row_order(records: RecordService) -> None:
    records.create(SYSTEM, "invoice", {"title": "first"})
    result = records.bulk_create(SYSTEM, "invoice", [{"title": t} for t in "abc"])
    assert numbers(result) == ["INV-0002", "INV-0003", "INV-0004"]
    assert records.create(SYSTEM, "invoice", {"title": "last"})["number"] == "INV-0005"


def test_rows_that_fail_take_no_number(records: RecordService) -> None:
    result = records.bulk_create(SYSTEM, "invoice", [{"title": "a"}, {"title": ""}, {"title": "c"}],
                                 all_or_nothing=False)
    assert numbers(result) == ["INV-0001", "INV-0002"]


def test_a_rolled_back_create_gives_its_number_back(records: RecordService) -> None:
    def refuse(event: RecordEvent) -> None:
        raise RuntimeError("workflow failed")

    records.bus.listen("record.created", refuse, phase="in_transaction")
    with pytest.raises(RuntimeError):
        records.create(SYSTEM, "invoice", {"title": "a"})
    records.bus.remove("record.created", refuse, phase="in_transaction")
    assert records.create(SYSTEM, "invoice", {"title": "b"})["number"] == "INV-0001"


def test_numbering_continues_past_the_placeholder_width(platform: Platform, records: RecordService) -> None:
    with platform.engine.begin() as conn:
        reset(conn, "invoice", "number", 9999)
    assert [records.create(SYSTEM, "invoice", {"title": t})["number"] for t in "ab"] == ["INV-9999", "INV-10000"]


def test_concurrent_creates_never_share_a_number(platform: Platform, records: RecordService) -> None:
    # On PostgreSQL the creates really overlap; SQLite serialises writers. Either way, no duplicates.
    start = threading.Barrier(THREADS)
    made: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        try:
            start.wait()
            for i in range(CREATES_PER_THREAD):
                number = records.create(SYSTEM, "invoice", {"title": f"{worker}-{i}"})["number"]
                with lock:
                    made.append(number)
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(made) == len(set(made)) == THREADS * CREATES_PER_THREAD
    stored = {records.get(SYSTEM, "invoice", i)["number"] for i in range(1, THREADS * CREATES_PER_THREAD + 1)}
    assert stored == set(made)
