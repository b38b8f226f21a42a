"""The object manager: list, create, edit and delete objects through a plan the admin reads first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.admin.builder_steps import apply, create_object, hidden_fields, submit
from tests.conftest import fld, make_object
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

BUILDER_URLS = ["/admin/objects/", "/admin/objects/new", "/admin/objects/deal/", "/admin/objects/deal/delete",
                "/admin/objects/deal/json", "/admin/objects/deal/fields/new?type=text",
                "/admin/objects/deal/fields/title/edit", "/admin/objects/deal/fields/title/remove",
                "/admin/history/", "/admin/history/1/restore", "/admin/metadata/export",
                "/admin/metadata/import"]
POST_URLS = ["/admin/metadata/apply", "/admin/objects/deal/fields/check-formula",
             "/admin/objects/deal/fields/try-formula"]


@pytest.fixture
def deal(app: Any) -> Any:
    metadata = app.extensions["metacrm"].metadata
    metadata.apply(metadata.plan(make_object("deal", fld("title", required=True), fld("amount", "currency"),
                                             name_field="title")), author="test")
    return metadata


def test_every_builder_page_answers_403_to_a_signed_in_non_admin(client: Any, plain_user: Any, deal: Any) -> None:
    assert sign_in(client, USER_EMAIL, USER_PASSWORD).status_code == 302
    for url in BUILDER_URLS:
        assert client.get(url).status_code == 403, url
    token = csrf_of(client.get("/account/").get_data(as_text=True))  # a page the user may open
    for url in POST_URLS + [u for u in BUILDER_URLS if "/fields/new" in u or u.endswith(("/new", "/deal/"))]:
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, deal: Any) -> None:
    response = client.get("/admin/objects/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_post_without_the_csrf_token_is_refused(browser: Any, deal: Any) -> None:
    assert browser.post("/admin/objects/new", data={"label": "House", "name": "house"}).status_code == 400
    preview = submit(browser, "/admin/objects/new", label="House", name="house")
    fields = hidden_fields(preview.get_data(as_text=True))
    fields.pop("csrf_token")
    assert browser.post("/admin/metadata/apply", data=fields).status_code == 400
    assert deal.current().compiled.object("house") is None


def test_the_list_shows_record_counts_fields_and_the_owning_pack(browser: Any, app: Any, deal: Any) -> None:
    from metacrm.platform.records.actor import SYSTEM  # noqa: PLC0415
    app.extensions["metacrm"].records.create(SYSTEM, "deal", {"title": "Big one"})
    html = browser.get("/admin/objects/").get_data(as_text=True)
    row = html.split('<tr data-object="deal"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="text-end records">1</td>' in row and "<td class=\"text-end\">2</td>" in row
    assert "your own" in row


def test_create_an_object_shows_the_plan_then_applies_it_as_the_admin(browser: Any, deal: Any) -> None:
    preview = submit(browser, "/admin/objects/new", label="Property", name="property", icon="house")
    html = preview.get_data(as_text=True)
    assert 'id="plan"' in html and "safe" in html and "property" in html
    assert deal.current().compiled.object("property") is None  # only a plan so far
    done = apply(browser, preview)
    assert done.status_code == 302 and done.headers["Location"] == "/admin/objects/property/"
    obj = deal.current().compiled.object("property").definition
    assert (obj.label, obj.plural_label, obj.icon, obj.name_field) == ("Property", "Properties", "house", "name")
    assert obj.field("name").required
    version = deal.history(1)[0]
    assert version.author == "admin@example.com" and version.reason == "testing the builder"


def test_the_name_is_suggested_from_the_label_when_left_empty(browser: Any, deal: Any) -> None:
    preview = submit(browser, "/admin/objects/new", label="Sales Order", name="")
    assert preview.status_code == 200 and "sales_order" in preview.get_data(as_text=True)
    assert browser.get("/admin/objects/suggest-name?label=Close Date").get_data(as_text=True) == "close_date"


def test_a_taken_or_invalid_name_is_explained_on_the_form(browser: Any, deal: Any) -> None:
    taken = submit(browser, "/admin/objects/new", label="Deal", name="deal")
    assert taken.status_code == 422 and "already exists" in taken.get_data(as_text=True)
    bad = submit(browser, "/admin/objects/new", label="Deal", name="Bad Name")
    assert bad.status_code == 422 and "Lower case letters" in bad.get_data(as_text=True)


def test_edit_labels_icon_name_field_and_search_fields(browser: Any, deal: Any) -> None:
    preview = submit(browser, "/admin/objects/deal/", label="Opportunity", plural_label="Opportunities",
                     icon="trophy", name_field="title", search_fields=["title"])
    assert "update" in preview.get_data(as_text=True).lower()
    assert apply(browser, preview).status_code == 302
    obj = deal.current().compiled.object("deal").definition
    assert (obj.label, obj.icon, obj.search_fields) == ("Opportunity", "trophy", ("title",))
    assert [f.name for f in obj.fields] == ["title", "amount"]  # the fields are untouched


def test_the_object_page_links_the_sibling_editors_only_when_they_exist(browser: Any, app: Any, deal: Any) -> None:
    html = browser.get("/admin/objects/deal/").get_data(as_text=True)
    for endpoint, path in (("admin_layouts.index", "/layouts/"), ("admin_views.index", "/views"),
                           ("admin_rules.index", "/rules")):
        if endpoint not in app.view_functions:
            assert f"/admin/objects/deal{path}" not in html


def test_delete_shows_the_data_affected_and_requires_the_typed_name(browser: Any, app: Any, deal: Any) -> None:
    from metacrm.platform.records.actor import SYSTEM  # noqa: PLC0415
    app.extensions["metacrm"].records.create(SYSTEM, "deal", {"title": "Keep me"})
    preview = browser.get("/admin/objects/deal/delete")
    html = preview.get_data(as_text=True)
    assert "destructive" in html and "1 record(s)" in html and 'name="typed_name"' in html
    wrong = apply(browser, preview, typed_name="dea")
    assert wrong.status_code == 422 and 'exactly to delete it' in wrong.get_data(as_text=True)
    assert deal.current().compiled.object("deal") is not None
    assert apply(browser, preview, typed_name="deal").status_code == 302
    assert deal.current().compiled.object("deal") is None
    assert any(a.object == "deal" for a in deal.archives())  # archived, not dropped


def test_the_json_view_shows_the_definition_read_only(browser: Any, deal: Any) -> None:
    html = browser.get("/admin/objects/deal/json").get_data(as_text=True)
    assert "&#34;name_field&#34;: &#34;title&#34;" in html or '"name_field": "title"' in html
    assert "/admin/metadata/import" in html and "<textarea" not in html
    assert browser.get("/admin/objects/nothing/json").status_code == 404


def test_the_setup_page_links_the_object_manager(browser: Any) -> None:
    html = browser.get("/admin/").get_data(as_text=True)
    assert "/admin/objects/" in html and "/admin/history/" in html
