"""POST /api/v1/scripts/<name>: results, errors as problem details, roles and token scopes (both databases)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, basic_auth
from .script_fixtures import Org, api_script, build_org, cheap_password_hashing  # noqa: F401

SUMMARY = ("deals = query('deal', stage=params.get('stage', 'Won'))\n"
           "result = {'count': len(deals), 'total': sum([d.amount for d in deals]), 'on': today()}")
OPEN_TASKS = ("made = []\nfor title in params['titles']:\n"
              "    made.append(create('task', subject=title)['id'])\nresult = made")
HALF = "create('task', subject='first')\ncreate('task', subject='')"
FAILS = "fail('No deals today', 'stage')"
SPINS = "n = 0\nwhile True:\n    n += 1"


@pytest.fixture
def org(app: Any) -> Org:
    platform = app.extensions["metacrm"]

    def apply(doc: Any) -> Any:
        return platform.metadata.apply(platform.metadata.plan(doc), author="test", confirm=True)
    scripts = (api_script("summary", SUMMARY, roles=["rep", "viewer"], description="Won deals in numbers"),
               api_script("open_tasks", OPEN_TASKS, roles=["rep", "viewer"]), api_script("half", HALF),
               api_script("fails", FAILS), api_script("spins", SPINS))
    o = build_org(platform, apply, task_scripts=scripts)
    o.deal(o.admin, title="A", amount="100.50", stage="Won", owner=o.rep1.id)
    o.deal(o.admin, title="B", amount="900", stage="Won", owner=o.rep2.id)
    return o


def as_(email: str) -> dict[str, str]:
    return basic_auth(email, ADMIN_PASSWORD)


def call(client: Any, name: str, headers: dict[str, str], body: Any = None) -> Any:
    return client.post(f"/api/v1/scripts/{name}", json=body if body is not None else {}, headers=headers)


def task_count(org: Org) -> int:
    return len(org.platform.records.reader.list(org.admin, "task", {}).records)


def test_a_script_answers_with_its_result_as_the_caller_sees_the_data(client: Any, org: Org) -> None:
    admin = call(client, "summary", as_("boss@example.com"))
    assert admin.status_code == 200
    assert admin.json["result"]["count"] == 2 and admin.json["result"]["total"] == "1000.50"
    rep = call(client, "summary", as_("rep1@example.com"), {"stage": "Won"})
    assert rep.json["result"]["count"] == 1 and rep.json["result"]["total"] == "100.50"


def test_writes_are_atomic_and_made_as_the_caller(client: Any, org: Org) -> None:
    made = call(client, "open_tasks", as_("rep1@example.com"), {"titles": ["One", "Two"]})
    assert made.status_code == 200 and len(made.json["result"]) == 2
    task = org.platform.records.get(org.admin, "task", made.json["result"][0])
    assert task["created_by"] == org.rep1.id
    refused = call(client, "half", as_("boss@example.com"))
    assert refused.status_code == 422 and "subject" in refused.json["detail"]
    assert task_count(org) == 2  # "first" rolled back with the refused second write


def test_unknown_scripts_are_404_and_roles_decide_who_may_run(client: Any, org: Org) -> None:
    missing = call(client, "nope", as_("boss@example.com"))
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert 'no API script "nope"' in missing.json["detail"]
    admins_only = call(client, "half", as_("rep1@example.com"))
    assert admins_only.status_code == 403 and "administrators only" in admins_only.json["detail"]
    assert client.post("/api/v1/scripts/summary", json={}).status_code == 401


def test_a_viewer_may_run_a_script_but_not_write_what_the_role_forbids(client: Any, org: Org) -> None:
    refused = call(client, "open_tasks", as_("viewer@example.com"), {"titles": ["x"]})
    assert refused.status_code == 403 and "create" in refused.json["detail"]
    assert task_count(org) == 0


def test_a_read_token_runs_scripts_but_their_writes_are_refused(client: Any, org: Org) -> None:
    token, _ = org.platform.tokens.create(org.rep1.id, "reader", scope="read")
    bearer = {"Authorization": f"Bearer {token}"}
    assert call(client, "summary", bearer).status_code == 200
    refused = call(client, "open_tasks", bearer, {"titles": ["x"]})
    assert refused.status_code == 403 and "'read' scope" in refused.json["detail"]
    assert task_count(org) == 0
    writer, _ = org.platform.tokens.create(org.rep1.id, "writer", scope="write")
    assert call(client, "open_tasks", {"Authorization": f"Bearer {writer}"}, {"titles": ["x"]}).status_code == 200


def test_failures_and_limits_are_problem_details(client: Any, org: Org) -> None:
    failed = call(client, "fails", as_("boss@example.com"))
    assert failed.status_code == 422 and failed.json["detail"] == "No deals today"
    spun = call(client, "spins", as_("boss@example.com"))
    assert spun.status_code == 504 and "took longer than" in spun.json["detail"]
    bad = client.post("/api/v1/scripts/summary", data="{", content_type="application/json",
                      headers=as_("boss@example.com"))
    assert bad.status_code == 400


def test_the_openapi_document_lists_the_scripts_the_caller_may_run(client: Any, org: Org) -> None:
    admin = client.get("/api/v1/openapi.json", headers=as_("boss@example.com")).json
    assert {"/api/v1/scripts/summary", "/api/v1/scripts/half", "/api/v1/settings"} <= set(admin["paths"])
    assert admin["paths"]["/api/v1/scripts/summary"]["post"]["summary"] == "Won deals in numbers"
    rep = client.get("/api/v1/openapi.json", headers=as_("rep1@example.com")).json
    scripts = {p for p in rep["paths"] if p.startswith("/api/v1/scripts/")}
    assert scripts == {"/api/v1/scripts/summary", "/api/v1/scripts/open_tasks"}
    assert "/api/v1/settings" not in rep["paths"]
    anonymous = client.get("/api/v1/openapi.json").json
    assert not any(p.startswith("/api/v1/scripts") for p in anonymous["paths"])
