"""Property-based: the platform's operations beyond records (search, users, files, workflows, jobs,
settings, notifications, hooks, approvals, reports, dashboards) answer as the OpenAPI document says."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .fuzzing import failures_of, fuzzed_api, group_of


@pytest.fixture
def document(app: Any, api: Api) -> Any:
    return fuzzed_api(app, api)


def test_every_platform_operation_answers_as_documented(document: Any, admin_headers: dict[str, str]) -> None:
    operations = [op for result in document.get_all_operations() if group_of(op := result.ok()) == "platform"]
    # global search, the users and their roles (get, put); file upload; workflow runs (list, get) and the manual
    # run; jobs (list, get, retry); settings (get, put); notifications (list, read, read all, preferences get/put);
    # inbound hooks (call, secret get/post); approvals (submit, history, pending, approve, reject, recall);
    # reports (list, run, csv); dashboards (list, get); per object the legal hold (get, place, clear)
    assert len(operations) == 1 + 3 + 1 + 3 + 3 + 2 + 5 + 3 + 6 + 3 + 2 + 2 * 3, sorted(op.label for op in operations)
    failures = failures_of(operations, admin_headers)
    assert not failures, "\n\n".join(failures)
