"""A restricted user in real Chromium sees neither a hidden field nor someone else's private record —
not in lists, the record page, global search, suggestions or the CSV export."""

from __future__ import annotations

from typing import Any

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import ADMIN_PASSWORD, fld, make_object

from .conftest import sign_in

CRUD = {"create": True, "read": True, "update": True, "delete": True}
SECRET_VALUE = "Swiss account 7731"
DOC = {
    "objects": [make_object("deal", fld("title"), fld("notes"), fld("secret_terms"), sharing="private",
                            search_fields=["title", "notes", "secret_terms"])],
    "roles": [{"name": "rep", "objects": {"deal": CRUD}, "fields": {"deal": {"secret_terms": "hidden"}}}],
}


def test_hidden_fields_and_private_records_stay_out_of_every_page(app: Any, live_server: str, page: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(DOC), author="test", confirm=True)
    rep = platform.users.create("rep@example.com", ADMIN_PASSWORD, roles=["rep"])
    other = platform.users.create("other@example.com", ADMIN_PASSWORD, roles=["rep"])
    mine = platform.records.create(SYSTEM, "deal", {
        "title": "Harbour Rollout", "notes": "Zephyr shared", "secret_terms": SECRET_VALUE, "owner": rep.id})
    theirs = platform.records.create(SYSTEM, "deal", {
        "title": "Zephyr Private Expansion", "notes": "Zephyr only theirs", "secret_terms": SECRET_VALUE,
        "owner": other.id})

    sign_in(page, live_server, "rep@example.com", ADMIN_PASSWORD)
    page.goto(f"{live_server}/o/deal")
    listing = page.content()
    assert "Harbour Rollout" in listing
    assert "Zephyr Private Expansion" not in listing and SECRET_VALUE not in listing
    assert "secret_terms" not in listing and "Secret terms" not in listing
    assert page.locator("#list-count").inner_text().endswith("of 1")

    page.goto(f"{live_server}/o/deal/{mine['id']}")
    record_page = page.content()
    assert "Harbour Rollout" in record_page and SECRET_VALUE not in record_page and "Secret terms" not in record_page

    response = page.goto(f"{live_server}/o/deal/{theirs['id']}")
    assert response.status == 404 and "Zephyr Private Expansion" not in page.content()

    page.goto(f"{live_server}/")
    page.keyboard.press("/")
    page.keyboard.type("Zephyr")
    page.wait_for_selector("#search-suggestions a")
    suggestions = page.locator("#search-suggestions").inner_text()
    assert "Harbour Rollout" in suggestions and "Zephyr Private Expansion" not in suggestions
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Zephyr")
    results = page.locator("#main").inner_text()  # (the sidebar's recent items list the rep's own deal)
    assert "Harbour Rollout" in results and "Zephyr Private Expansion" not in page.content()
    page.goto(f"{live_server}/search?q=Swiss")
    assert "Harbour Rollout" not in page.locator("#main").inner_text()  # a hidden field cannot be searched either

    page.goto(f"{live_server}/o/deal")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    csv_text = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Harbour Rollout" in csv_text
    assert "Zephyr Private Expansion" not in csv_text and SECRET_VALUE not in csv_text
    assert "secret" not in csv_text.lower()
