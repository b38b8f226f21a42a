"""Lists over HTTP: the query language in the URL, related lists and global search."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Records, assert_problem


@pytest.fixture
def deals(records: Records) -> dict[str, dict[str, Any]]:
    """Five deals at two companies, by title."""
    acme = records.create("company", name="Acme", industry="Tech")
    bolt = records.create("company", name="Bolt", industry="Retail")
    rows = [("Alpha", "100.00", "New", "2024-01-10", acme), ("Bravo", "250.50", "Won", "2024-02-01", acme),
            ("Charlie", "75.00", "New", "2024-03-15", bolt), ("Delta", "900.00", "Won", "2024-04-01", bolt),
            ("Echo", None, None, None, None)]
    return {title: records.create("deal", title=title, amount=amount, stage=stage, close_on=close_on,
                                  company=company and company["id"])
            for title, amount, stage, close_on, company in rows}


def titles(records: Records, query: str) -> list[str]:
    response = records.get(f"/deal?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["title"] for r in response.get_json()["data"]]


def test_a_list_returns_live_records_in_id_order(records: Records, deals: Any) -> None:
    body = records.get("/deal").get_json()
    assert [r["title"] for r in body["data"]] == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert body["next_cursor"] is None
    assert "total" not in body


@pytest.mark.parametrize(("query", "expected"), [
    ("stage=Won", ["Bravo", "Delta"]),
    ("stage__ne=Won", ["Alpha", "Charlie", "Echo"]),  # an empty stage is not "Won"
    ("amount__gt=100", ["Bravo", "Delta"]),
    ("amount__between=75,100", ["Alpha", "Charlie"]),
    ("amount__isnull=1", ["Echo"]),
    ("title__in=Alpha,Echo", ["Alpha", "Echo"]),
    ("title__icontains=HAR", ["Charlie"]),
    ("close_on__lt=2024-03-01", ["Alpha", "Bravo"]),
    ("company__industry=Retail", ["Charlie", "Delta"]),
    ("stage=New&amount__gte=100", ["Alpha"]),
    ("or=stage=Won|title=Echo", ["Bravo", "Delta", "Echo"]),
])
def test_filters_narrow_the_list(records: Records, deals: Any, query: str, expected: list[str]) -> None:
    assert titles(records, query) == expected


def test_sort_orders_by_one_or_more_fields(records: Records, deals: Any) -> None:
    assert titles(records, "sort=-amount&amount__isnull=0") == ["Delta", "Bravo", "Alpha", "Charlie"]
    assert titles(records, "sort=stage,-title&stage__isnull=0") == ["Charlie", "Alpha", "Delta", "Bravo"]


def test_a_cursor_walks_every_record_exactly_once(records: Records, deals: Any) -> None:
    seen, query = [], "sort=-title&limit=2"
    for _ in range(5):
        body = records.get(f"/deal?{query}").get_json()
        seen += [r["title"] for r in body["data"]]
        if body["next_cursor"] is None:
            break
        query = f"sort=-title&limit=2&cursor={body['next_cursor']}"
    assert seen == ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]


def test_a_tampered_cursor_is_a_400(records: Records, deals: Any) -> None:
    assert_problem(records.get("/deal?limit=2&cursor=not-a-cursor"), 400, "invalid-query")


def test_count_adds_the_total_of_matching_records(records: Records, deals: Any) -> None:
    body = records.get("/deal?stage=Won&limit=1&count=1").get_json()
    assert (len(body["data"]), body["total"]) == (1, 2)
    assert body["next_cursor"]


def test_fields_projects_the_records(records: Records, deals: Any) -> None:
    body = records.get("/deal?fields=title,amount&title=Bravo").get_json()
    assert body["data"] == [{"id": deals["Bravo"]["id"], "title": "Bravo", "amount": "250.50"}]


def test_group_by_counts_and_aggregates_per_group(records: Records, deals: Any) -> None:
    body = records.get("/deal?group_by=stage&agg=count,sum:amount&stage__isnull=0").get_json()
    assert body["data"] == []
    groups = {g["stage"]: g for g in body["groups"]}
    assert (groups["New"]["count"], groups["Won"]["count"]) == (2, 2)
    assert (groups["New"]["sum:amount"], groups["Won"]["sum:amount"]) == ("175.00", "1150.50")


def test_an_unknown_filter_field_is_a_400_naming_the_valid_ones(records: Records, deals: Any) -> None:
    body = assert_problem(records.get("/deal?titel=Alpha"), 400, "invalid-query")
    (error,) = body["errors"]
    assert error["parameter"] == "titel"
    assert {"title", "amount", "stage", "close_on", "company", "sort", "limit"} <= set(error["valid"])


def test_every_problem_with_a_query_is_reported_at_once(records: Records, deals: Any) -> None:
    body = assert_problem(records.get("/deal?amount__gt=lots&sort=colour&limit=500"), 400, "invalid-query")
    assert {e["parameter"] for e in body["errors"]} == {"amount__gt", "sort", "limit"}


def test_the_recycle_bin_takes_the_same_query(records: Records, deals: Any) -> None:
    for title in ("Alpha", "Bravo", "Echo"):
        assert records.delete(f"/deal/{deals[title]['id']}").status_code == 200
    body = records.get("/deal/recycle-bin?stage=Won&count=1").get_json()
    assert ([r["title"] for r in body["data"]], body["total"]) == (["Bravo"], 1)
    assert all(r["deleted_at"] for r in body["data"])
    assert titles(records, "") == ["Charlie", "Delta"]


def test_a_related_list_shows_the_children_of_one_record(records: Records, deals: Any) -> None:
    acme = deals["Alpha"]["company"]
    response = records.get(f"/company/{acme}/related/deal")
    assert response.status_code == 200
    assert [r["title"] for r in response.get_json()["data"]] == ["Alpha", "Bravo"]
    filtered = records.get(f"/company/{acme}/related/deal?stage=Won&count=1").get_json()
    assert ([r["title"] for r in filtered["data"]], filtered["total"]) == (["Bravo"], 1)


def test_a_related_list_needs_a_real_parent_and_a_real_relation(records: Records, deals: Any) -> None:
    acme = deals["Alpha"]["company"]
    assert_problem(records.get("/company/999/related/deal"), 404, "record-not-found")
    body = assert_problem(records.get(f"/company/{acme}/related/company"), 404, "record-not-found")
    assert "deal" in body["detail"]


def test_global_search_finds_records_by_their_search_fields(records: Records, deals: Any) -> None:
    response = records.get("/api/v1/search?q=acm")
    assert response.status_code == 200
    (hit,) = response.get_json()["data"]
    assert (hit["object"], hit["id"], hit["record"]["name"]) == ("company", deals["Alpha"]["company"], "Acme")


def test_global_search_needs_something_to_search_for(records: Records) -> None:
    assert_problem(records.get("/api/v1/search?q=%20"), 422, "validation-failed")
    assert_problem(records.client.get("/api/v1/search?q=acme"), 401, "unauthorized")


@pytest.mark.parametrize("query", ["/deal?title=a%00b", "/deal?title__icontains=%00", "/deal?q=%00",
                                   "/deal?sort=%00", "/api/v1/search?q=a%00"])
def test_unstorable_text_in_a_query_is_never_a_500(records: Records, query: str) -> None:
    response = records.get(query)
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)
