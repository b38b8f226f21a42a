"""The example plugin in examples/plugins/metacrm_rating, installed as pip would install it."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from tests.conftest import basic_auth, fld, make_object
from tests.platform.web.conftest import sign_in

from .conftest import EXAMPLE


@pytest.fixture
def app(install: Callable[..., None], make_app: Callable[[], Any]) -> Any:
    install("metacrm-rating", {"rating": "metacrm_rating:plugin"}, code_dir=EXAMPLE)
    return make_app()


@pytest.fixture
def admin(app: Any) -> Any:
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
    return basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def review_object(app: Any, admin: dict[str, str]) -> None:
    doc = make_object("review", fld("title", required=True), fld("stars", "rating", required=True))
    response = app.test_client().put("/api/v1/metadata/objects/review", json=doc, headers=admin)
    assert response.status_code == 201, response.get_json()


def test_the_plugin_is_reported_with_what_it_adds(app: Any, admin: dict[str, str]) -> None:
    [report] = [p for p in app.test_client().get("/api/v1/plugins", headers=admin).get_json()["plugins"]
                if p["name"] == "rating"]
    assert report["status"] == "loaded" and report["version"] == "1.0.0"
    assert report["contributes"] == ["field type rating", "listener record.created (after_commit)",
                                     "blueprint rating_plugin", "workflow action post_to_chat"]


def test_its_field_type_stores_validates_and_documents_values(app: Any, admin: dict[str, str],
                                                              review_object: None) -> None:
    client = app.test_client()
    created = client.post("/api/v1/records/review", json={"title": "Great", "stars": "★★★★"}, headers=admin)
    assert created.status_code == 201 and created.get_json()["stars"] == 4
    refused = client.post("/api/v1/records/review", json={"title": "Too good", "stars": 6}, headers=admin)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [{"field": "stars", "code": "rating_out_of_range",
                                             "message": "must be from 1 to 5 stars (got 6)"}]
    schema = client.get("/api/v1/openapi.json", headers=admin).get_json()["components"]["schemas"]
    assert schema["Review"]["properties"]["stars"]["maximum"] == 5


def test_its_widget_appears_in_generated_forms(app: Any, review_object: None) -> None:
    client = app.test_client()
    sign_in(client)
    html = client.get("/o/review/new").get_data(as_text=True)
    assert '<select' in html and "★★★☆☆ (3)" in html


def test_its_listener_and_endpoint_work(app: Any, admin: dict[str, str], review_object: None) -> None:
    import metacrm_rating

    client = app.test_client()
    record = client.post("/api/v1/records/review", json={"title": "Fine", "stars": 3}, headers=admin).get_json()
    assert ("record.created", "review", record["id"]) in metacrm_rating.SEEN
    scale = client.get("/api/v1/rating/scale", headers=admin).get_json()["scale"]
    assert scale[2] == {"value": 3, "label": "★★★☆☆"}
    assert client.get("/api/v1/rating/scale").status_code == 401
