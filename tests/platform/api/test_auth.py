"""Who may call the API: HTTP Basic credentials; reading needs a user, changing needs an admin."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth

from .conftest import API, COMPANY, USER_EMAIL, Api, assert_problem


def test_a_request_without_credentials_is_challenged_for_basic_auth(client: Any) -> None:
    response = client.get(f"{API}/objects")
    body = assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert body["instance"] == f"{API}/objects"


def test_a_wrong_password_is_refused_like_missing_credentials(client: Any) -> None:
    response = client.get(f"{API}/objects", headers=basic_auth(ADMIN_EMAIL, "not the right password"))
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client: Any) -> None:
    unknown = client.get(f"{API}/objects", headers=basic_auth("nobody@example.com", ADMIN_PASSWORD))
    wrong = client.get(f"{API}/objects", headers=basic_auth(ADMIN_EMAIL, "not the right password"))
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json(force=True) == wrong.get_json(force=True)  # no hint which emails exist


def test_other_authorization_schemes_are_not_accepted(client: Any) -> None:
    response = client.get(f"{API}/objects", headers={"Authorization": f"Bearer {ADMIN_PASSWORD}"})
    assert_problem(response, 401, "unauthorized")


def test_the_email_is_matched_without_regard_to_case(client: Any) -> None:
    response = client.get(f"{API}/objects", headers=basic_auth(ADMIN_EMAIL.upper(), ADMIN_PASSWORD))
    assert response.status_code == 200


def test_a_user_without_the_admin_role_can_read_the_metadata_of_what_they_may_read(
        app: Any, api: Api, user_api: Api) -> None:
    api.put(COMPANY)
    assert user_api.objects() == []  # no role, no object: not even its definition
    assert user_api.get("/objects/company").status_code == 404
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(
        {"roles": [{"name": "viewer", "objects": {"company": {"read": True}}}]}), author="test")
    platform.users.grant_role(USER_EMAIL, "viewer")
    assert user_api.objects() == ["company"]
    assert user_api.get("/objects/company").status_code == 200
    assert user_api.versions() == [2, 1]
    assert "diff" not in user_api.get("/history").get_json()["data"][0]  # diffs are for admins


def test_a_user_without_the_admin_role_cannot_change_metadata(api: Api, user_api: Api) -> None:
    api.put(COMPANY)
    changed = {**COMPANY, "fields": [*COMPANY["fields"], {"name": "phone", "type": "phone"}]}
    for response in (user_api.put(changed), user_api.put(changed, "?dry_run=1"),
                     user_api.delete("company", "?confirm=1"), user_api.rollback(0, "?confirm=1")):
        body = assert_problem(response, 403, "forbidden")
        assert "admin" in body["detail"]
    assert api.versions() == [1]
    assert [f["name"] for f in api.get("/objects/company").get_json()["fields"]] == ["name", "industry"]


def test_only_admins_see_archived_data(user_api: Api) -> None:
    assert_problem(user_api.get("/archives"), 403, "forbidden")


def test_health_needs_no_credentials_and_the_home_page_asks_to_sign_in(client: Any, api: Api) -> None:
    api.put(COMPANY)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "metadata_version": 1}
    landing = client.get("/")
    assert landing.status_code == 302
    assert landing.headers["Location"].startswith("/login")
    assert client.get("/login").mimetype == "text/html"
