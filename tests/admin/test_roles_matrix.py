"""The roles editor: the permission matrix and field grid become a role document, planned and applied by
the admin; the hierarchy and sharing rules go through the same path."""

from __future__ import annotations

import html
from typing import Any

import pytest

from metacrm.admin.roles_views import role_document
from tests.admin.builder_helpers import add_deal, only_admins, save_and_apply
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

SALES = {"name": "sales", "objects": {"deal": {"read": True, "update": True}}}


@pytest.fixture(autouse=True)
def deal(app: Any) -> None:
    add_deal(app, SALES)


def test_the_matrix_means_a_role_document_with_only_what_is_granted(app: Any) -> None:
    objects = app.extensions["metacrm"].metadata.current().compiled.bundle.objects
    posted = {"name": " viewer ", "label": "Viewer", "reports_to": "", "perm:deal:read": "1",
              "field:deal:amount": "masked", "field:deal:notes": "", "field:deal:stage": "bogus"}
    assert role_document(posted, objects) == {"name": "viewer", "label": "Viewer",
                                              "objects": {"deal": {"read": True}},
                                              "fields": {"deal": {"amount": "masked"}}}


def test_the_page_lists_roles_and_shows_the_matrix(browser: Any) -> None:
    listing = browser.get("/admin/roles/").get_data(as_text=True)
    assert 'data-role="sales"' in listing
    page = browser.get("/admin/roles/sales").get_data(as_text=True)
    assert 'id="permission-matrix"' in page and 'data-object="deal"' in page
    assert 'name="perm:deal:read" value="1"\n        aria-label="Read Deal" checked' in page
    assert 'name="field:deal:amount"' in page
    assert browser.get("/admin/roles/nobody").status_code == 404


def test_saving_a_role_plans_then_applies_it_as_the_admin(browser: Any, app: Any) -> None:
    plan_page, done = save_and_apply(browser, "/admin/roles/_new", "/admin/roles/save", new="1", name="boss",
                                     label="Boss", **{"perm:deal:read": "1", "perm:deal:view_all": "1",
                                                      "field:deal:amount": "read_only"})
    assert 'id="plan"' in plan_page.get_data(as_text=True) and done.status_code == 302
    _, done = save_and_apply(browser, "/admin/roles/sales", "/admin/roles/save", name="sales", reports_to="boss",
                             **{"perm:deal:read": "1"})
    assert done.status_code == 302
    roles = app.extensions["metacrm"].metadata.current().compiled.bundle.roles
    assert dict(roles["boss"].objects["deal"]) == {"read": True, "view_all": True}
    assert dict(roles["boss"].fields["deal"]) == {"amount": "read_only"}
    assert roles["sales"].reports_to == "boss" and dict(roles["sales"].objects["deal"]) == {"read": True}
    assert app.extensions["metacrm"].metadata.history()[0].author == "admin@example.com"


def test_a_role_the_checks_refuse_comes_back_with_its_json_path(browser: Any, app: Any) -> None:
    token = csrf_of(browser.get("/admin/roles/sales").get_data(as_text=True))
    looped = browser.post("/admin/roles/save", data={"csrf_token": token, "name": "sales", "reports_to": "sales"})
    text = html.unescape(looped.get_data(as_text=True))
    assert looped.status_code == 422 and "roles[0]" in text
    bad = browser.post("/admin/roles/save", data={"csrf_token": token, "new": "1", "name": "Not A Name"})
    assert bad.status_code == 422 and "roles[0].name" in bad.get_data(as_text=True)


def test_a_sharing_rule_is_added_to_the_object_through_a_plan(browser: Any, app: Any) -> None:
    _, done = save_and_apply(browser, "/admin/roles/sales", "/admin/roles/sharing", role="sales",
                             object_name="deal", rule_name="won_deals", criteria="stage=Won", access="read")
    assert done.status_code == 302
    obj = app.extensions["metacrm"].metadata.current().compiled.object("deal").definition
    assert [(r.name, r.roles) for r in obj.sharing_rules] == [("won_deals", ("sales",))]
    assert "won_deals" in browser.get("/admin/roles/sales").get_data(as_text=True)
    token = csrf_of(browser.get("/admin/roles/sales").get_data(as_text=True))
    bad = browser.post("/admin/roles/sharing", data={"csrf_token": token, "role": "sales", "object_name": "deal",
                                                      "rule_name": "typo", "criteria": "stgae=Won"})
    assert bad.status_code == 422 and "stgae" in html.unescape(bad.get_data(as_text=True))


def test_only_admins_reach_the_roles_editor(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    only_admins(client, ["/admin/roles/", "/admin/roles/sales", "/admin/roles/_new"],
                ["/admin/roles/save", "/admin/roles/sharing", "/admin/roles/apply"])
