"""OpenAPI paths beyond plain CRUD: bulk, recycle bin, restore, purge, history, related lists, search.

Kept apart from ``openapi`` so each module stays one concept: that one
describes an object's record shape and CRUD, this one the actions around it.
"""

from __future__ import annotations

from typing import Any

from metacrm.metadata.compiled import CompiledObject, CompiledSchema

from .openapi_sharing import sharing_paths

PROBLEM = {"$ref": "#/components/responses/Problem"}
ROW_ERRORS = {"type": "array", "items": {"type": "object", "properties": {
    "index": {"type": "integer"}, "id": {}, "status": {"type": "integer"}, "detail": {"type": "string"},
    "errors": {"type": "array", "items": {"type": "object"}}}}}
HISTORY_PAGE = {"type": "object", "required": ["data", "next_cursor"], "properties": {
    "data": {"type": "array", "items": {"type": "object", "required": [
        "id", "operation", "version", "actor_id", "at", "changes"], "properties": {
        "id": {"type": "integer"}, "operation": {"enum": ["create", "update", "delete", "restore", "purge"]},
        "version": {"type": ["integer", "null"]}, "actor_id": {"type": ["integer", "null"]},
        "at": {"type": "string", "format": "date-time"},
        "changes": {"type": "object", "description": "field → [old, new], values as JSON",
                    "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}}}}},
    "next_cursor": {"type": ["string", "null"], "description": "pass as ?before= for older entries"}}}
HISTORY_PARAMETERS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 1},
     "description": "the next_cursor of the previous page"}]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def action_paths(obj: CompiledObject, schema: CompiledSchema, *, pascal: str,
                 list_parameters: list[dict[str, Any]], child_parameters: dict[str, list[dict[str, Any]]],
                 ) -> dict[str, Any]:
    label, tag = obj.definition.label, [obj.definition.label]
    base, item = f"/api/v1/records/{obj.name}", f"/api/v1/records/{obj.name}/{{id}}"
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    update_item = {"allOf": [_ref(f"{pascal}Patch")], "properties": {"id": {"type": "integer", "minimum": 1}},
                   "required": ["id"]}
    bulk_body = {"type": "object", "properties": {
        "create": {"type": "array", "minItems": 1, "maxItems": 1000, "items": _ref(f"{pascal}Create")},
        "update": {"type": "array", "minItems": 1, "maxItems": 1000, "items": update_item},
        "mode": {"enum": ["all_or_nothing", "partial"]}}}
    bulk_result = {"type": "object", "required": ["data", "errors"], "properties": {
        "data": {"type": "array", "items": _ref(pascal)}, "errors": ROW_ERRORS}}
    paths: dict[str, Any] = {
        f"{base}/bulk": {"post": {
            "operationId": f"bulk_{obj.name}", "summary": f"Create or change many {obj.definition.plural_label}",
            "tags": tag, "requestBody": {"required": True, "content": _json(bulk_body)},
            "responses": {"200": {"description": "changed (partial mode: with the refused rows)",
                                  "content": _json(bulk_result)},
                          "201": {"description": "all created", "content": _json(bulk_result)},
                          "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM,
                          "413": PROBLEM, "415": PROBLEM, "422": PROBLEM}}},
        f"{base}/recycle-bin": {"get": {
            "operationId": f"recycle_bin_{obj.name}", "summary": f"Deleted {obj.definition.plural_label}",
            "tags": tag, "parameters": list_parameters,
            "responses": {"200": {"description": "a page", "content": _json(_ref(f"{pascal}Page"))},
                          "400": PROBLEM, "401": PROBLEM, "403": PROBLEM}}},
        f"{item}/restore": {"parameters": [id_param], "post": {
            "operationId": f"restore_{obj.name}", "summary": f"Restore a deleted {label}", "tags": tag,
            "responses": {"200": {"description": "restored", "content": _json(_ref(pascal))},
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM}}},
        f"{item}/purge": {"parameters": [id_param], "post": {
            "operationId": f"purge_{obj.name}", "summary": f"Remove a deleted {label} for good", "tags": tag,
            "responses": {"200": {"description": "ids removed per object", "content": _json(
                {"type": "object", "properties": {"purged": {"type": "object"}}})},
                "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM}}},
        f"{item}/history": {"parameters": [id_param], "get": {
            "operationId": f"history_{obj.name}", "summary": f"Field history of a {label}, newest first",
            "tags": tag, "parameters": HISTORY_PARAMETERS,
            "responses": {"200": {"description": "a page of changes", "content": _json(HISTORY_PAGE)},
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "422": PROBLEM}}},
    }
    for child in sorted({c.object for c in obj.children}):
        child_pascal = "".join(p.capitalize() for p in child.split("_"))
        paths[f"{item}/related/{child}"] = {"parameters": [id_param], "get": {
            "operationId": f"related_{obj.name}_{child}",
            "summary": f"{schema.objects[child].definition.plural_label} of a {label}", "tags": tag,
            "parameters": [{"name": "via", "in": "query", "schema": {"type": "string"},
                            "description": "the lookup field, when several point here"}, *child_parameters[child]],
            "responses": {"200": {"description": "a page", "content": _json(_ref(f"{child_pascal}Page"))},
                          "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}}
    paths.update(sharing_paths(obj, id_param))  # shares, team and denies of one record
    return paths


SEARCH_PATH: dict[str, Any] = {"/api/v1/search": {"get": {
    "operationId": "search", "summary": "Search every searchable object", "tags": ["Search"],
    "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1}}],
    "responses": {"200": {"description": "matches", "content": _json({"type": "object", "properties": {
        "data": {"type": "array", "items": {"type": "object", "required": ["object", "id", "title"], "properties": {
            "object": {"type": "string"}, "label": {"type": "string"}, "id": {"type": "integer"},
            "title": {"type": "string"}, "record": {"type": "object"}}}}}})},
        "400": PROBLEM, "401": PROBLEM, "422": PROBLEM}}}}
