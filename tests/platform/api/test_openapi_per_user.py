"""The OpenAPI document per caller: what their roles let them read, set and query — and nothing else."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import OpenAPIV31SpecValidator

from metacrm.platform.api import openapi, openapi_view
from metacrm.platform.records import Actor

from .clinic import open_clinic
from .conftest import Records

OPENAPI = "/api/v1/openapi.json"


def test_a_users_document_follows_their_roles(app: Any, records: Records) -> None:
    nurse, _ = open_clinic(app, records)
    doc = nurse.get(OPENAPI).get_json()
    assert list(OpenAPIV31SpecValidator(doc).iter_errors()) == []
    schemas, paths = doc["components"]["schemas"], doc["paths"]
    assert "Payroll" not in schemas and not any("payroll" in p for p in paths)
    patient = schemas["Patient"]["properties"]
    assert "hiv_status" not in patient
    assert patient["ssn"]["type"] == ["string", "null"] and "Masked for you" in patient["ssn"]["description"]
    assert set(schemas["PatientCreate"]["properties"]) == {"name", "notes", "owner"}  # not masked, not read-only
    assert set(schemas["PatientPatch"]["properties"]) == {"name", "notes", "owner", "version"}
    filters = {p["name"] for p in paths["/api/v1/records/patient"]["get"]["parameters"]}
    assert "name__icontains" in filters and not {f for f in filters if f.startswith(("ssn", "hiv"))}
    # no delete permission on patients: no delete, restore, purge or recycle bin for them
    assert set(paths["/api/v1/records/patient/{id}"]) == {"parameters", "get", "patch"}
    assert not any(p.startswith("/api/v1/records/patient/") and p.endswith(("restore", "purge", "recycle-bin"))
                   for p in paths)
    assert "delete" in paths["/api/v1/records/visit/{id}"]


def test_the_admin_gets_everything(app: Any, records: Records) -> None:
    open_clinic(app, records)
    doc = records.get(OPENAPI).get_json()
    assert {"Payroll", "Patient"} <= set(doc["components"]["schemas"])
    assert "hiv_status" in doc["components"]["schemas"]["Patient"]["properties"]
    assert doc["components"]["schemas"]["RoleName"]["enum"] == ["admin", "nurse"]
    assert {"/api/v1/users", "/api/v1/users/{id}/roles"} <= set(doc["paths"])


def test_documents_are_cached_per_version_and_roles(app: Any, records: Records) -> None:
    open_clinic(app, records)
    platform = app.extensions["metacrm"]
    schema, hooks = platform.metadata.current().compiled, platform.records.hooks
    nurse = Actor(id=5, email="a@example.com", roles=frozenset({"nurse"}))
    other_nurse = Actor(id=6, email="b@example.com", roles=frozenset({"nurse"}))
    build = lambda who: openapi.document_for(  # noqa: E731
        schema, openapi_view.cache_key(who), lambda: openapi_view.view_for(hooks, who, schema))
    assert build(nurse) is build(other_nurse)
    assert build(nurse) is not build(Actor(id=7, email="c@example.com", roles=frozenset()))
    assert build(nurse) is not build(Actor(id=8, email="d@example.com", is_admin=True, roles=frozenset({"nurse"})))

