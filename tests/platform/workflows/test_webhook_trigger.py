"""Inbound webhooks: a signed POST runs a workflow with its JSON body as ``payload``
(docs/workflows.md, "Inbound webhooks")."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.workflows import inbound
from metacrm.platform.workflows.hook_tables import workflow_hook_secret
from tests.conftest import basic_auth, fld, make_object

from .conftest import runs

SIGNUP = {"name": "signup", "label": "Web sign-up", "trigger": {"type": "webhook"},
          "condition": "payload.email != 'ignore@example.com'",
          "actions": [{"type": "create_record", "object": "lead",
                       "fields": {"name": "=payload.name", "email": "=payload.email"}}]}
URL = "/api/v1/workflows/hooks/lead/signup"


@pytest.fixture
def hook_app(app: Any) -> Any:
    bundle = {"objects": [make_object("lead", fld("name", required=True), fld("email"),
                                      workflows=[SIGNUP, {**SIGNUP, "name": "from_env", "trigger": {
                                          "type": "webhook", "secret_env": "SIGNUP"}}])]}
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(bundle), author="test", confirm=True)
    return app


def signed(secret: str, body: dict[str, Any], *, at: int | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    stamp = str(at if at is not None else int(time.time()))
    return raw, {inbound.TIMESTAMP_HEADER: stamp, inbound.SIGNATURE_HEADER: inbound.sign(secret, stamp, raw),
                 "Content-Type": "application/json"}


def new_secret(client: Any, headers: dict[str, str]) -> str:
    response = client.post(f"{URL}/secret", headers=headers)
    assert response.status_code == 201
    return response.get_json()["secret"]


def test_a_signed_call_runs_the_workflow_with_the_body_as_payload(hook_app: Any, admin_headers: dict[str, str]) -> None:
    client = hook_app.test_client()
    secret = new_secret(client, admin_headers)
    raw, headers = signed(secret, {"name": "Ada", "email": "ada@example.com"})
    response = client.post(URL, data=raw, headers=headers)
    assert response.status_code == 202, response.get_json()
    platform = hook_app.extensions["metacrm"]
    [run] = runs(platform, workflow="signup")
    assert response.get_json()["run_id"] == run["id"]
    assert (run["trigger"], run["status"], run["record_id"]) == ("webhook", "succeeded", None)
    leads = client.get("/api/v1/records/lead", headers=admin_headers).get_json()["data"]
    assert [(lead["name"], lead["email"]) for lead in leads] == [("Ada", "ada@example.com")]


def test_the_secret_is_shown_once_and_never_stored(hook_app: Any, admin_headers: dict[str, str]) -> None:
    client = hook_app.test_client()
    secret = new_secret(client, admin_headers)
    status = client.get(f"{URL}/secret", headers=admin_headers).get_json()
    assert status["configured"] is True and "secret" not in status
    assert status["fingerprint"] == inbound.fingerprint(secret)
    with hook_app.extensions["metacrm"].engine.connect() as conn:
        stored = [dict(r._mapping) for r in conn.execute(sa.select(workflow_hook_secret))]
    assert secret not in json.dumps(stored, default=str)
    assert secret not in json.dumps(hook_app.extensions["metacrm"].metadata.export())
    rotated = new_secret(client, admin_headers)
    raw, headers = signed(secret, {"name": "Old", "email": "old@example.com"})
    assert client.post(URL, data=raw, headers=headers).status_code == 401  # the old secret stopped working
    raw, headers = signed(rotated, {"name": "New", "email": "new@example.com"})
    assert client.post(URL, data=raw, headers=headers).status_code == 202


def test_bad_signatures_and_replays_are_refused(hook_app: Any, admin_headers: dict[str, str]) -> None:
    client = hook_app.test_client()
    secret = new_secret(client, admin_headers)
    raw, headers = signed(secret, {"name": "Eve", "email": "eve@example.com"})
    tampered = client.post(URL, data=raw.replace(b"Eve", b"Mallory"), headers=headers)
    assert tampered.status_code == 401 and tampered.mimetype == "application/problem+json"
    assert "signature does not match" in tampered.get_json()["detail"]
    raw, headers = signed(secret, {"name": "Eve", "email": "eve@example.com"}, at=int(time.time()) - 600)
    assert "minutes from now" in client.post(URL, data=raw, headers=headers).get_json()["detail"]
    assert client.post(URL, data=raw, headers={"Content-Type": "application/json"}).status_code == 401
    assert runs(hook_app.extensions["metacrm"]) == []


def test_secrets_are_for_admins_and_unknown_hooks_are_not_found(hook_app: Any, admin_headers: dict[str, str]) -> None:
    client = hook_app.test_client()
    hook_app.extensions["metacrm"].users.create("pat@example.com", "a long enough passphrase")
    assert client.post(f"{URL}/secret", headers=basic_auth("pat@example.com", "a long enough passphrase")
                       ).status_code == 403
    assert client.post("/api/v1/workflows/hooks/lead/nope/secret", headers=admin_headers).status_code == 404
    assert client.post("/api/v1/workflows/hooks/lead/nope", data=b"{}").status_code == 404


def test_a_secret_from_the_environment(hook_app: Any, admin_headers: dict[str, str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    client = hook_app.test_client()
    url = "/api/v1/workflows/hooks/lead/from_env"
    assert client.post(f"{url}/secret", headers=admin_headers).status_code == 422
    monkeypatch.setenv("METACRM_WEBHOOK_SECRET_SIGNUP", "shared-with-the-erp")
    assert client.get(f"{url}/secret", headers=admin_headers).get_json()["configured"] is True
    raw, headers = signed("shared-with-the-erp", {"name": "Env", "email": "env@example.com"})
    assert client.post(url, data=raw, headers=headers).status_code == 202


def test_bodies_must_be_json_objects_and_calls_are_rate_limited(hook_app: Any, admin_headers: dict[str, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    client = hook_app.test_client()
    secret = new_secret(client, admin_headers)
    raw, headers = signed(secret, [1, 2])  # type: ignore[arg-type]
    assert client.post(URL, data=raw, headers=headers).status_code == 422
    monkeypatch.setattr(inbound, "MAX_PER_MINUTE", 2)
    statuses = []
    for n in range(3):
        raw, headers = signed(secret, {"name": f"N{n}", "email": f"n{n}@example.com"})
        statuses.append(client.post(URL, data=raw, headers=headers).status_code)
    assert statuses == [202, 202, 429]


def test_a_false_condition_runs_nothing(hook_app: Any, admin_headers: dict[str, str]) -> None:
    client = hook_app.test_client()
    raw, headers = signed(new_secret(client, admin_headers), {"name": "X", "email": "ignore@example.com"})
    response = client.post(URL, data=raw, headers=headers)
    assert response.status_code == 202 and response.get_json()["run_id"] is None
