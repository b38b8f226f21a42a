"""The OpenAPI 3.1 document is generated from the live metadata, and Swagger UI shows it from local assets."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from metacrm.assets import assets_root
from tests.conftest import basic_auth, fld, make_object

from .conftest import DEAL, Api, Records

OPENAPI = "/api/v1/openapi.json"
SWAGGER_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")


def document(client: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = client.get(OPENAPI, headers=headers or {})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def conforms(doc: dict[str, Any], schema_name: str, instance: Any) -> list[str]:
    """Messages for every way ``instance`` breaks a schema of the document (none when it conforms)."""
    validator = Draft202012Validator({**doc, "$ref": f"#/components/schemas/{schema_name}"})
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def test_the_document_is_valid_openapi_3_1(records: Records) -> None:
    doc = document(records.client, records.headers)
    assert doc["openapi"] == "3.1.0"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []


def test_without_credentials_the_document_names_no_object(records: Records) -> None:
    response = records.client.get(OPENAPI)
    doc = response.get_json()
    assert list(OpenAPIV31SpecValidator(doc).iter_errors()) == []
    assert list(doc["paths"]) == ["/api/v1/search"]
    assert set(doc["components"]["schemas"]) == {"Problem"}
    assert "deal" not in response.get_data(as_text=True).lower()
    assert "Authorization" in response.headers["Vary"]


def test_wrong_credentials_are_refused_not_downgraded(records: Records) -> None:
    response = records.client.get(OPENAPI, headers=basic_auth("admin@example.com", "not the password"))
    assert response.status_code == 401


def test_an_empty_metadata_still_gives_a_valid_document(client: Any, admin_headers: dict[str, str]) -> None:
    doc = document(client, admin_headers)
    assert list(OpenAPIV31SpecValidator(doc).iter_errors()) == []
    assert set(doc["paths"]) == {
        "/api/v1/search", "/api/v1/files", "/api/v1/users", "/api/v1/users/{id}/roles",
        "/api/v1/workflows/{object}/{id}/run/{workflow}", "/api/v1/workflows/runs", "/api/v1/workflows/runs/{id}",
        "/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/retry", "/api/v1/settings",
        "/api/v1/notifications", "/api/v1/notifications/{id}/read", "/api/v1/notifications/read-all",
        "/api/v1/notifications/preferences", "/api/v1/workflows/hooks/{object}/{workflow}",
        "/api/v1/workflows/hooks/{object}/{workflow}/secret", "/api/v1/approvals/{object}/{id}/submit",
        "/api/v1/approvals/{object}/{id}", "/api/v1/approvals/pending", "/api/v1/approvals/requests/{id}/approve",
        "/api/v1/approvals/requests/{id}/reject", "/api/v1/approvals/requests/{id}/recall",
        "/api/v1/reports", "/api/v1/reports/{name}/run", "/api/v1/reports/{name}.csv", "/api/v1/dashboards",
        "/api/v1/dashboards/{name}"}


def test_the_document_declares_http_basic_and_token_authentication(records: Records) -> None:
    doc = document(records.client)
    assert doc["security"] == [{"basic": []}, {"bearer": []}]
    assert doc["components"]["securitySchemes"]["basic"] == {"type": "http", "scheme": "basic"}
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_every_object_has_its_own_paths_and_operations(records: Records) -> None:
    paths = document(records.client, records.headers)["paths"]
    for name in ("company", "deal"):
        assert set(paths[f"/api/v1/records/{name}"]) == {"get", "post"}
        assert set(paths[f"/api/v1/records/{name}/{{id}}"]) == {"parameters", "get", "patch", "delete"}
    operation_ids = [op["operationId"] for item in paths.values() for key, op in item.items() if key != "parameters"]
    assert len(operation_ids) == len(set(operation_ids))
    assert "create_deal" in operation_ids and "update_company" in operation_ids


def test_every_object_has_read_create_patch_and_page_schemas(records: Records) -> None:
    schemas = document(records.client, records.headers)["components"]["schemas"]
    assert {"Company", "CompanyCreate", "CompanyPatch", "CompanyPage",
            "Deal", "DealCreate", "DealPatch", "DealPage", "Problem"} <= set(schemas)
    deal, create, patch = schemas["Deal"], schemas["DealCreate"], schemas["DealPatch"]
    assert {"id", "version", "title", "amount", "stage", "close_on", "company"} <= set(deal["properties"])
    assert create["required"] == ["title"]
    assert "id" not in create["properties"] and "version" not in create["properties"]
    assert create["additionalProperties"] is False
    assert patch.get("required", []) == [] and "version" in patch["properties"]
    assert create["properties"]["stage"]["enum"] == ["New", "Won", None]
    assert create["properties"]["amount"]["type"] == ["string", "null"]
    assert schemas["DealPage"]["properties"]["data"]["items"] == {"$ref": "#/components/schemas/Deal"}


def test_list_operations_document_a_filter_per_field_and_operator(records: Records) -> None:
    list_deals = document(records.client, records.headers)["paths"]["/api/v1/records/deal"]["get"]
    names = {p["name"] for p in list_deals["parameters"]}
    assert {"sort", "limit", "cursor", "fields", "count", "title", "title__icontains",
            "amount__gte", "close_on__between", "stage__in", "company"} <= names
    assert "stage__gt" not in names  # picklists have no order


def test_real_responses_conform_to_the_document(records: Records) -> None:
    acme = records.create("company", name="Acme")
    deal = records.create("deal", title="Big one", amount="10.5", stage="Won", close_on="2024-05-01",
                          company=acme["id"])
    doc = document(records.client, records.headers)
    assert conforms(doc, "Deal", deal) == []
    assert conforms(doc, "DealPage", records.get("/deal?count=1").get_json()) == []
    assert conforms(doc, "Problem", records.get("/deal/999").get_json()) == []
    assert conforms(doc, "DealCreate", {"title": "Big one", "bogus": 1}) != []


def test_adding_a_field_changes_the_document_at_once(api: Api, records: Records) -> None:
    before_response = records.client.get(OPENAPI, headers=records.headers)
    before = before_response.get_json()
    assert "probability" not in before["components"]["schemas"]["Deal"]["properties"]

    changed = {**DEAL, "fields": [*DEAL["fields"], fld("probability", "percent")]}
    assert api.put(changed).status_code == 200

    after_response = records.client.get(OPENAPI, headers=records.headers)
    after = after_response.get_json()
    assert after["info"]["version"] != before["info"]["version"]
    assert after_response.headers["ETag"] != before_response.headers["ETag"]
    for schema in ("Deal", "DealCreate", "DealPatch"):
        assert "probability" in after["components"]["schemas"][schema]["properties"]
    assert "probability__gte" in {p["name"] for p in after["paths"]["/api/v1/records/deal"]["get"]["parameters"]}
    assert list(OpenAPIV31SpecValidator(after).iter_errors()) == []


def test_a_new_object_gets_paths_at_once(api: Api, records: Records) -> None:
    assert api.put(make_object("ticket", fld("subject", required=True))).status_code == 201
    doc = document(records.client, records.headers)
    assert "/api/v1/records/ticket" in doc["paths"]
    assert doc["components"]["schemas"]["TicketCreate"]["required"] == ["subject"]


def test_the_docs_page_asks_to_sign_in_first(client: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_the_docs_page_loads_swagger_ui_from_this_server(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/docs", headers=admin_headers)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for asset in SWAGGER_ASSETS:
        assert f'"/vendor/swagger-ui-dist/{asset}"' in page
    assert "https://" not in page and "http://" not in page  # never a CDN
    init = client.get("/api/v1/docs/init.js")
    assert (init.status_code, init.mimetype) == (200, "text/javascript")
    assert OPENAPI in init.get_data(as_text=True)


def test_swagger_ui_assets_are_served_locally(client: Any) -> None:
    installed = assets_root() / "swagger-ui-dist"
    if not installed.is_dir():
        pytest.fail(f"swagger-ui-dist is not installed at {installed}: run `npm ci` at the repository root "
                    "(or point METACRM_ASSETS_PATH at an installed node_modules) before running the tests")
    for asset, mimetype in zip(SWAGGER_ASSETS, ("text/css", "text/javascript")):
        response = client.get(f"/vendor/swagger-ui-dist/{asset}")
        assert response.status_code == 200, asset
        assert response.mimetype == mimetype
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert len(response.data) > 1000


def test_only_packages_named_in_package_json_are_served(client: Any) -> None:
    assert client.get("/vendor/@scarf/scarf/package.json").status_code == 404
    assert client.get("/vendor/swagger-ui-dist/../package.json").status_code == 404
