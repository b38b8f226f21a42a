"""The OpenAPI 3.1 document, generated from the compiled schema.

Pure: compiled schema in, document out. Every object gets its own paths and
schemas (read, create, patch), so an integrator's generated client is typed
per object; the document changes the moment an admin adds a field because
it is rebuilt per metadata version.
"""

from __future__ import annotations

from typing import Any

from metacrm.metadata.compiled import CompiledField, CompiledObject, CompiledSchema

from ..records.values import SYSTEM_FIELDS
from .openapi_actions import SEARCH_PATH, action_paths

PROBLEM = {"$ref": "#/components/responses/Problem"}
ORDERED = {"integer", "decimal", "currency", "percent", "date", "datetime", "autonumber"}
TEXTUAL = {"text", "long_text", "rich_text", "email", "phone", "url", "picklist", "autonumber"}
SYSTEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "readOnly": True},
    "created_at": {"type": "string", "format": "date-time", "readOnly": True},
    "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
    "created_by": {"type": ["integer", "null"], "readOnly": True},
    "updated_by": {"type": ["integer", "null"], "readOnly": True},
    "owner": {"type": ["integer", "null"], "minimum": 1, "maximum": 2**63 - 1, "description": "id of the owning user"},
    "version": {"type": "integer", "readOnly": True, "description": "optimistic-locking version; send it back in If-Match"},
}


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"], **({"enum": [*schema["enum"], None]} if "enum" in schema else {})}
    return {"anyOf": [schema, {"type": "null"}]}


def field_schema(f: CompiledField) -> dict[str, Any]:
    d = f.definition
    schema = dict(f.field_type.value_schema(d))
    if d.label:
        schema["title"] = d.label
    if d.help_text or d.description:
        schema["description"] = d.help_text or d.description
    if f.field_type.computed:
        schema["readOnly"] = True
    if d.type == "autonumber":
        schema.setdefault("type", "string")
    return schema if d.required and not f.field_type.computed else _nullable(schema)


def object_schemas(obj: CompiledObject) -> dict[str, dict[str, Any]]:
    name = _pascal(obj.name)
    fields = {n: field_schema(f) for n, f in obj.fields.items()}
    writable = {n: s for n, s in fields.items() if not obj.fields[n].field_type.computed}
    writable["owner"] = SYSTEM_SCHEMAS["owner"]
    if obj.definition.multi_currency:
        currency = {"type": "string", "pattern": "^[A-Z]{3}$"}
        fields["currency_code"] = currency
        writable["currency_code"] = currency
    required = [n for n, f in obj.fields.items() if f.definition.required and not f.field_type.computed
                and f.definition.default is None and f.definition.type != "boolean"]
    label = obj.definition.label
    return {
        name: {"type": "object", "title": label, "properties": {**SYSTEM_SCHEMAS, **fields},
               "required": list(SYSTEM_FIELDS)},
        f"{name}Create": {"type": "object", "title": f"New {label}", "properties": writable,
                          "required": required, "additionalProperties": False},
        f"{name}Patch": {"type": "object", "title": f"Changes to a {label}",
                         "properties": {**writable, "version": {"type": "integer"}},
                         "additionalProperties": False},
        f"{name}Page": {"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "next_cursor": {"type": ["string", "null"]}, "total": {"type": "integer"},
            "groups": {"type": "array", "items": {"type": "object"}}}},
    }


def filter_parameters(obj: CompiledObject) -> list[dict[str, Any]]:
    params = []
    for f in obj.fields.values():
        if not f.columns or f.definition.type in ("polymorphic_lookup", "file", "multi_picklist"):
            continue
        kind = f.definition.type if f.definition.type not in ("formula", "rollup") else \
            (f.definition.result_type or "decimal")
        ops = ["", "__ne", "__in", "__nin", "__isnull"]
        if kind in ORDERED:
            ops += ["__gt", "__gte", "__lt", "__lte", "__between"]
        if kind in TEXTUAL:
            ops += ["__contains", "__icontains", "__startswith"]
        for op in ops:
            params.append({"name": f"{f.name}{op}", "in": "query", "required": False,
                           "schema": {"type": "string"},
                           "description": f"filter on {f.definition.label or f.name}" + (f" ({op[2:]})" if op else "")})
    return params


