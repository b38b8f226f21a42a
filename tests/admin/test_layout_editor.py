"""The layout editor: drafts are checked against the layout schema, previewed as the real form, and saved
through plan/apply with the admin as author."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.admin.builder_helpers import add_deal, only_admins, save_and_apply
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

BASE = "/admin/objects/deal/layouts"
DRAFT = {"name": "sales", "label": "Sales", "default": True, "highlights": ["stage"],
         "sections": [{"label": "Deal", "columns": 1, "fields": ["title", "stage"]},
                      {"label": "Money", "columns": 2, "fields": ["amount", "close_date"]}],
         "overrides": {"amount": {"help": "Before tax"}}}


@pytest.fixture(autouse=True)
def deal(app: Any) -> None:
    add_deal(app)


def test_the_list_shows_the_derived_layout_until_one_is_saved(browser: Any) -> None:
    html = browser.get(f"{BASE}/").get_data(as_text=True)
    assert 'data-layout="default"' in html and "derived from its fields" in html
    editor = browser.get(f"{BASE}/default").get_data(as_text=True)
    assert 'id="le-palette"' in editor and 'data-field="title"' in editor and "Sortable.min.js" in editor
    assert browser.get("/admin/objects/nothing/layouts/").status_code == 404
    assert browser.get(f"{BASE}/nothing").status_code == 404


def test_saving_shows_the_plan_then_applies_it_as_the_admin(browser: Any, app: Any) -> None:
    plan_page, done = save_and_apply(browser, f"{BASE}/_new", f"{BASE}/save", original="",
                                     layout=json.dumps(DRAFT))
    assert 'id="plan"' in plan_page.get_data(as_text=True)
    assert done.status_code == 302 and done.headers["Location"] == f"{BASE}/"
    obj = app.extensions["metacrm"].metadata.current().compiled.object("deal").definition
    assert [lay.name for lay in obj.layouts] == ["sales"]
    assert obj.layouts[0].sections[1].fields == ("amount", "close_date") and obj.layouts[0].default
    history = app.extensions["metacrm"].metadata.history()
    assert history[0].author == "admin@example.com" and history[0].reason == "layout editor"
    assert 'data-layout="sales"' in browser.get(f"{BASE}/").get_data(as_text=True)


def test_the_live_preview_renders_the_generated_form(browser: Any) -> None:
    token = csrf_of(browser.get(f"{BASE}/default").get_data(as_text=True))
    html = browser.post(f"{BASE}/preview-form", data={"layout": json.dumps(DRAFT)},
                        headers={"X-CSRFToken": token}).get_data(as_text=True)
    assert 'id="preview-form"' in html and 'data-section="Money"' in html
    assert 'name="f_amount"' in html or 'data-field="amount"' in html
    assert "Before tax" in html and 'data-field="notes"' not in html  # notes is not placed


def test_invalid_drafts_are_refused_with_their_json_paths(browser: Any, app: Any) -> None:
    token = csrf_of(browser.get(f"{BASE}/default").get_data(as_text=True))
    bad = {**DRAFT, "sections": [{"label": "Deal", "columns": 3, "fields": ["title"]}]}
    preview = browser.post(f"{BASE}/preview-form", data={"layout": json.dumps(bad)}, headers={"X-CSRFToken": token})
    assert preview.status_code == 422 and "layout.sections[0].columns" in preview.get_data(as_text=True)
    saved = browser.post(f"{BASE}/save", data={"csrf_token": token, "original": "", "layout": json.dumps(bad)})
    assert saved.status_code == 422 and "layout.sections[0].columns" in saved.get_data(as_text=True)
    unknown = {**DRAFT, "sections": [{"label": "Deal", "fields": ["title", "stgae"]}]}
    saved = browser.post(f"{BASE}/save", data={"csrf_token": token, "original": "", "layout": json.dumps(unknown)})
    text = saved.get_data(as_text=True)
    assert saved.status_code == 422 and "stgae" in text and "layouts[0].sections[0].fields[1]" in text
    broken = browser.post(f"{BASE}/save", data={"csrf_token": token, "original": "", "layout": "{nope"})
    assert broken.status_code == 422 and "is not valid JSON" in broken.get_data(as_text=True)
    assert not app.extensions["metacrm"].metadata.current().compiled.object("deal").definition.layouts


def test_posts_without_the_csrf_token_change_nothing(browser: Any, app: Any) -> None:
    assert browser.post(f"{BASE}/save", data={"layout": json.dumps(DRAFT)}).status_code in (400, 422)
    assert browser.post(f"{BASE}/apply", data={"document": "{}"}).status_code == 400
    assert not app.extensions["metacrm"].metadata.current().compiled.object("deal").definition.layouts


def test_only_admins_reach_the_layout_editor(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    only_admins(client, [f"{BASE}/", f"{BASE}/default", f"{BASE}/_new"],
                [f"{BASE}/save", f"{BASE}/apply", f"{BASE}/preview-form"])


def test_the_setup_page_opens_an_objects_editors(browser: Any) -> None:
    home = browser.get("/admin/").get_data(as_text=True)
    assert 'id="builder-picker"' in home and 'value="deal"' in home and 'id="roles-card"' in home
    for editor, url in (("layouts", BASE), ("views", "/admin/objects/deal/views"),
                        ("rules", "/admin/objects/deal/rules")):
        response = browser.get(f"/admin/assets/pick?object=deal&editor={editor}")
        assert response.status_code == 302 and response.headers["Location"] == f"{url}/"
    assert browser.get("/admin/assets/pick?object=deal&editor=nothing").status_code == 404
