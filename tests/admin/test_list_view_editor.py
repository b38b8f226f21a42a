"""The list view editor: columns in order, filters built field/operator/value into query-language params,
checked by the list's own query parser, and saved through plan/apply."""

from __future__ import annotations

import html
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from metacrm.admin.views_views import filters_from, operators_for
from tests.admin.builder_helpers import add_deal, only_admins, save_and_apply
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

BASE = "/admin/objects/deal/views"


@pytest.fixture(autouse=True)
def deal(app: Any) -> None:
    add_deal(app, {"name": "sales", "objects": {"deal": {"read": True}}})


def view_post(**extra: Any) -> MultiDict:
    data = MultiDict([("original", ""), ("name", "big_wins"), ("label", "Big wins"), ("sort", "-amount,title"),
                      ("page_size", "25"), ("columns", "title"), ("columns", "amount"), ("columns", "stage"),
                      ("filter_field", "stage"), ("filter_op", "eq"), ("filter_value", "Won"),
                      ("filter_field", "amount"), ("filter_op", "gte"), ("filter_value", "1000"),
                      ("filter_field", ""), ("filter_op", "eq"), ("filter_value", ""), ("roles", "sales")])
    for key, value in extra.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def test_builder_rows_become_query_language_params() -> None:
    assert filters_from(view_post()) == {"stage": "Won", "amount__gte": "1000"}
    assert "contains" in operators_for("text") and "gte" in operators_for("currency")
    assert "gte" not in operators_for("picklist") and operators_for("boolean") == ("eq", "ne", "isnull")


def test_saving_a_view_plans_then_applies_it(browser: Any, app: Any) -> None:
    page = browser.get(f"{BASE}/").get_data(as_text=True)
    assert 'id="filter-builder"' in page and 'data-operators="eq,ne,gt,gte' in page
    token = csrf_of(page)
    data = view_post()
    data["csrf_token"] = token
    plan_page = browser.post(f"{BASE}/save", data=data)
    assert 'id="plan"' in plan_page.get_data(as_text=True)
    _, done = save_and_apply(browser, f"{BASE}/", f"{BASE}/save", **view_post().to_dict(flat=False))
    assert done.status_code == 302
    view = app.extensions["metacrm"].metadata.current().compiled.object("deal").definition.list_views[0]
    assert view.columns == ("title", "amount", "stage") and dict(view.filters) == {"stage": "Won",
                                                                                "amount__gte": "1000"}
    assert view.sort == "-amount,title" and view.page_size == 25 and view.roles == ("sales",)
    assert app.extensions["metacrm"].metadata.history()[0].author == "admin@example.com"
    assert 'value="big_wins"' in browser.get(f"{BASE}/?view=big_wins").get_data(as_text=True)


def test_filters_the_query_parser_refuses_are_shown(browser: Any, app: Any) -> None:
    token = csrf_of(browser.get(f"{BASE}/").get_data(as_text=True))
    data = view_post(filter_field=["close_date", "amount"], filter_op=["eq", "gte"],
                     filter_value=["next_blue_moon", "lots"])
    data["csrf_token"] = token
    refused = browser.post(f"{BASE}/save", data=data)
    text = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and "filters.close_date" in text and "filters.amount__gte" in text
    bad_sort = view_post(sort="-amuont")
    bad_sort["csrf_token"] = token
    refused = browser.post(f"{BASE}/save", data=bad_sort)
    assert refused.status_code == 422 and "amuont" in html.unescape(refused.get_data(as_text=True))
    assert not app.extensions["metacrm"].metadata.current().compiled.object("deal").definition.list_views


def test_only_admins_reach_the_list_view_editor(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    only_admins(client, [f"{BASE}/"], [f"{BASE}/save", f"{BASE}/apply"])
