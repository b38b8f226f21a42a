"""The OpenAPI document lists the duplicates and merge operations of objects with duplicate rules."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import OpenAPIV31SpecValidator

from .conftest import apply_bundle


def test_objects_with_rules_document_duplicates_and_merge(app: Any, client: Any, admin_headers: dict[str, str]) -> None:
    apply_bundle(app)
    doc = client.get("/api/v1/openapi.json", headers=admin_headers).get_json()
    assert [f"{list(e.absolute_path)}: {e.message}" for e in OpenAPIV31SpecValidator(doc).iter_errors()] == []
    assert "get" in doc["paths"]["/api/v1/records/person/{id}/duplicates"]
    merge = doc["paths"]["/api/v1/records/person/{id}/merge"]["post"]
    assert merge["requestBody"]["content"]["application/json"]["schema"]["required"] == ["duplicate_id"]
    assert "/api/v1/records/note/{id}/merge" not in doc["paths"]  # no rules: the plain record operations only
