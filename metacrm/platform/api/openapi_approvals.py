"""OpenAPI paths of the approval endpoints (``approvals_api``), for every signed-in user."""

from __future__ import annotations

from typing import Any

from ..workflows.approvals import STATUSES

PROBLEM = {"$ref": "#/components/responses/Problem"}
TAG = ["Approvals"]
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}
TEXT = {"type": ["string", "null"]}


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _body(*keys: str) -> dict[str, Any]:
    props = {k: {"type": "string", "maxLength": 4000} for k in keys}
    return {"required": False, "content": {"application/json": {"schema": {"type": "object", "properties": props}}}}


def approval_schemas() -> dict[str, Any]:
    approver = {"type": "object", "properties": {
        "user_id": {"type": "integer"}, "email": {"type": "string"}, "name": TEXT,
        "decision": {"type": ["string", "null"], "enum": ["approved", "rejected", None]}, "comment": TEXT,
        "decided_at": {"type": ["string", "null"], "format": "date-time"}}}
    event = {"type": "object", "properties": {
        "action": {"type": "string"}, "step": {"type": ["integer", "null"]}, "actor_id": {"type": ["integer", "null"]},
        "actor": TEXT, "comment": TEXT, "at": {"type": "string", "format": "date-time"}}}
    step = {"type": "object", "properties": {"name": {"type": "string"}, "label": {"type": "string"},
                                             "mode": {"enum": ["any", "all"]},
                                             "approvers": {"type": "array", "items": approver}}}
    return {
        "ApprovalRequest": {"type": "object", "required": ["id", "object", "record_id", "process", "status"],
                            "properties": {
                                "id": {"type": "integer"}, "object": {"type": "string"},
                                "record_id": {"type": "integer"}, "process": {"type": "string"},
                                "process_label": {"type": "string"}, "status": {"enum": list(STATUSES)},
                                "step": {"type": "integer"}, "step_name": TEXT, "locks": {"type": "boolean"},
                                "submitted_by": {"type": ["integer", "null"]},
                                "submitted_at": {"type": "string", "format": "date-time"},
                                "decided_at": {"type": ["string", "null"], "format": "date-time"},
                                "steps": {"type": "array", "items": step},
                                "events": {"type": "array", "items": event}}},
        "ApprovalRequestList": {"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/ApprovalRequest"}}}},
    }


def approval_paths() -> dict[str, Any]:
    record = [{"name": "object", "in": "path", "required": True, "schema": NAME},
              {"name": "id", "in": "path", "required": True, "schema": ID}]
    paths: dict[str, Any] = {
        "/api/v1/approvals/{object}/{id}/submit": {"parameters": record, "post": {
            "operationId": "submit_for_approval", "tags": TAG, "requestBody": _body("process", "comment"),
            "summary": "Submit a record you may edit to one of its approval processes (it locks while pending)",
            "responses": {"201": {"description": "the request", "content": _json("ApprovalRequest")},
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM, "422": PROBLEM}}},
        "/api/v1/approvals/{object}/{id}": {"parameters": record, "get": {
            "operationId": "list_record_approvals", "tags": TAG,
            "summary": "A record's approval requests, newest first, with approvers and every decision",
            "responses": {"200": {"description": "requests", "content": _json("ApprovalRequestList")},
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}},
        "/api/v1/approvals/pending": {"get": {
            "operationId": "list_my_pending_approvals", "tags": TAG,
            "summary": "Requests whose current step awaits your decision",
            "responses": {"200": {"description": "requests", "content": _json("ApprovalRequestList")},
                          "401": PROBLEM}}},
    }
    for verb, summary in (("approve", "Approve the current step (an approver of it)"),
                          ("reject", "Reject the request, with a comment (an approver of the current step)"),
                          ("recall", "Take the request back (its submitter); the record unlocks")):
        paths[f"/api/v1/approvals/requests/{{id}}/{verb}"] = {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": ID}],
            "post": {"operationId": f"{verb}_approval_request", "tags": TAG, "summary": summary,
                     "requestBody": _body("comment"),
                     "responses": {"200": {"description": "the request", "content": _json("ApprovalRequest")},
                                   "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM, "422": PROBLEM}}}
    return paths
