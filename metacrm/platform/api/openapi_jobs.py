"""OpenAPI paths of the background-job endpoints (``jobs_api``), shown to administrators only."""

from __future__ import annotations

from typing import Any

PROBLEM = {"$ref": "#/components/responses/Problem"}
STATUS = {"type": "string", "enum": ["pending", "running", "done", "failed", "cancelled"]}
TIME = {"type": ["string", "null"], "format": "date-time"}
JOB: dict[str, Any] = {"type": "object", "required": ["id", "kind", "status"], "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "payload": {}, "key": {"type": ["string", "null"]},
    "cron": {"type": ["string", "null"]}, "status": STATUS, "run_at": TIME, "attempts": {"type": "integer"},
    "max_attempts": {"type": "integer"}, "lease_until": TIME, "last_error": {"type": ["string", "null"]},
    "result": {}, "created_at": TIME, "updated_at": TIME, "finished_at": TIME}}
ID_PARAM = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
TAGS = ["Jobs"]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def job_paths() -> dict[str, Any]:
    return {
        "/api/v1/jobs": {"get": {
            "operationId": "jobs_list", "summary": "Background jobs, newest first (admins)", "tags": TAGS,
            "parameters": [
                {"name": "status", "in": "query", "schema": STATUS},
                {"name": "kind", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": {"description": "one page of jobs", "content": _json({
                "type": "object", "required": ["data"], "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}},
                    "next_cursor": {"type": ["integer", "null"]}}})},
                "401": PROBLEM, "403": PROBLEM, "422": PROBLEM}}},
        "/api/v1/jobs/{job_id}": {"parameters": [ID_PARAM], "get": {
            "operationId": "jobs_get", "summary": "One background job (admins)", "tags": TAGS,
            "responses": {"200": {"description": "the job", "content": _json({"$ref": "#/components/schemas/Job"})},
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}},
        "/api/v1/jobs/{job_id}/retry": {"parameters": [ID_PARAM], "post": {
            "operationId": "jobs_retry", "summary": "Retry a failed or cancelled job (admins)", "tags": TAGS,
            "responses": {"200": {"description": "pending again", "content": _json(
                {"$ref": "#/components/schemas/Job"})},
                "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM}}},
    }


def job_schemas() -> dict[str, Any]:
    return {"Job": JOB}
