"""List pages: views, sorting, filters, search, keyset paging, personal views, bulk edit and delete."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import fld, make_object

from .conftest import csrf_of

DEAL = make_object(
    "deal", fld("title", required=True), fld("stage", "picklist", options=[
        {"value": "New", "label": "New", "color": "#0d6efd"}, {"value": "Won", "label": "Won", "color": "#198754"},
        {"value": "Lost", "label": "Lost"}, {"value": "Old", "label": "Old", "active": False}]),
    fld("amount", "currency"), fld("close_date", "date"), fld("hot", "boolean"), fld("notes", "long_text"),
    fld("code", unique=True),
    search_fields=["title"])


@pytest.fixture
def deals(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(DEAL), author="test", confirm=True)
    rows = [{"title": f"Deal {i:03d}", "stage": ("New", "Won", "Lost")[i % 3], "amount": str(100 * i),
             "close_date": f"2026-01-{1 + i % 28:02d}", "hot": i % 2 == 0} for i in range(1, 121)]
    platform.records.bulk_create(SYSTEM, "deal", rows)
    return platform


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr data-id="(\d+)"', html)


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/o/deal/\d+">(Deal \d+)</a>', html)


def count_of(browser: Any, html: str) -> str:
    """What the count fills in once the page asked for it (htmx, ``hx-trigger="load"``)."""
    url = re.search(r'id="list-count"[^>]* hx-get="([^"]+)" hx-trigger="load"', html).group(1).replace("&amp;", "&")
    return browser.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)


def test_the_default_view_lists_fifty_newest_then_counts(browser: Any, deals: Any) -> None:
    response = browser.get("/o/deal")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(rows_of(html)) == 50
    assert "1–50 of …" in html  # the page is sent without counting every match ...
    assert count_of(browser, html) == "1–50 of 120"  # ... which the count request then tells
    assert "1–50 of 120" in browser.get("/o/deal?count=1").get_data(as_text=True)  # counted when asked (no script)
    assert 'aria-sort="descending"' not in html  # updated_at is not a column
    assert 'href="/o/deal/new"' in html and 'href="/o/deal/kanban?by=stage"' in html
    assert "Notes" not in re.search(r"<thead.*?</thead>", html, re.S).group(0)  # long text: not a default column


def test_sort_toggles_and_the_url_says_so(browser: Any, deals: Any) -> None:
    html = browser.get("/o/deal?sort=amount").get_data(as_text=True)
    assert titles(html)[:2] == ["Deal 001", "Deal 002"]
    assert re.search(r'aria-sort="ascending" data-column="amount"', html)
    assert 'href="/o/deal?sort=-amount"' in html  # clicking again sorts descending
    html = browser.get("/o/deal?sort=-amount").get_data(as_text=True)
    assert titles(html)[0] == "Deal 120" and 'aria-sort="descending" data-column="amount"' in html


def test_filters_and_search_narrow_the_list_and_round_trip(browser: Any, deals: Any) -> None:
    response = browser.get("/o/deal?stage=Won&amount__gte=6000&q=Deal 1&sort=amount",
                           headers={"HX-Request": "true", "HX-Target": "list-results"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="list-results"' in html
    assert titles(html) == [f"Deal {i}" for i in range(100, 121) if i % 3 == 1]  # Won is every third
    pushed = response.headers["HX-Push-Url"]
    assert parse_qs(urlsplit(pushed).query) == {"sort": ["amount"], "q": ["Deal 1"], "stage": ["Won"],
                                                "amount__gte": ["6000"]}
    assert 'value="Won" selected' in html and 'value="6000"' in html and 'value="Deal 1"' in html


def test_empty_filter_inputs_are_ignored(browser: Any, deals: Any) -> None:
    response = browser.get("/o/deal?stage=&amount__gte=&q=&title__icontains=Deal 00",
                           headers={"HX-Request": "true", "HX-Target": "list-results"})
    assert response.headers["HX-Push-Url"] == "/o/deal?title__icontains=Deal+00"
    assert len(rows_of(response.get_data(as_text=True))) == 9


def test_a_bad_filter_is_explained_not_a_crash(browser: Any, deals: Any) -> None:
    html = browser.get("/o/deal?amount__gte=lots").get_data(as_text=True)
    assert 'id="list-error"' in html and "amount__gte" in html


def test_keyset_pages_forward_and_back(browser: Any, deals: Any) -> None:
    html = browser.get("/o/deal?sort=amount").get_data(as_text=True)
    next_url = re.search(r'href="([^"]+)"[^>]*rel="next"', html).group(1).replace("&amp;", "&")
    page2 = browser.get(next_url).get_data(as_text=True)
    assert titles(page2)[0] == "Deal 051" and count_of(browser, page2) == "51–100 of 120"
    next3 = re.search(r'href="([^"]+)"[^>]*rel="next"', page2).group(1).replace("&amp;", "&")
    page3 = browser.get(next3).get_data(as_text=True)
    assert titles(page3)[0] == "Deal 101" and "101–120 of 120" in page3 and 'rel="next"' not in page3  # the last page
    assert 'hx-trigger="load"' not in page3  # knows its total without a count
    prev = re.search(r'href="([^"]+)"[^>]*rel="prev"', page3).group(1).replace("&amp;", "&")
    assert titles(browser.get(prev).get_data(as_text=True))[0] == "Deal 051"
    prev1 = re.search(r'href="([^"]+)"[^>]*rel="prev"', page2).group(1).replace("&amp;", "&")
    assert prev1 == "/o/deal?sort=amount"


def test_columns_are_chosen_and_cells_formatted(browser: Any, deals: Any) -> None:
    html = browser.get("/o/deal?col=title&col=amount&col=hot&col=close_date&col=stage&sort=amount").get_data(as_text=True)
    head = re.search(r"<thead.*?</thead>", html, re.S).group(0)
    assert [c for c in re.findall(r'data-column="(\w+)"', head)] == ["title", "amount", "hot", "close_date", "stage"]
    assert "$100.00" in html and "Jan 2, 2026" in html
    first_row = re.search(r'<tr data-id="1".*?</tr>', html, re.S).group(0)  # Deal 001: odd, not hot
    assert "bi-dash-circle" in first_row and ">No</span>" in first_row
    assert re.search(r'style="background-color:#198754;color:#(000|fff)">Won</span>', html)  # Won in its colour
    pushed = browser.get("/o/deal?col=title&col=amount&col=hot&col=close_date&col=stage",
                         headers={"HX-Request": "true", "HX-Target": "list-results"}).headers["HX-Push-Url"]
    assert pushed == "/o/deal?cols=title%2Camount%2Chot%2Cclose_date%2Cstage"


def test_a_view_in_metadata_is_offered_and_applied(app: Any, browser: Any, deals: Any) -> None:
    doc = {**DEAL, "list_views": [{"name": "big_wins", "label": "Big wins", "filters": {"stage": "Won", "amount__gte": 10000},
                                   "columns": ["title", "amount"], "sort": "-amount", "page_size": 10}]}
    plan = deals.metadata.plan(doc)
    assert [op.kind for op in plan.operations] == ["update_object"]
    deals.metadata.apply(plan, author="test", confirm=True)
    html = browser.get("/o/deal").get_data(as_text=True)
    assert 'href="/o/deal?view=big_wins"' in html
    html = browser.get("/o/deal?view=big_wins").get_data(as_text=True)
    assert titles(html)[:3] == ["Deal 118", "Deal 115", "Deal 112"] and len(rows_of(html)) == 7
    assert "1–7 of 7" in html and "Stage = Won" in html and "Amount ≥ 10000" in html


def test_personal_views_are_saved_per_user(browser: Any, deals: Any) -> None:
    page = browser.get("/o/deal?stage=Lost&sort=-amount").get_data(as_text=True)
    state = re.search(r'name="state" value="([^"]*)"', page).group(1).replace("&amp;", "&")
    response = browser.post("/o/deal/views", data={"csrf_token": csrf_of(page), "label": "My lost deals",
                                                   "state": state})
    assert response.status_code == 302 and "view=my%3A" in response.location or "view=my:" in response.location
    html = browser.get(response.location).get_data(as_text=True)
    assert "My lost deals" in html and titles(html)[0] == "Deal 119"
    assert all(int(t[5:]) % 3 == 2 for t in titles(html))


def test_bulk_edit_saves_valid_rows_and_reports_the_invalid_one(browser: Any, deals: Any) -> None:
    page = browser.get("/o/deal?sort=amount").get_data(as_text=True)
    ids = rows_of(page)[:2]
    # code is unique: the first row takes "X-1", the second is refused, with its reason on its row.
    response = browser.post("/o/deal/bulk-edit", data={"csrf_token": csrf_of(page), "ids": ids, "field": "code",
                                                       "value": "X-1", "state": "sort=amount"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "1 record updated (Code)" in html and "1 record was not changed" in html
    failed = re.findall(r'<tr data-id="(\d+)" class="table-danger">(.*?)</tr>', html, re.S)
    assert [f[0] for f in failed] == [ids[1]] and "code:" in failed[0][1]
    codes = {r["id"]: r["code"] for r in deals.records.reader.list(SYSTEM, "deal", {"id__in": ",".join(ids)}).records}
    assert [codes[int(i)] for i in ids] == ["X-1", None]


def test_bulk_edit_of_a_choice_offers_the_choices(browser: Any, deals: Any) -> None:
    html = browser.get("/o/deal/bulk-value?field=stage").get_data(as_text=True)
    assert '<option value="Won">' in html and 'value="Old"' not in html  # inactive choices are not offered


def test_bulk_delete_moves_rows_to_the_recycle_bin(browser: Any, deals: Any) -> None:
    page = browser.get("/o/deal?sort=amount").get_data(as_text=True)
    ids = rows_of(page)[:2]
    html = browser.post("/o/deal/bulk-delete", data={"csrf_token": csrf_of(page), "ids": ids,
                                                      "state": "sort=amount"}).get_data(as_text=True)
    assert "2 records moved to the recycle bin" in html and "of 118" in html


def test_the_empty_state_explains_how_to_start(app: Any, browser: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(make_object("lead", fld("name"))), author="test", confirm=True)
    html = browser.get("/o/lead").get_data(as_text=True)
    assert 'id="list-empty"' in html and 'href="/o/lead/new"' in html


def test_unknown_objects_are_404(browser: Any) -> None:
    assert browser.get("/o/nothing").status_code == 404


def test_a_sort_on_a_range_filtered_field_pages_through_every_match(app: Any, browser: Any, deals: Any) -> None:
    """``amount__gte`` leaves no empty amounts, so the sort needs no "empty last" term (PostgreSQL can then
    read the field's index backwards) and keyset paging still visits every match once, in order."""
    statements: list[str] = []
    record = (lambda conn, cursor, statement, *args: statements.append(statement))
    sa.event.listen(app.extensions["metacrm"].engine, "before_cursor_execute", record)
    try:
        html = browser.get("/o/deal?sort=-amount&amount__gte=2000").get_data(as_text=True)
    finally:
        sa.event.remove(app.extensions["metacrm"].engine, "before_cursor_execute", record)
    page = next(s for s in statements if "FROM obj_deal" in s and "ORDER BY" in s)
    assert "obj_deal.amount DESC" in page and "NULLS LAST" not in page.split("ORDER BY")[1].split(",")[0]
    seen = titles(html)
    while 'rel="next"' in html:
        next_url = re.search(r'href="([^"]+)"[^>]*rel="next"', html).group(1).replace("&amp;", "&")
        html = browser.get(next_url).get_data(as_text=True)
        seen += titles(html)
    assert seen == [f"Deal {i:03d}" for i in range(120, 19, -1)]  # amount = 100 × i ≥ 2000
