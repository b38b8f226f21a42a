"""Signed-in web users read the API documentation of their roles without a second (Basic) sign-in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, USER_PASSWORD, sign_in

BUNDLE = {
    "objects": [make_object("account", fld("name", required=True), fld("margin_note")),
                make_object("payroll", fld("name", required=True))],
    "roles": [{"name": "sales", "objects": {"account": {"read": True}},
               "fields": {"account": {"margin_note": "hidden"}}}],
}


@pytest.fixture
def sales_user(app: Any, plain_user: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(BUNDLE), author="test", confirm=True)
    platform.users.set_roles(plain_user.id, ["sales"])
    client = app.test_client()
    assert sign_in(client, USER_EMAIL, USER_PASSWORD).status_code == 302
    return client


def test_the_docs_page_is_fed_by_the_session(sales_user: Any) -> None:
    page = sales_user.get("/docs/api/")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.get_data(as_text=True)
    assert "WWW-Authenticate" not in page.headers
    init = sales_user.get("/docs/api/init.js").get_data(as_text=True)
    assert '"/docs/api/openapi.json"' in init


def test_the_document_is_the_one_of_the_users_roles(sales_user: Any) -> None:
    response = sales_user.get("/docs/api/openapi.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-cache"
    document = response.get_json()
    assert "/api/v1/records/account" in document["paths"]
    assert "/api/v1/records/payroll" not in document["paths"]  # no permission, not described
    assert "margin_note" not in str(document["components"])  # a hidden field is not named


def test_without_a_session_the_pages_send_to_sign_in(client: Any) -> None:
    for url in ("/docs/api/", "/docs/api/openapi.json"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_api_itself_still_ignores_the_session_cookie(sales_user: Any) -> None:
    assert sales_user.get("/api/v1/records/account").status_code == 401


def test_the_user_menu_links_to_the_session_page(browser: Any) -> None:
    assert 'href="/docs/api/"' in browser.get("/").get_data(as_text=True)
