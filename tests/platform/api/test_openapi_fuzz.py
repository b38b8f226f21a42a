"""Property-based: whatever schemathesis sends, the record operations answer as the OpenAPI document says.

The admin's document is loaded from the running (WSGI) app over objects with most
field types; every per-object record operation is called with generated valid
and invalid data as the admin, and each response must not be a 5xx, must use a
documented status code and content type, and must match the documented schema.
A record's sharing operations and the platform's other operations are fuzzed by
``test_openapi_fuzz_sharing.py`` and ``test_openapi_fuzz_platform.py`` (three
files, so test workers share the work).
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .fuzzing import failures_of, fuzzed_api, group_of


@pytest.fixture
def document(app: Any, api: Api) -> Any:
    return fuzzed_api(app, api)


def test_every_record_operation_answers_as_documented(document: Any, admin_headers: dict[str, str]) -> None:
    operations = [op for result in document.get_all_operations() if group_of(op := result.ok()) == "records"]
    # per object (company, opportunity): list, create, get, change, delete, bulk, recycle bin, restore, purge,
    # history, export; plus the opportunities related to a company
    assert len(operations) == 2 * 11 + 1, sorted(op.label for op in operations)
    failures = failures_of(operations, admin_headers)
    assert not failures, "\n\n".join(failures)
