"""Property-based: the sharing operations of records (a record's shares, team and denies) answer as the
OpenAPI document says."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .fuzzing import failures_of, fuzzed_api, group_of


@pytest.fixture
def document(app: Any, api: Api) -> Any:
    return fuzzed_api(app, api)


def test_every_sharing_operation_answers_as_documented(document: Any, admin_headers: dict[str, str]) -> None:
    operations = [op for result in document.get_all_operations() if group_of(op := result.ok()) == "sharing"]
    # per object (company, opportunity): the shares, team and denies of a record (list, add, remove each)
    assert len(operations) == 2 * 9, sorted(op.label for op in operations)
    failures = failures_of(operations, admin_headers)
    assert not failures, "\n\n".join(failures)
