"""The API documentation page renders the caller's OpenAPI document in a real browser."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, fld, make_object


def test_the_docs_page_lists_every_object_operation_without_reaching_the_internet(
        app: Any, live_server: str, browser: Any, admin_headers: dict[str, str]) -> None:
    client = app.test_client()
    deal = make_object("deal", fld("title", required=True), fld("amount", "currency"))
    assert client.put("/api/v1/metadata/objects/deal", json=deal, headers=admin_headers).status_code == 201
    # The page asks the browser to sign in (HTTP Basic); the browser answers with the user's credentials
    # and sends them again when Swagger UI fetches the document, which is that user's.
    context = browser.new_context(http_credentials={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server) else outside.append(request.url))
    try:
        page.goto(f"{live_server}/api/v1/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/v1/records/deal" in paths and "/api/v1/records/deal/{id}" in paths
        assert "/api/v1/users" in paths  # an admin's document has the admin endpoints
        assert "MetaCRM API" in page.locator(".info .title").inner_text()
        assert outside == []
    finally:
        context.close()



def test_a_user_signed_in_with_the_form_reads_the_docs_without_a_password_prompt(
        app: Any, live_server: str, signed_in: Any, admin_headers: dict[str, str]) -> None:
    client = app.test_client()
    deal = make_object("deal", fld("title", required=True))
    assert client.put("/api/v1/metadata/objects/deal", json=deal, headers=admin_headers).status_code == 201
    page = signed_in
    page.click("#user-menu")
    page.get_by_role("link", name="API documentation").click()
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    assert page.url == f"{live_server}/docs/api/"
    assert "/api/v1/records/deal" in page.locator(".opblock-summary-path").all_inner_texts()
