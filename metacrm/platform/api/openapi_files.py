"""OpenAPI paths of the file endpoints (``files_api``): the upload, and one download path per object with files.

A download path is listed only for objects the caller may read and only names the
file fields they can see (hidden fields are left out, like everywhere else).
"""

from __future__ import annotations

from typing import Any, Mapping

from metacrm.metadata.compiled import CompiledSchema

from .openapi_view import ObjectAccess

PROBLEM = {"$ref": "#/components/responses/Problem"}
FILES_TAG = ["Files"]


def file_schemas() -> dict[str, Any]:
    return {"FileReference": {
        "type": "object", "required": ["key", "name", "size", "content_type"],
        "description": "what a file field stores: send it (or just its key) as the field's value to attach the file",
        "properties": {"key": {"type": "string"}, "name": {"type": "string", "description": "the cleaned file name"},
                       "size": {"type": "integer", "description": "bytes"},
                       "content_type": {"type": "string", "description": "sniffed from the bytes"}}}}


def upload_path() -> dict[str, Any]:
    return {"/api/v1/files": {"post": {
        "operationId": "upload_file", "tags": FILES_TAG,
        "summary": "Upload a file (write token); save the returned reference in a file field to attach it",
        "description": "Limit: METACRM_MAX_UPLOAD_MB (default 10 MB). The type is sniffed from the content and must "
                       "match the name's extension. Uploads no record saves within a day are pruned.",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}},
        "responses": {"201": {"description": "stored", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/FileReference"}}}},
            "401": PROBLEM, "403": PROBLEM, "413": PROBLEM, "422": PROBLEM}}}}


def download_paths(schema: CompiledSchema, access: Mapping[str, ObjectAccess]) -> dict[str, Any]:
    """``GET /api/v1/records/<object>/{id}/files/{field}`` for each readable object with visible file fields."""
    paths: dict[str, Any] = {}
    for name, seen in access.items():
        obj = schema.objects.get(name)
        fields = [f for f, c in (obj.fields.items() if obj else ()) if c.definition.type == "file"
                  and f not in seen.hidden]
        if not fields:
            continue
        paths[f"/api/v1/records/{name}/{{id}}/files/{{field}}"] = {"get": {
            "operationId": f"download_{name}_file", "tags": FILES_TAG,
            "summary": f"Download a {obj.definition.label}'s file"  # type: ignore[union-attr]
                       " (attachment; inline only for PNG, JPEG, GIF and WebP images)",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                {"name": "field", "in": "path", "required": True, "schema": {"type": "string", "enum": fields}}],
            "responses": {"200": {"description": "the file's bytes, with Content-Disposition and nosniff",
                                  "content": {"application/octet-stream": {}}},
                          "304": {"description": "not modified (ETag is the SHA-256)"},
                          "401": PROBLEM, "404": PROBLEM}}}
    return paths
