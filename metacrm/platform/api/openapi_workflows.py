"""OpenAPI paths of the workflow endpoints (``workflows_api``): the run log for administrators, and
the button that runs a manual workflow on one record."""

from __future__ import annotations

from typing import Any

from ..workflows.run_log import STATUSES

PROBLEM = {"$ref": "#/components/responses/Problem"}
TAG = ["Workflows"]
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def workflow_schemas() -> dict[str, Any]:
    action = {"type": "object", "properties": {
        "index": {"type": "integer"}, "type": {"type": "string"}, "status": {"type": "string"},
        "duration_ms": {"type": "number"}, "error": {"type": "string"}, "detail": {"type": "object"}}}
    return {
        "WorkflowRun": {"type": "object", "required": ["id", "object", "workflow", "trigger", "status", "actions"],
                        "properties": {
                            "id": {"type": "integer"}, "object": {"type": "string"}, "workflow": {"type": "string"},
                            "record_id": {"type": ["integer", "null"]}, "trigger": {"type": "string"},
                            "status": {"type": "string", "enum": list(STATUSES)},
                            "condition_result": {"type": ["boolean", "null"]}, "depth": {"type": "integer"},
                            "actions": {"type": "array", "items": action}, "error": {"type": ["string", "null"]},
                            "actor_id": {"type": ["integer", "null"]},
                            "started_at": {"type": "string", "format": "date-time"},
                            "finished_at": {"type": ["string", "null"], "format": "date-time"}}},
        "WorkflowRunList": {"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/WorkflowRun"}},
            "next_cursor": {"type": ["integer", "null"]}}},
        "WorkflowButtonRun": {"type": "object", "properties": {
            "workflow": {"type": "string"}, "status": {"type": "string"},
            "condition_result": {"type": ["boolean", "null"]}, "actions": {"type": "array", "items": action},
            "error": {"type": ["string", "null"]}}},
    }


def workflow_paths(*, admin: bool) -> dict[str, Any]:
    """The button is for every signed-in user; the run log only for administrators."""
    paths: dict[str, Any] = {
        "/api/v1/workflows/{object}/{id}/run/{workflow}": {
            "parameters": [{"name": "object", "in": "path", "required": True, "schema": NAME},
                           {"name": "id", "in": "path", "required": True, "schema": ID},
                           {"name": "workflow", "in": "path", "required": True, "schema": NAME}],
            "post": {"operationId": "run_manual_workflow", "tags": TAG,
                     "summary": "Run a manual workflow (a button) on one record you may edit",
                     "responses": {"200": {"description": "the run", "content": _json("WorkflowButtonRun")},
                                   "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "422": PROBLEM}}},
    }
    if not admin:
        return paths
    filters = [{"name": n, "in": "query", "required": False, "schema": s} for n, s in (
        ("object", {"type": "string"}), ("workflow", {"type": "string"}),
        ("status", {"type": "string", "enum": list(STATUSES)}), ("record_id", ID),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 200}), ("before", ID))]
    paths["/api/v1/workflows/runs"] = {"get": {
        "operationId": "list_workflow_runs", "summary": "Workflow runs, newest first (admins only)", "tags": TAG,
        "parameters": filters,
        "responses": {"200": {"description": "runs", "content": _json("WorkflowRunList")},
                      "401": PROBLEM, "403": PROBLEM, "422": PROBLEM}}}
    paths["/api/v1/workflows/runs/{id}"] = {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": ID}],
        "get": {"operationId": "get_workflow_run", "summary": "One workflow run with each action's outcome "
                "(admins only)", "tags": TAG,
                "responses": {"200": {"description": "the run", "content": _json("WorkflowRun")},
                              "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}}
    return paths
