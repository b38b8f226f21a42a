"""Property-based: whatever schemathesis sends, the API answers as its own OpenAPI document says.

The admin's document is loaded from the running (WSGI) app over objects with most
field types, every operation is called with generated valid and invalid
data as the admin, and each response must not be a 5xx, must use a
documented status code and content type, and must match the documented
schema.
"""

from __future__ import annotations

from typing import Any

import pytest
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
MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
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


def test_every_operation_answers_as_documented(fuzzed_api: Any, admin_headers: dict[str, str]) -> None:
    operations = [result.ok() for result in fuzzed_api.get_all_operations()]
    # per object: list, create, get, change, delete, bulk, recycle bin, restore, purge, history;
    # plus the opportunities related to a company, global search, and the users and their roles (get, put);
    # and per object the shares, team and denies of a record (list, add, remove each);
    # file upload; workflow runs (list, get) and the manual run; jobs (list, get, retry); settings (get, put);
    # notifications (list, read, read all, preferences get/put); inbound hooks (call, secret get/post);
    # approvals (submit, history, pending, approve, reject, recall); reports (list, run, csv); dashboards (list, get)
    assert len(operations) == 2 * 10 + 1 + 1 + 3 + 2 * 9 + 1 + 3 + 3 + 2 + 5 + 3 + 6 + 3 + 2
    failures = [failure for operation in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                if (failure := fuzz(operation, mode, admin_headers))]
    assert not failures, "\n\n".join(failures)
