"""Users and their roles: assignments go through the users service (names checked), and deactivation
stops sign-in."""

from __future__ import annotations

import re
from typing import Any

from tests.admin.builder_helpers import add_deal, only_admins
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in


def post_row(browser: Any, url: str, **data: Any) -> Any:
    token = csrf_of(browser.get("/admin/users/").get_data(as_text=True))
    return browser.post(url, data={"csrf_token": token, **data})


def test_roles_are_assigned_through_the_users_service(browser: Any, app: Any, plain_user: Any) -> None:
    add_deal(app, {"name": "sales", "objects": {"deal": {"read": True}}})
    page = browser.get("/admin/users/").get_data(as_text=True)
    assert f'data-user="{USER_EMAIL}"' in page and 'value="sales"' in page
    done = post_row(browser, f"/admin/users/{plain_user.id}/roles", roles=["sales"])
    assert done.status_code == 302
    assert app.extensions["metacrm"].users.get(plain_user.id).roles == frozenset({"sales"})
    assert "Roles of user@example.com: sales." in browser.get("/admin/users/").get_data(as_text=True)


def test_unknown_roles_and_the_last_admin_are_refused(browser: Any, app: Any, plain_user: Any) -> None:
    post_row(browser, f"/admin/users/{plain_user.id}/roles", roles=["salse"])
    assert app.extensions["metacrm"].users.get(plain_user.id).roles == frozenset()
    assert "Unknown role: salse" in browser.get("/admin/users/").get_data(as_text=True)
    admin = app.extensions["metacrm"].users.get_by_email("admin@example.com")
    post_row(browser, f"/admin/users/{admin.id}/roles", roles=[])
    assert app.extensions["metacrm"].users.get(admin.id).is_admin


def test_deactivated_users_cannot_sign_in(browser: Any, app: Any, client: Any, plain_user: Any) -> None:
    done = post_row(browser, f"/admin/users/{plain_user.id}/deactivate")
    assert done.status_code == 302 and not app.extensions["metacrm"].users.get(plain_user.id).is_active
    assert re.search("deactivated", browser.get("/admin/users/").get_data(as_text=True))
    other = app.test_client()
    assert sign_in(other, USER_EMAIL, USER_PASSWORD).status_code != 302
    admin = app.extensions["metacrm"].users.get_by_email("admin@example.com")
    post_row(browser, f"/admin/users/{admin.id}/deactivate")
    assert app.extensions["metacrm"].users.get(admin.id).is_active
    assert "Reactivate" in browser.get("/admin/users/").get_data(as_text=True)
    assert post_row(browser, f"/admin/users/{plain_user.id}/reactivate").status_code == 302
    assert app.extensions["metacrm"].users.get(plain_user.id).is_active
    assert sign_in(other, USER_EMAIL, USER_PASSWORD).status_code == 302  # the same password works again


def test_posts_without_the_csrf_token_change_nothing(browser: Any, app: Any, plain_user: Any) -> None:
    assert browser.post(f"/admin/users/{plain_user.id}/deactivate").status_code == 400
    assert app.extensions["metacrm"].users.get(plain_user.id).is_active


def test_only_admins_reach_the_users_page(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    only_admins(client, ["/admin/users/"], [f"/admin/users/{plain_user.id}/roles",
                                            f"/admin/users/{plain_user.id}/deactivate"])
