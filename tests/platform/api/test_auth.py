"""Who may call the API: HTTP Basic credentials; reading needs a user, changing needs an admin."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth

from .conftest import API, COMPANY, Api, assert_problem


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


def test_a_user_without_the_admin_role_can_read_metadata(api: Api, user_api: Api) -> None:
    api.put(COMPANY)
    assert user_api.objects() == ["company"]
    assert user_api.get("/objects/company").status_code == 200
    assert user_api.versions() == [1]


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


def test_health_and_landing_pages_need_no_credentials(client: Any, api: Api) -> None:
    api.put(COMPANY)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "metadata_version": 1}
    landing = client.get("/")
    assert landing.status_code == 200
    assert landing.mimetype == "text/html"
    assert "Metadata version 1" in landing.get_data(as_text=True)
