"""OpenAPI paths of ``duplicates_api``, for objects that declare duplicate rules: a record's probable
duplicates, and the merge of a duplicate into it (when the caller may update and delete).

The merge endpoint answers for any object, but is documented with the duplicate tools it belongs
to: an object without rules keeps the record operations it always had (a generated client, and the
API fuzz tests, see one set of record paths per plain object)."""

from __future__ import annotations

from typing import Any, Mapping

from metacrm.metadata.compiled import CompiledSchema

PROBLEM = {"$ref": "#/components/responses/Problem"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
MATCH = {"type": "object", "required": ["rule", "id", "title"], "properties": {
    "rule": {"type": "string", "description": "the duplicate rule that matched"},
    "match": {"enum": ["exact", "fuzzy"]}, "action": {"enum": ["warn", "block"]},
    "fields": {"type": "array", "items": {"type": "string"}},
    "id": {"type": "integer"}, "title": {"type": "string"}}}
MATCHES = {"type": "object", "required": ["matches"], "properties": {
    "object": {"type": "string"}, "id": {"type": "integer"},
    "matches": {"type": "array", "items": MATCH, "description": "at most 10 per rule, records you may read"}}}
MERGE_BODY = {"type": "object", "required": ["duplicate_id"], "properties": {
    "duplicate_id": {**ID, "description": "the record merged into this one, then moved to the recycle bin"},
    "fields": {"type": "object", "additionalProperties": {"enum": ["master", "duplicate"]},
               "description": "per field, whose value the merged record keeps (default: master)"}}}


def duplicate_paths(schema: CompiledSchema, access: Mapping[str, Any]) -> dict[str, Any]:
    """Paths for the objects in ``access`` (those the caller may read, with what it may do on them)."""
    paths: dict[str, Any] = {}
    for name, allowed in access.items():
        obj = schema.objects.get(name)
        if obj is None or not obj.definition.duplicate_rules:
            continue
        tags = [obj.definition.plural_label]
        parameters = [{"name": "id", "in": "path", "required": True, "schema": ID}]
        paths[f"/api/v1/records/{name}/{{id}}/duplicates"] = {"parameters": parameters, "get": {
            "operationId": f"duplicates_{name}", "tags": tags,
            "summary": f"Probable duplicates of a {obj.definition.label} (its duplicate rules)",
            "responses": {"200": {"description": "the matching records",
                                  "content": {"application/json": {"schema": MATCHES}}},
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}}
        if getattr(allowed, "update", True) and getattr(allowed, "delete", True):
            paths[f"/api/v1/records/{name}/{{id}}/merge"] = {"parameters": parameters, "post": {
                "operationId": f"merge_{name}", "tags": tags,
                "summary": f"Merge another {obj.definition.label} into this one",
                "description": "One transaction: this record takes the chosen values, every reference to the "
                               "duplicate is moved here, and the duplicate goes to the recycle bin.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": MERGE_BODY}}},
                "responses": {"200": {"description": "the merged record, with a `merge` summary",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM, "422": PROBLEM}}}
    return paths
