"""Fuzzing helpers: whatever schemathesis sends, the API answers as its own OpenAPI document says.

The admin's document is loaded from the running (WSGI) app over objects with most
field types, every operation is called with generated valid and invalid
data as the admin, and each response must not be a 5xx, must use a
documented status code and content type, and must match the documented
schema.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.conftest import fld, make_object

from .conftest import CRM_COMPANY, Api

OPPORTUNITY = make_object(
    "opportunity",
    fld("title", required=True), fld("notes", "long_text"), fld("contact_email", "email"),
    fld("website", "url"), fld("seats", "integer"), fld("amount", "currency"), fld("probability", "percent"),
    fld("close_on", "date"), fld("next_call", "datetime"), fld("won", "boolean"),
    fld("stage", "picklist", options=["New", "Won", "Lost"]), fld("tags", "multi_picklist", options=["A", "B"]),
    fld("company", "lookup", target="company", on_delete="restrict"),
    fld("weighted", "formula", formula="amount * probability / 100", result_type="currency"),
)
MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzzed_api(app: Any, api: Api) -> Any:
    """The document as a client downloads it, over companies and opportunities."""
    for document in (CRM_COMPANY, OPPORTUNITY):
        assert api.put(document).status_code == 201
    for name in ("Acme", "Bolt"):  # so that generated ids sometimes hit a real record
        assert api.client.post("/api/v1/records/company", json={"name": name}, headers=api.headers).status_code == 201
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=api.headers)  # the admin's document


def fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    """Run one operation with generated data; the failure report, if any check failed."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every failing operation
        return f"{operation.label} ({mode.value}): {exc}"
    return None


def failures_of(operations: list[Any], headers: dict[str, str]) -> list[str]:
    """Each operation fuzzed with valid and with invalid data; the reports of those that misbehaved."""
    return [failure for operation in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            if (failure := fuzz(operation, mode, headers))]


def group_of(operation: Any) -> str:
    """Which fuzz test takes the operation: "records" (the per-object record operations), "sharing" (a
    record's shares, team and denies) or "platform" (the rest); three files, so three test workers share them."""
    path = operation.path
    if any(part in path for part in ("/shares", "/team", "/denies")):
        return "sharing"
    if path.endswith("/legal-hold"):
        return "platform"
    if path.startswith("/api/v1/records/") and not any(part in path for part in ("/files", "/approval", "/workflows")):
        return "records"
    return "platform"
