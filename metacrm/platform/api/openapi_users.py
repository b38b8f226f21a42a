"""OpenAPI paths of the users and roles endpoints (``users_api``), shown to administrators only."""

from __future__ import annotations

from typing import Any, Iterable

from ..security.role_names import assignable

PROBLEM = {"$ref": "#/components/responses/Problem"}
USERS_TAG = ["Users"]


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def user_schemas(defined_roles: Iterable[str]) -> dict[str, Any]:
    """``RoleName`` lists the names an admin may assign now: the metadata's roles and ``admin``."""
    return {
        "RoleName": {"type": "string", "enum": assignable(defined_roles),
                     "description": "a role the metadata defines, or admin (the administrator flag)"},
        "User": {"type": "object", "required": ["id", "email", "name", "is_active", "is_admin", "roles"],
                 "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
                                "is_active": {"type": "boolean"}, "is_admin": {"type": "boolean"},
                                "is_portal": {"type": "boolean"},
                                "roles": {"type": "array", "items": {"type": "string"}}}},
        "UserList": {"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}},
        "UserRoles": {"type": "object", "required": ["user_id", "roles"], "properties": {
            "user_id": {"type": "integer"},
            "roles": {"type": "array", "items": {"type": "string"},
                      "description": "admin first when the user is an administrator"}}},
        "UserRolesChange": {"type": "object", "required": ["roles"], "additionalProperties": False, "properties": {
            "roles": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/RoleName"},
                      "description": "the user's roles after the change; leaving admin out takes it away"}}},
    }


def user_paths() -> dict[str, Any]:
    id_param = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}}
    return {
        "/api/v1/users": {"get": {
            "operationId": "list_users", "summary": "Every user with their roles (admins only)", "tags": USERS_TAG,
            "responses": {"200": {"description": "users, by email", "content": _json("UserList")},
                          "401": PROBLEM, "403": PROBLEM}}},
        "/api/v1/users/{id}/roles": {
            "parameters": [id_param],
            "get": {"operationId": "get_user_roles", "summary": "A user's roles (admins only)", "tags": USERS_TAG,
                    "responses": {"200": {"description": "the roles", "content": _json("UserRoles")},
                                  "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}},
            "put": {"operationId": "set_user_roles", "summary": "Replace a user's roles (admins only; logged)",
                    "tags": USERS_TAG, "requestBody": {"required": True, "content": _json("UserRolesChange")},
                    "responses": {"200": {"description": "the roles now", "content": _json("UserRoles")},
                                  "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM,
                                  "409": PROBLEM, "413": PROBLEM, "415": PROBLEM, "422": PROBLEM}}},
    }