LIST_PARAMETERS: list[dict[str, Any]] = [
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "search the object's search fields"},
    {"name": "sort", "in": "query", "schema": {"type": "string"}, "description": "e.g. -amount,title"},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 200}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"},
    {"name": "fields", "in": "query", "schema": {"type": "string"}, "description": "comma-separated projection"},
    {"name": "count", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}},
    {"name": "or", "in": "query", "schema": {"type": "string"}, "description": "alternatives joined by |"},
]


def object_paths(obj: CompiledObject) -> dict[str, Any]:
    name, label = _pascal(obj.name), obj.definition.label
    ref = {"$ref": f"#/components/schemas/{name}"}
    base, item = f"/api/v1/records/{obj.name}", f"/api/v1/records/{obj.name}/{{id}}"
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    json_of = lambda schema: {"application/json": {"schema": schema}}  # noqa: E731
    tag = [label]
    return {
        base: {
            "get": {"operationId": f"list_{obj.name}", "summary": f"List {obj.definition.plural_label}", "tags": tag,
                    "parameters": LIST_PARAMETERS + filter_parameters(obj),
                    "responses": {"200": {"description": "a page", "content": json_of(
                        {"$ref": f"#/components/schemas/{name}Page"})}, "400": PROBLEM, "401": PROBLEM,
                        "403": PROBLEM}},
            "post": {"operationId": f"create_{obj.name}", "summary": f"Create a {label}", "tags": tag,
                     "requestBody": {"required": True, "content": json_of({"$ref": f"#/components/schemas/{name}Create"})},
                     "responses": {"201": {"description": "created", "content": json_of(ref)},
                                   "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "413": PROBLEM,
                                   "415": PROBLEM, "422": PROBLEM}},
        },
        item: {
            "parameters": [id_param],
            "get": {"operationId": f"get_{obj.name}", "summary": f"Get a {label}", "tags": tag,
                    "responses": {"200": {"description": "the record", "content": json_of(ref)},
                                  "304": {"description": "not modified"}, "401": PROBLEM, "404": PROBLEM}},
            "patch": {"operationId": f"update_{obj.name}", "summary": f"Change a {label}", "tags": tag,
                      "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string"},
                                      "description": "the ETag read, or send version in the body"}],
                      "requestBody": {"required": True, "content": json_of({"$ref": f"#/components/schemas/{name}Patch"})},
                      "responses": {"200": {"description": "changed", "content": json_of(ref)},
                                    "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM,
                                    "413": PROBLEM, "415": PROBLEM, "422": PROBLEM, "428": PROBLEM}},
            "delete": {"operationId": f"delete_{obj.name}", "summary": f"Move a {label} to the recycle bin",
                       "tags": tag, "responses": {"200": {"description": "deleted, with cascades",
                                                          "content": json_of({"type": "object"})},
                                                  "401": PROBLEM, "404": PROBLEM, "409": PROBLEM}},
        },
    }


def build_document(schema: CompiledSchema, *, title: str = "MetaCRM API") -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    list_parameters = {name: LIST_PARAMETERS + filter_parameters(obj) for name, obj in schema.objects.items()}
    for name in sorted(schema.objects):
        obj = schema.objects[name]
        paths.update(object_paths(obj))
        paths.update(action_paths(obj, schema, pascal=_pascal(name), list_parameters=list_parameters[name],
                                  child_parameters=list_parameters))
        schemas.update(object_schemas(obj))
    paths.update(SEARCH_PATH)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": f"metadata-{schema.version}",
                 "description": "Generated from the current metadata; it changes when an admin changes objects."},
        "servers": [{"url": "/"}],
        "security": [{"basic": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
            "responses": {"Problem": {"description": "RFC 9457 problem details",
                                      "content": {"application/problem+json": {
                                          "schema": {"$ref": "#/components/schemas/Problem"}}}}},
        },
    }


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"},
            "path": {"type": "string"}}}},
    },
}


_last: tuple[CompiledSchema, dict[str, Any]] | None = None


def document_for(schema: CompiledSchema) -> dict[str, Any]:
    """Built once per compiled schema: compiled schemas are immutable and shared per version."""
    global _last
    cached = _last
    if cached is not None and cached[0] is schema:
        return cached[1]
    document = build_document(schema)
    _last = (schema, document)
    return document
