"""OpenAPI paths for a record's shares, team and denies (see ``sharing_api``).

Kept in a module of its own so the record CRUD and action documents stay one
concept each; ``openapi_actions`` adds these paths for every object.
"""

from __future__ import annotations

from typing import Any

from metacrm.metadata.compiled import CompiledObject

PROBLEM = {"$ref": "#/components/responses/Problem"}
ACCESS = {"enum": ["read", "edit"], "default": "read"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
COMMON = {"id": {"type": "integer"}, "record_id": {"type": "integer"}, "created_at": {"type": ["string", "null"]},
          "created_by": {"type": ["integer", "null"]}}
#: kind → (what one entry is called, the body to add one, the entry as returned)
KINDS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "shares": ("share", {
        "type": "object", "additionalProperties": False, "description": "exactly one of user_id and role",
        "properties": {"user_id": ID, "role": {"type": "string", "minLength": 1, "maxLength": 40}, "access": ACCESS}},
        {"type": "object", "properties": {**COMMON, "user_id": {"type": ["integer", "null"]},
                                          "role": {"type": ["string", "null"]}, "access": ACCESS}}),
    "team": ("team member", {
        "type": "object", "additionalProperties": False, "required": ["user_id"],
        "properties": {"user_id": ID, "team_role": {"type": "string", "maxLength": 60}, "access": ACCESS}},
        {"type": "object", "properties": {**COMMON, "user_id": {"type": "integer"}, "team_role": {"type": "string"},
                                          "access": ACCESS}}),
    "denies": ("deny (ethical wall; admins only)", {
        "type": "object", "additionalProperties": False, "required": ["user_id"],
        "properties": {"user_id": ID, "reason": {"type": "string", "maxLength": 500}}},
        {"type": "object", "properties": {**COMMON, "user_id": {"type": "integer"}, "reason": {"type": "string"}}}),
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def sharing_paths(obj: CompiledObject, id_param: dict[str, Any]) -> dict[str, Any]:
    """GET/POST ``…/{id}/<kind>`` and DELETE ``…/{id}/<kind>/{grant_id}`` for shares, team and denies."""
    label, tag = obj.definition.label, [obj.definition.label]
    item = f"/api/v1/records/{obj.name}/{{id}}"
    grant_param = {"name": "grant_id", "in": "path", "required": True, "schema": ID}
    paths: dict[str, Any] = {}
    for kind, (noun, body, entry) in KINDS.items():
        paths[f"{item}/{kind}"] = {"parameters": [id_param], "get": {
            "operationId": f"sharing_list_{kind}_{obj.name}", "summary": f"The {kind} of a {label}", "tags": tag,
            "responses": {"200": {"description": f"every {noun}", "content": _json(
                {"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": entry}}})},
                "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}, "post": {
            "operationId": f"sharing_add_{kind}_{obj.name}", "summary": f"Add a {noun} to a {label}", "tags": tag,
            "requestBody": {"required": True, "content": _json(body)},
            "responses": {"201": {"description": "added", "content": _json(entry)}, "400": PROBLEM,
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM, "415": PROBLEM,
                          "422": PROBLEM}}}
        paths[f"{item}/{kind}/{{grant_id}}"] = {"parameters": [id_param, grant_param], "delete": {
            "operationId": f"sharing_remove_{kind}_{obj.name}", "summary": f"Remove a {noun} from a {label}",
            "tags": tag, "responses": {"204": {"description": "removed"}, "401": PROBLEM, "403": PROBLEM,
                                       "404": PROBLEM}}}
    return paths
