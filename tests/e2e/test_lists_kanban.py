"""List views, kanban and global search in real Chromium: what a user clicks, types and drags."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import fld, make_object

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
STAGES = [{"value": "Prospect", "label": "Prospect", "color": "#6f42c1"},
          {"value": "Proposal", "label": "Proposal", "color": "#0d6efd"},
          {"value": "Negotiation", "label": "Negotiation", "color": "#fd7e14"},
          {"value": "Won", "label": "Closed won", "color": "#198754"},
          {"value": "Lost", "label": "Closed lost", "color": "#dc3545"}]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
             "Hooli", "Soylent", "Vandelay Imports", "Wonka Foods"]


@pytest.fixture
def crm(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": [
        make_object("company", fld("name", required=True), fld("industry", "picklist",
                    options=["Software", "Health", "Retail"]), fld("city"), icon="building"),
        make_object("deal", fld("title", required=True), fld("company", "lookup", target="company"),
                    fld("stage", "picklist", options=STAGES), fld("amount", "currency"),
                    fld("close_date", "date"), fld("hot", "boolean"), fld("email", "email"),
                    icon="briefcase", search_fields=["title"]),
    ]}), author="test", confirm=True)
    platform.records.bulk_create(SYSTEM, "company", [
        {"name": n, "industry": ("Software", "Health", "Retail")[i % 3], "city": ("Lyon", "Austin", "Pune")[i % 3]}
        for i, n in enumerate(COMPANIES)])
    platform.records.bulk_create(SYSTEM, "deal", [
        {"title": f"{COMPANIES[i % 10].split()[0]} renewal {i:03d}", "company": 1 + i % 10,
         "stage": STAGES[(i // 10) % 5]["value"], "amount": str(1500 + 750 * (i % 17)), "close_date": f"2026-{1 + i % 12:02d}-15",
         "hot": i % 4 == 0, "email": f"buyer{i}@example.com"} for i in range(1, 121)])
    return platform


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_filter_sort_page_and_export_a_list(signed_in: Any, live_server: str, crm: Any) -> None:
    page = signed_in
    page.goto(f"{live_server}/o/deal")
    page.wait_for_selector("#list-table")
    # The rows come first; the count follows in its own request (hx-trigger="load").
    page.wait_for_function("document.querySelector('#list-count').innerText === '1–50 of 120'")
    # Sort: click the header, the URL and aria-sort follow; click again for descending.
    page.click('th[data-column="amount"] a')
    page.wait_for_url("**/o/deal?sort=amount")
    page.wait_for_selector('th[data-column="amount"][aria-sort="ascending"]')
    page.click('th[data-column="amount"] a')
    page.wait_for_url("**/o/deal?sort=-amount")
    page.wait_for_selector('th[data-column="amount"][aria-sort="descending"]')
    assert "$13,500.00" in page.locator("#list-table tbody tr").first.inner_text()
    # Filter: type in the title filter; the rows and the URL update without a page load.
    page.fill("#f-title__icontains", "acme")
    page.wait_for_url("**title__icontains=acme**")
    page.wait_for_function("document.querySelector('#list-count').innerText.endsWith('of 12')")
    assert all("Acme" in t for t in page.locator("#list-table tbody th").all_inner_texts())
    assert page.evaluate("document.activeElement.id") == "f-title__icontains"  # focus survives the swap
    page.select_option("#f-stage", "Won")
    page.wait_for_url("**stage=Won**")
    page.wait_for_function("document.querySelector('#list-count').innerText.endsWith('of 2')")
    # Back: the previous state comes back.
    page.go_back()
    page.wait_for_function("document.querySelector('#list-count').innerText.endsWith('of 12')")
    page.click("#clear-filters")
    page.wait_for_function("document.querySelector('#list-count').innerText === '1–50 of 120'")
    # Page forward with the keyset cursor.
    page.click("#page-next")
    page.wait_for_url("**cursor=**")
    page.wait_for_function("document.querySelector('#list-count').innerText === '51–100 of 120'")
    page.click("#page-previous")
    page.wait_for_function("document.querySelector('#list-count').innerText === '1–50 of 120'")
    # Export: a download of the same list.
    page.select_option("#f-stage", "Won")
    page.wait_for_function("document.querySelector('#list-count').innerText.endsWith('of 20')")
    with page.expect_download() as download:
        page.click("#export-csv")
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text("utf-8-sig"))))
    assert download.value.suggested_filename.startswith("deals-") and len(rows) == 21
    assert rows[0][:3] == ["Title", "Company", "Stage"] and {r[2] for r in rows[1:]} == {"Closed won"}
    page.goto(f"{live_server}/o/deal?sort=-amount")
    page.check('#list-table tbody tr:nth-child(2) input.js-row')
    page.check('#list-table tbody tr:nth-child(3) input.js-row')
    page.locator("#list-table tbody tr").first.hover()
    shot(page, "list_deals.png")


def _drag(page: Any, card: Any, column: Any) -> None:
    box, target = card.locator(".kanban-handle").bounding_box(), column.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 30, steps=4)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 40, steps=12)
    page.mouse.up()


def test_drag_cards_on_the_kanban_board(signed_in: Any, live_server: str, crm: Any) -> None:
    page = signed_in
    page.goto(f"{live_server}/o/deal")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.click("#kanban-link")
    page.wait_for_selector(".kanban-card")
    assert not errors, errors
    won = page.locator('.kanban-cards[data-value="Negotiation"]')
    card = page.locator('.kanban-cards[data-value="Prospect"] .kanban-card').first
    title = card.locator(".kanban-title").inner_text()
    with page.expect_response("**/kanban/move") as moved:
        _drag(page, card, won)
    assert moved.value.status == 200
    page.reload()
    page.wait_for_selector(".kanban-card")
    assert title in won.inner_text()
    # Someone else changes a card meanwhile: the drop is refused and the card goes back, saying why.
    stale = page.locator('.kanban-cards[data-value="Proposal"] .kanban-card').first
    stale_id = int(stale.get_attribute("data-id"))
    crm.records.update(SYSTEM, "deal", stale_id, {"amount": "99"})
    with page.expect_response("**/kanban/move") as refused:
        _drag(page, stale, page.locator('.kanban-cards[data-value="Prospect"]'))
    assert refused.value.status == 409
    back = page.locator(f'.kanban-cards[data-value="Proposal"] .kanban-card[data-id="{stale_id}"]')
    back.locator(".kanban-error").wait_for()
    assert "changed by someone else" in back.locator(".kanban-error").inner_text()
    shot(page, "kanban_deals.png")


def test_global_search_from_the_top_bar_with_the_keyboard(signed_in: Any, live_server: str, crm: Any) -> None:
    page = signed_in
    page.keyboard.press("/")
    page.keyboard.type("hooli")
    page.wait_for_selector("#search-suggestions a")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first.startswith("/o/")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.fill("#global-search", "")
    page.keyboard.type("acme")
    page.wait_for_selector("#search-suggestions a")
    page.keyboard.press("Enter")  # the box is a form: Enter opens every result
    page.wait_for_url("**/search?q=acme")
    assert page.locator(".search-group").count() == 2
    shot(page, "search_results.png")
