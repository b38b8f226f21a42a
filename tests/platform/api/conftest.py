"""Fixtures for the HTTP API: one-line requests as the admin or as a plain user."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher

from metacrm.platform.security import users
from tests.conftest import ADMIN_PASSWORD, basic_auth, fld, make_object

API = "/api/v1/metadata"
USER_EMAIL = "user@example.com"
PROBLEM_JSON = "application/problem+json"
COMPANY = make_object("company", fld("name"), fld("industry"))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request verifies a password; at production cost that dominates the run.

    Hashes and checks stay real argon2, only with the smallest work factors.
    """
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


class Api:
    """The metadata API as one caller sees it (credentials sent on every request)."""

    def __init__(self, client: Any, headers: dict[str, str]):
        self.client = client
        self.headers = headers

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(API + path, headers=self.headers, **kwargs)

    def put(self, document: dict[str, Any], query: str = "", *, name: str | None = None,
            headers: dict[str, str] | None = None) -> Any:
        return self.client.put(f"{API}/objects/{name or document['name']}{query}", json=document,
                               headers={**self.headers, **(headers or {})})

    def delete(self, name: str, query: str = "") -> Any:
        return self.client.delete(f"{API}/objects/{name}{query}", headers=self.headers)

    def rollback(self, version: int, query: str = "") -> Any:
        return self.client.post(f"{API}/rollback/{version}{query}", headers=self.headers)

    def versions(self) -> list[int]:
        """Every metadata version, newest first."""
        return [v["version"] for v in self.get("/history").get_json()["data"]]

    def objects(self) -> list[str]:
        return [o["name"] for o in self.get("/objects").get_json()["data"]]


@pytest.fixture
def api(client: Any, admin_headers: dict[str, str]) -> Api:
    return Api(client, admin_headers)


@pytest.fixture
def user_api(app: Any, client: Any) -> Api:
    """A signed-in user without the admin role."""
    app.extensions["metacrm"].users.create(USER_EMAIL, ADMIN_PASSWORD, is_admin=False)
    return Api(client, basic_auth(USER_EMAIL, ADMIN_PASSWORD))


@pytest.fixture
def company(api: Api) -> dict[str, Any]:
    """The company object, applied as version 1."""
    assert api.put(COMPANY).status_code == 201
    return COMPANY


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of this status and type; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json(force=True)
    assert body["type"] == f"urn:metacrm:problem:{slug}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


RECORDS = "/api/v1/records"
#: A small CRM: companies (searchable by name) and their deals, which a company cannot be deleted under.
CRM_COMPANY = make_object("company", fld("name", required=True), fld("industry"), search_fields=["name"])
DEAL = make_object("deal", fld("title", required=True), fld("amount", "currency"),
                   fld("stage", "picklist", options=["New", "Won"]), fld("close_on", "date"),
                   fld("company", "lookup", target="company", on_delete="restrict"))


class Records:
    """The records API as one caller sees it: paths are relative to /api/v1/records."""

    def __init__(self, client: Any, headers: dict[str, str]):
        self.client = client
        self.headers = headers

    def _call(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        url = path if path.startswith("/api/") else RECORDS + path
        return self.client.open(url, method=method, headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self._call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self._call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self._call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self._call("DELETE", path, **kwargs)

    def create(self, object_name: str, **values: Any) -> dict[str, Any]:
        response = self.post(f"/{object_name}", json=values)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def ids(self, path: str) -> list[int]:
        response = self.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["id"] for r in response.get_json()["data"]]


@pytest.fixture
def records(api: Api) -> Records:
    """The admin's view of the records API, over companies and deals."""
    for document in (CRM_COMPANY, DEAL):
        assert api.put(document).status_code == 201
    return Records(api.client, api.headers)
