"""OpenAPI paths of conversions (``conversions_api``): one per conversion an object defines, its
options spelt per target key, so a pack's Deal or Matter shows up as ``deal_id``/``deal_name``."""

from __future__ import annotations

from typing import Any, Iterable

from metacrm.metadata.compiled import CompiledSchema

PROBLEM = {"$ref": "#/components/responses/Problem"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
OUTCOME = {"type": "object", "properties": {
    "object": {"type": "string"}, "id": {"type": ["integer", "null"]}, "created": {"type": "boolean"},
    "skipped": {"type": "boolean"}}}
RESULT = {"type": "object", "required": ["object", "id", "conversion", "targets"], "properties": {
    "object": {"type": "string"}, "id": {"type": "integer"}, "conversion": {"type": "string"},
    "status": {"type": ["string", "null"]},
    "targets": {"type": "object", "additionalProperties": OUTCOME},
    "reparented": {"type": "object", "additionalProperties": {"type": "integer"},
                   "description": "records moved to the new records, per object"}}}


def conversion_paths(schema: CompiledSchema, names: Iterable[str]) -> dict[str, Any]:
    """Paths for the conversions of the objects in ``names`` (those the caller may use)."""
    paths: dict[str, Any] = {}
    for name in names:
        obj = schema.objects.get(name)
        for conv in getattr(obj.definition, "conversions", ()) if obj is not None else ():
            options: dict[str, Any] = {
                "converted_status": {"type": "string", "description": f"default: {conv.converted_status}"},
                "owner_id": {**ID, "description": "the owner of every record created"}}
            for t in conv.targets:
                options[f"{t.key}_id"] = {"oneOf": [ID, {"const": "new"}], "description":
                                          f"use this {t.object} instead of matching; \"new\": create one even "
                                          "when a match exists"}
                options[f"{t.key}_name"] = {"type": "string", "description": f"the new {t.object}'s name"}
                if t.optional:
                    options[f"do_not_create_{t.key}"] = {"type": "boolean"}
            paths[f"/api/v1/records/{name}/{{id}}/convert/{conv.name}"] = {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": ID}],
                "post": {"operationId": f"convert_{name}_{conv.name}", "tags": [obj.definition.plural_label],
                         "summary": f"{conv.label}: into {', '.join(t.object for t in conv.targets)}",
                         "description": conv.description or None,
                         "requestBody": {"required": False, "content": {"application/json": {"schema": {
                             "type": "object", "additionalProperties": False, "properties": options}}}},
                         "responses": {"200": {"description": "the records created or reused",
                                               "content": {"application/json": {"schema": RESULT}}},
                                       "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "422": PROBLEM}}}
            if not conv.description:
                del paths[f"/api/v1/records/{name}/{{id}}/convert/{conv.name}"]["post"]["description"]
    return paths
