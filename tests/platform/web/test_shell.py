"""The app shell: navigation from metadata and permissions, friendly error pages, right-to-left."""

from __future__ import annotations

from typing import Any

from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, USER_PASSWORD, sign_in


def test_an_object_defined_now_is_in_the_navigation_on_the_next_page(app: Any, browser: Any) -> None:
    assert 'data-object="deal"' not in browser.get("/").get_data(as_text=True)
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(make_object("deal", fld("title"), icon="briefcase")),
                            author="test", confirm=True)
    html = browser.get("/").get_data(as_text=True)
    assert 'data-object="deal"' in html and "bi-briefcase" in html


def test_a_user_without_a_role_sees_no_objects(app: Any, client: Any, plain_user: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(make_object("deal", fld("title"))), author="test", confirm=True)
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    html = client.get("/").get_data(as_text=True)
    assert 'data-object="deal"' not in html
    assert "Ask an administrator to give you a role" in html


def test_pages_get_html_errors_and_the_api_keeps_problem_json(browser: Any) -> None:
    page = browser.get("/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "We can&#39;t find that page" in page.get_data(as_text=True)
    api = browser.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_arabic_users_get_a_right_to_left_page(app: Any, client: Any) -> None:
    html = client.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in html and "bootstrap.rtl.min.css" in html
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'dir="ltr"' in html
