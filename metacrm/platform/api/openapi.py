"""The OpenAPI 3.1 document, generated from the compiled schema.

Pure: compiled schema (and the caller's view of it) in, document out. Every
object gets its own paths and schemas (read, create, patch), so an
integrator's generated client is typed per object; the document changes the
moment an admin adds a field because it is rebuilt per metadata version.
Given an :class:`~.openapi_view.ApiView` it describes only what that caller
may use: unreadable objects, hidden fields and forbidden operations are left
out, masked fields are plain strings, and fields the caller may not set are
not in its create or patch schemas.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from metacrm.metadata.compiled import CompiledField, CompiledObject, CompiledSchema

from ..records.values import SYSTEM_FIELDS
from ..security.masking import MASK, shape
from .openapi_actions import SEARCH_PATH, action_paths
from .openapi_jobs import job_paths, job_schemas
from .openapi_scripts import with_scripts
from .openapi_files import download_paths, file_schemas, upload_path
from .openapi_users import user_paths, user_schemas
from .openapi_workflows import workflow_paths, workflow_schemas
from .openapi_notifications import hook_paths, notification_paths, notification_schemas
from .openapi_approvals import approval_paths, approval_schemas
from .openapi_conversions import conversion_paths
from .openapi_duplicates import duplicate_paths
from .openapi_data import export_paths, privacy_paths
from .openapi_reports import report_paths, report_schemas
from .openapi_view import ApiView, DocumentCache, ObjectAccess

FULL = ObjectAccess()  # the access of an admin, or of a document built without a caller

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


def masked_schema(f: CompiledField) -> dict[str, Any]:
    """A field the caller sees masked: whatever its type, a string such as "•••• 1234" (or null)."""
    first, last = shape(f.definition)
    shows = " and ".join(part for part in (f"the first {first}" if first else "",
                                           f"the last {last}" if last else "") if part)
    return {"type": ["string", "null"], "title": f.definition.label or f.name, "readOnly": True,
            "description": f"Masked for you: {MASK}" + (f" with at most {shows} characters" if shows else "")}


def object_schemas(obj: CompiledObject, access: ObjectAccess = FULL) -> dict[str, dict[str, Any]]:
    name = _pascal(obj.name)
    fields = {n: masked_schema(f) if n in access.masked else field_schema(f)
              for n, f in obj.fields.items() if n not in access.hidden}
    settable = {n: s for n, s in fields.items() if not obj.fields[n].field_type.computed}
    writable = {n: s for n, s in settable.items() if n not in access.not_creatable}
    changeable = {n: s for n, s in settable.items() if n not in access.not_updatable}
    writable["owner"] = changeable["owner"] = SYSTEM_SCHEMAS["owner"]
    if obj.definition.multi_currency:
        currency = {"type": "string", "pattern": "^[A-Z]{3}$"}
        fields["currency_code"] = writable["currency_code"] = changeable["currency_code"] = currency
    required = [n for n, f in obj.fields.items() if f.definition.required and not f.field_type.computed
                and f.definition.default is None and f.definition.type != "boolean" and n in writable]
    label = obj.definition.label
    return {
        name: {"type": "object", "title": label, "properties": {**SYSTEM_SCHEMAS, **fields},
               "required": list(SYSTEM_FIELDS)},
        f"{name}Create": {"type": "object", "title": f"New {label}", "properties": writable,
                          "required": required, "additionalProperties": False},
        f"{name}Patch": {"type": "object", "title": f"Changes to a {label}",
                         "properties": {**changeable, "version": {"type": "integer"}},
                         "additionalProperties": False},
        f"{name}Page": {"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "next_cursor": {"type": ["string", "null"]}, "total": {"type": "integer"},
            "groups": {"type": "array", "items": {"type": "object"}}}},
    }


def filter_parameters(obj: CompiledObject, unqueryable: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    params = []
    for f in obj.fields.values():
        if f.name in unqueryable or not f.columns or f.definition.type in ("polymorphic_lookup", "file",
                                                                             "multi_picklist"):
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


def object_paths(obj: CompiledObject, list_parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    name, label = _pascal(obj.name), obj.definition.label
    ref = {"$ref": f"#/components/schemas/{name}"}
    base, item = f"/api/v1/records/{obj.name}", f"/api/v1/records/{obj.name}/{{id}}"
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    json_of = lambda schema: {"application/json": {"schema": schema}}  # noqa: E731
    tag = [label]
    return {
        base: {
            "get": {"operationId": f"list_{obj.name}", "summary": f"List {obj.definition.plural_label}", "tags": tag,
                    "parameters": list_parameters if list_parameters is not None else
                    LIST_PARAMETERS + filter_parameters(obj),
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


#: Which operations (by operationId prefix) each object permission allows; reading allows the rest.
NEEDS = {"create_": "create", "update_": "update", "delete_": "delete", "restore_": "delete", "purge_": "delete",
         "recycle_bin_": "delete"}


def _prune(paths: dict[str, Any], access: ObjectAccess) -> dict[str, Any]:
    """The paths without the operations the caller's roles do not allow (bulk needs create or update)."""
    kept: dict[str, Any] = {}
    for path, item in paths.items():
        ops = {}
        for method, op in item.items():
            op_id = op.get("operationId", "") if isinstance(op, dict) else ""
            need = next((p for prefix, p in NEEDS.items() if op_id.startswith(prefix)), None)
            allowed = (access.create or access.update) if op_id.startswith("bulk_") else \
                (need is None or getattr(access, need))
            if method == "parameters" or allowed:
                ops[method] = op
        if set(ops) - {"parameters"}:
            kept[path] = ops
    return kept


