"""OpenAPI paths of data out and privacy: ``exports_api`` (a whole object, streamed) and ``privacy_api``
(legal holds, and a person's data export and erasure), so integrators find them in the same document.

Exports are listed for every object the caller may read (the export applies their permissions);
legal holds and the personal-data tools for admins (the privacy officer role may call the latter too,
but the document is per admin / non-admin, like the users and jobs endpoints).
"""

from __future__ import annotations

from typing import Any, Iterable

from metacrm.metadata.compiled import CompiledSchema

PROBLEM = {"$ref": "#/components/responses/Problem"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMAT = {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "default": "json"},
          "description": "json (one JSON record per line), csv, xlsx, or a format a plugin registered; "
                         "the list query language's filters apply too (e.g. `status=open`)"}
HOLD = {"type": "object", "required": ["object", "record_id"], "properties": {
    "object": {"type": "string"}, "record_id": {"type": "integer"}, "reason": {"type": "string"},
    "set_by": {"type": ["integer", "null"]}, "set_at": {"type": ["string", "null"], "format": "date-time"}}}
HOLD_STATE = {"type": "object", "required": ["held"], "properties": {
    "held": {"type": "boolean"}, "legal_hold": {"oneOf": [HOLD, {"type": "null"}]},
    "cleared": {"type": "boolean", "description": "on DELETE: whether a hold was there to clear"}}}
REASON = {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 500}}}


def export_paths(names: Iterable[str], schema: CompiledSchema) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name in names:
        label = schema.objects[name].definition.plural_label
        paths[f"/api/v1/records/{name}/export"] = {"get": {
            "operationId": f"export_{name}", "tags": [label], "summary": f"Export {label} (streamed)",
            "parameters": [FORMAT],
            "responses": {"200": {"description": "the records you may read, hidden fields left out", "content": {
                "application/x-ndjson": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}}}},
                "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "422": PROBLEM}}}
    return paths


def privacy_paths(names: Iterable[str], schema: CompiledSchema) -> dict[str, Any]:
    """Legal holds on every object, and the personal-data tools on objects flagged ``personal_data``."""
    paths: dict[str, Any] = {}
    for name in names:
        obj = schema.objects[name].definition
        tags = [obj.plural_label]
        record = [{"name": "id", "in": "path", "required": True, "schema": ID}]
        state = {"200": {"description": "the hold", "content": {"application/json": {"schema": HOLD_STATE}}},
                 "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}
        paths[f"/api/v1/records/{name}/{{id}}/legal-hold"] = {
            "parameters": record,
            "get": {"operationId": f"legal_hold_{name}", "tags": tags, "summary": "Whether the record is on legal hold",
                    "responses": state},
            "post": {"operationId": f"set_legal_hold_{name}", "tags": tags,
                     "summary": "Place a legal hold (no delete or purge until cleared)",
                     "requestBody": {"required": False, "content": {"application/json": {"schema": REASON}}},
                     "responses": state},
            "delete": {"operationId": f"clear_legal_hold_{name}", "tags": tags, "summary": "Clear the legal hold",
                       "responses": state}}
        if not obj.personal_data:
            continue
        paths[f"/api/v1/privacy/{name}/{{id}}/export"] = {"parameters": record, "get": {
            "operationId": f"privacy_export_{name}", "tags": tags,
            "summary": f"Everything held about a {obj.label.lower()} (a data-subject access request)",
            "parameters": [{"name": "format", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["json", "zip"]}}],
            "responses": {"200": {"description": "the record, related records, history, access log and files",
                                  "content": {"application/json": {"schema": {"type": "object"}},
                                              "application/zip": {"schema": {"type": "string", "format": "binary"}}}},
                          "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "422": PROBLEM}}}
        paths[f"/api/v1/privacy/{name}/{{id}}/erase"] = {"parameters": record, "post": {
            "operationId": f"privacy_erase_{name}", "tags": tags,
            "summary": f"Anonymise a {obj.label.lower()}, keeping aggregate history",
            "requestBody": {"required": False, "content": {"application/json": {"schema": REASON}}},
            "responses": {"200": {"description": "what was erased", "content": {"application/json": {
                "schema": {"type": "object", "required": ["object", "id"], "properties": {
                    "object": {"type": "string"}, "id": {"type": "integer"},
                    "erased_fields": {"type": "array", "items": {"type": "string"}}}}}}},
                "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "409": PROBLEM, "422": PROBLEM}}}
    return paths
