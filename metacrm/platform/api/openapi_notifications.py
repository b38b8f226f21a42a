"""OpenAPI paths of a user's notifications (``notifications_api``) and of workflows' inbound webhooks
(``workflow_hooks_api``): the signed receiver for everyone, the secret endpoints for administrators."""

from __future__ import annotations

from typing import Any

PROBLEM = {"$ref": "#/components/responses/Problem"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}
NOTE = {"$ref": "#/components/schemas/Notification"}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def notification_schemas() -> dict[str, Any]:
    return {"Notification": {"type": "object", "required": ["id", "message"], "properties": {
        "id": {"type": "integer"}, "user_id": {"type": "integer"}, "message": {"type": "string"},
        "object": {"type": ["string", "null"]}, "record_id": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "read_at": {"type": ["string", "null"], "format": "date-time"}}}}


def notification_paths() -> dict[str, Any]:
    tag = ["Notifications"]
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": NOTE},
                                                "next_cursor": {"type": ["integer", "null"]},
                                                "unread": {"type": "integer"}}}
    pref = {"type": "object", "required": ["email"], "properties": {"email": {"type": "boolean"}}}
    return {
        "/api/v1/notifications": {"get": {
            "operationId": "list_notifications", "summary": "Your notifications, newest first", "tags": tag,
            "parameters": [{"name": "unread", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["0", "1", "true", "false"]}},
                           {"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                           {"name": "before", "in": "query", "required": False, "schema": ID}],
            "responses": {"200": _ok("notifications", listing), "401": PROBLEM, "422": PROBLEM}}},
        "/api/v1/notifications/{id}/read": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": ID}],
            "post": {"operationId": "read_notification", "summary": "Mark one of your notifications read",
                     "tags": tag, "responses": {"200": _ok("the notification", NOTE), "401": PROBLEM,
                                                "403": PROBLEM, "404": PROBLEM}}},
        "/api/v1/notifications/read-all": {"post": {
            "operationId": "read_all_notifications", "summary": "Mark all your notifications read", "tags": tag,
            "responses": {"200": _ok("how many were marked", {"type": "object", "properties": {
                "marked": {"type": "integer"}}}), "401": PROBLEM, "403": PROBLEM}}},
        "/api/v1/notifications/preferences": {
            "get": {"operationId": "get_notification_preferences", "summary": "Whether you get notifications by "
                    "email too", "tags": tag, "responses": {"200": _ok("preferences", pref), "401": PROBLEM}},
            "put": {"operationId": "set_notification_preferences", "summary": "Get notifications by email too, "
                    "or not", "tags": tag,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": pref}}},
                    "responses": {"200": _ok("preferences", pref), "401": PROBLEM, "403": PROBLEM,
                                  "422": PROBLEM}}},
    }


def hook_paths(*, admin: bool) -> dict[str, Any]:
    """The receiver is public (the signature authenticates); the secret endpoints are for admins."""
    tag = ["Workflows"]
    params = [{"name": "object", "in": "path", "required": True, "schema": NAME},
              {"name": "workflow", "in": "path", "required": True, "schema": NAME}]
    paths: dict[str, Any] = {"/api/v1/workflows/hooks/{object}/{workflow}": {"parameters": params, "post": {
        "operationId": "receive_workflow_webhook", "tags": tag, "security": [],
        "summary": "Run a webhook-triggered workflow with the JSON body as payload (signed with "
                   "X-MetaCRM-Signature and X-MetaCRM-Timestamp)",
        "parameters": [{"name": "X-MetaCRM-Signature", "in": "header", "required": True,
                        "schema": {"type": "string"}},
                       {"name": "X-MetaCRM-Timestamp", "in": "header", "required": True,
                        "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"202": _ok("the run", {"type": "object", "properties": {
            "run_id": {"type": ["integer", "null"]}, "status": {"type": "string"},
            "condition_result": {"type": ["boolean", "null"]}, "error": {"type": ["string", "null"]}}}),
            "401": PROBLEM, "404": PROBLEM, "422": PROBLEM, "429": PROBLEM}}}}
    if admin:
        secret = {"type": "object", "properties": {"secret": {"type": "string"}, "fingerprint": {"type": "string"},
                                                   "signature_header": {"type": "string"},
                                                   "timestamp_header": {"type": "string"}}}
        paths["/api/v1/workflows/hooks/{object}/{workflow}/secret"] = {"parameters": params, "post": {
            "operationId": "rotate_workflow_webhook_secret", "tags": tag,
            "summary": "Create or rotate the workflow's webhook secret; shown this once (admins only)",
            "responses": {"201": _ok("the new secret", secret), "401": PROBLEM, "403": PROBLEM, "404": PROBLEM,
                          "422": PROBLEM}}, "get": {
            "operationId": "get_workflow_webhook_secret_status", "tags": tag,
            "summary": "Whether the workflow has a secret, by fingerprint (admins only)",
            "responses": {"200": _ok("the secret's state", {"type": "object"}), "401": PROBLEM, "403": PROBLEM,
                          "404": PROBLEM}}}
    return paths