def build_document(schema: CompiledSchema, *, title: str = "MetaCRM API", view: ApiView | None = None
                   ) -> dict[str, Any]:
    """The document for ``view``'s caller; without a view, every object and operation (as for an admin)."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    names = sorted(schema.objects) if view is None else [n for n in sorted(view.objects) if n in schema.objects]
    access = {name: FULL if view is None else view.objects[name] for name in names}
    list_parameters = {name: LIST_PARAMETERS + filter_parameters(schema.objects[name], access[name].unqueryable)
                       for name in names}
    for name in names:
        obj = schema.objects[name]
        obj = replace(obj, children=tuple(c for c in obj.children if c.object in access))
        object_paths_ = {**object_paths(obj, list_parameters[name]), **action_paths(obj, schema, pascal=_pascal(name),
                                                             list_parameters=list_parameters[name],
                                                             child_parameters=list_parameters)}
        paths.update(object_paths_ if access[name] is FULL else _prune(object_paths_, access[name]))
        schemas.update(object_schemas(obj, access[name]))
    paths.update(SEARCH_PATH)
    paths.update(conversion_paths(schema, names))  # lead conversion (docs/api.md)
    paths.update(duplicate_paths(schema, access))  # probable duplicates and merge (docs/api.md)
    paths.update(export_paths(names, schema))  # whole-object exports (docs/data.md)
    if view is None or view.is_admin:
        paths.update(privacy_paths(names, schema))  # legal holds and personal-data tools (docs/data.md)
    if view is None or view.signed_in:  # files_api: uploads, and downloads of the visible file fields
        paths.update({**download_paths(schema, access), **upload_path()})
        schemas.update(file_schemas())
    if view is None or view.signed_in:  # manual workflows' buttons, and the run log for admins
        paths.update(workflow_paths(admin=view is None or view.is_admin))
        schemas.update(workflow_schemas())
        paths.update({**notification_paths(), **hook_paths(admin=view is None or view.is_admin)})
        schemas.update(notification_schemas())
        paths.update(approval_paths())  # approvals: submit, decide, recall, my queue
        schemas.update(approval_schemas())
        paths.update(report_paths())  # reports and dashboards (docs/reports.md)
        schemas.update(report_schemas())
    if view is None or view.is_admin:
        paths.update(user_paths())
        schemas.update(user_schemas(schema.roles))
        paths.update(job_paths())
        schemas.update(job_schemas())
    description = "Generated from the current metadata; it changes when an admin changes objects."
    if view is not None and not view.signed_in:
        description += " Sign in (HTTP Basic or an API token) to see the objects you may use."
    elif view is not None:
        description += " It shows what you may use: the objects, fields and operations your roles allow."
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": f"metadata-{schema.version}", "description": description},
        "servers": [{"url": "/"}],
        "security": [{"basic": []}, {"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                "bearer": {"type": "http", "scheme": "bearer",
                                           "description": "an API token: metacrm token create"}},
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


_documents = DocumentCache()


def document_for(schema: CompiledSchema, key: Any = "full",
                 view: Callable[[], ApiView | None] | None = None) -> dict[str, Any]:
    """Built once per compiled schema and ``key`` (the caller's roles: ``openapi_view.cache_key``), with
    ``view`` called only on a miss. Compiled schemas are immutable and shared per version, so a new
    version starts a fresh cache."""
    return _documents.get(schema, key, lambda: with_scripts(build_document(schema, view=view() if view else None),
                                                            schema, key))  # API scripts, settings (openapi_scripts)
