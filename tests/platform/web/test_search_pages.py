"""Global search pages: results grouped by object, and the top bar's suggestion dropdown."""

from __future__ import annotations

import re
from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import fld, make_object


@pytest.fixture
def data(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": [
        make_object("company", fld("name"), fld("city"), icon="building", search_fields=["name"]),
        make_object("contact", fld("full_name"), fld("email", "email"), search_fields=["full_name", "email"]),
    ]}), author="test", confirm=True)
    platform.records.bulk_create(SYSTEM, "company", [{"name": "Acme Corp", "city": "Lyon"}, {"name": "Globex"}])
    platform.records.bulk_create(SYSTEM, "contact", [{"full_name": "Ada Acme", "email": "ada@acme.test"},
                                                     {"full_name": "Bob <script>"}])
    return platform


def test_results_are_grouped_by_object(browser: Any, data: Any) -> None:
    html = browser.get("/search?q=acme").get_data(as_text=True)
    assert re.findall(r'data-object="(\w+)"', html.split('id="main"')[1]) == ["company", "contact"]
    assert 'href="/o/company/1">Acme Corp</a>' in html and "Lyon" in html
    assert "Ada Acme" in html and "2 matches" in html and 'href="/o/contact?q=acme"' in html


def test_no_match_explains_itself(browser: Any, data: Any) -> None:
    assert 'id="search-empty"' in browser.get("/search?q=zzz").get_data(as_text=True)


def test_suggestions_are_links_for_the_keyboard(browser: Any, data: Any) -> None:
    html = browser.get("/search/suggest?q=acme").get_data(as_text=True)
    assert "<html" not in html
    assert re.findall(r'<a class="list-group-item[^"]*" role="option" href="([^"]+)"', html) == [
        "/o/company/1", "/o/contact/1", "/search?q=acme"]


def test_an_empty_query_closes_the_dropdown(browser: Any, data: Any) -> None:
    assert browser.get("/search/suggest?q=%20").get_data() == b""


def test_values_are_escaped(browser: Any, data: Any) -> None:
    html = browser.get("/search/suggest?q=bob").get_data(as_text=True)
    assert "<script>" not in html and "Bob &lt;script&gt;" in html


def test_search_needs_a_session(client: Any) -> None:
    assert client.get("/search?q=acme").status_code == 302
