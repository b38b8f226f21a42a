"""Every API error is an RFC 9457 problem detail; pages outside the API keep HTML errors."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .conftest import API, COMPANY, Api, assert_problem


def test_a_problem_names_its_type_status_and_the_request_it_answers(api: Api) -> None:
    body = assert_problem(api.get("/objects/deal"), 404, "not-found")
    assert body == {"type": "urn:metacrm:problem:not-found", "title": "Not found", "status": 404,
                    "detail": 'object "deal" does not exist', "instance": f"{API}/objects/deal"}


def test_an_unknown_api_route_is_a_problem(api: Api) -> None:
    assert_problem(api.get("/nowhere"), 404, "not-found")


def test_a_wrong_method_is_a_problem_that_lists_the_allowed_ones(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.post(f"{API}/objects", headers=admin_headers)
    assert_problem(response, 405, "method-not-allowed")
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allowed and "POST" not in allowed


def test_a_body_that_is_not_json_is_unsupported_media(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.put(f"{API}/objects/company", data='{"fields": []}', content_type="text/plain",
                          headers=admin_headers)
    body = assert_problem(response, 415, "unsupported-media-type")
    assert "application/json" in body["detail"]


def test_malformed_json_is_a_bad_request_that_says_where(client: Any, admin_headers: dict[str, str],
                                                         api: Api) -> None:
    response = client.put(f"{API}/objects/company", data='{"name": "company",\n "fields": [}',
                          content_type="application/json", headers=admin_headers)
    body = assert_problem(response, 400, "bad-request")
    assert "not valid JSON" in body["detail"]
    assert "line 2" in body["detail"]
    assert api.versions() == []


def test_an_empty_json_body_is_a_bad_request(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.put(f"{API}/objects/company", data="", content_type="application/json", headers=admin_headers)
    assert_problem(response, 400, "bad-request")


def test_json_that_is_not_an_object_is_unprocessable(api: Api) -> None:
    response = api.client.put(f"{API}/objects/company", json=["name"], headers=api.headers)
    body = assert_problem(response, 422, "validation-failed")
    assert body["errors"] == [{"path": "", "message": "must be an object"}]


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(app: Any, api: Api) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 256
    big = {**COMPANY, "fields": [{"name": f"field_{i}", "type": "text"} for i in range(20)]}
    assert_problem(api.put(big), 413, "request-entity-too-large")
    assert api.versions() == []
    assert api.put(COMPANY).status_code == 201  # a body under the limit still goes through


def test_an_unexpected_error_is_a_generic_problem_and_is_logged(app: Any, client: Any,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/api/v1/explode")
    def explode() -> str:
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/explode")
    body = assert_problem(response, 500, "internal-error")
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["detail"] == "An unexpected error occurred; it has been logged."
    assert any(r.exc_info and str(r.exc_info[1]) == "secret internals" for r in caplog.records)


def test_pages_outside_the_api_keep_html_errors(client: Any) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_clients_asking_for_json_get_problems_everywhere(client: Any) -> None:
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert_problem(response, 404, "not-found")
