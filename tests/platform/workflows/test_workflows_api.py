"""The run log over REST (admins only), a manual workflow's button, and their OpenAPI description."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_PASSWORD, basic_auth, fld, make_object

RUNS = "/api/v1/workflows/runs"
BUTTON = {"name": "escalate", "label": "Escalate", "trigger": {"type": "manual", "label": "Escalate"},
          "condition": "priority != 'high'",
          "actions": [{"type": "set_field", "fields": {"priority": "high"}}]}


def setup(client: Any, headers: dict[str, str]) -> int:
    doc = make_object("ticket", fld("title"), fld("priority"), workflows=[
        BUTTON, {"name": "stamp", "trigger": {"type": "created"},
                 "actions": [{"type": "set_field", "fields": {"priority": "normal"}}]}])
    assert client.put("/api/v1/metadata/objects/ticket?confirm=1", json=doc, headers=headers).status_code in (200, 201)
    created = client.post("/api/v1/records/ticket", json={"title": "Printer"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_admins_browse_runs_and_open_one(client: Any, admin_headers: dict[str, str]) -> None:
    ticket = setup(client, admin_headers)
    page = client.get(f"{RUNS}?object=ticket&workflow=stamp&status=succeeded", headers=admin_headers).get_json()
    [run] = page["data"]
    assert (run["record_id"], run["trigger"], run["status"]) == (ticket, "record.created", "succeeded")
    one = client.get(f"{RUNS}/{run['id']}", headers=admin_headers).get_json()
    assert one["actions"][0]["type"] == "set_field" and one["actions"][0]["status"] == "succeeded"
    assert client.get(f"{RUNS}/999999", headers=admin_headers).status_code == 404
    assert client.get(f"{RUNS}/{2**64}", headers=admin_headers).status_code == 404
    assert client.get(f"{RUNS}?status=weird", headers=admin_headers).status_code == 422


def test_the_run_log_is_for_admins_only(app: Any, client: Any, admin_headers: dict[str, str]) -> None:
    setup(client, admin_headers)
    app.extensions["metacrm"].users.create("pat@example.com", ADMIN_PASSWORD)
    assert client.get(RUNS, headers=basic_auth("pat@example.com", ADMIN_PASSWORD)).status_code == 403


def test_a_manual_workflow_runs_from_its_button(client: Any, admin_headers: dict[str, str]) -> None:
    ticket = setup(client, admin_headers)
    pressed = client.post(f"/api/v1/workflows/ticket/{ticket}/run/escalate", headers=admin_headers)
    assert pressed.status_code == 200 and pressed.get_json()["status"] == "succeeded"
    record = client.get(f"/api/v1/records/ticket/{ticket}", headers=admin_headers).get_json()
    assert record["priority"] == "high"
    again = client.post(f"/api/v1/workflows/ticket/{ticket}/run/escalate", headers=admin_headers).get_json()
    assert (again["status"], again["condition_result"]) == ("skipped", False)
    assert client.post(f"/api/v1/workflows/ticket/{ticket}/run/stamp", headers=admin_headers).status_code == 404


def test_the_openapi_document_describes_the_workflow_endpoints(client: Any, admin_headers: dict[str, str]) -> None:
    doc = client.get("/api/v1/openapi.json", headers=admin_headers).get_json()
    assert {"/api/v1/workflows/runs", "/api/v1/workflows/runs/{id}",
            "/api/v1/workflows/{object}/{id}/run/{workflow}"} <= set(doc["paths"])
    assert "WorkflowRun" in doc["components"]["schemas"]
