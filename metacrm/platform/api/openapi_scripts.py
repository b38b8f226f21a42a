"""OpenAPI paths of the API scripts and the organisation settings.

A caller's document lists only the scripts their roles may run (admins: all;
anonymous: none) and the settings endpoints only for administrators. Keyed by
the document cache's key (``openapi_view.cache_key``: roles, admin flag,
portal flag; ``"full"`` for the document built without a caller).
"""

from __future__ import annotations

from typing import Any

from metacrm.metadata.compiled import CompiledSchema

from ..logic.api_scripts import api_scripts, may_run
from ..logic.org_settings import SETTINGS_SCHEMA
from ..records.actor import Actor

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _caller(key: Any) -> Actor | None | bool:
    """None: everything (the full document); False: nothing (anonymous); else an actor with the key's roles."""
    if key == "full":
        return None
    if not isinstance(key, tuple) or len(key) < 2:
        return False
    return Actor(id=None, email="", is_admin=bool(key[1]), roles=frozenset(key[0]))


def script_paths(schema: CompiledSchema, caller: Actor | None) -> dict[str, Any]:
    paths = {}
    for name, (object_name, script) in sorted(api_scripts(schema).items()):
        if caller is not None and not may_run(script, caller):
            continue
        who = ", ".join(script.roles) if script.roles else "administrators only"
        paths[f"/api/v1/scripts/{name}"] = {"post": {
            "operationId": f"script_{name}", "tags": ["Scripts"],
            "summary": script.description or f"Run the API script {name} (defined on {object_name})",
            "description": f"Runs as the caller in one transaction (who may run it: {who}). A read-scope token "
                           "may run it, but the script's writes are refused (403).",
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": {"type": "object", "description": "the script's params"}}}},
            "responses": {"200": {"description": "the script's result", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ScriptResult"}}}},
                "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "413": PROBLEM, "415": PROBLEM,
                "422": PROBLEM, "504": PROBLEM}}}
    return paths


def settings_paths() -> dict[str, Any]:
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Settings"}}}
    doc = {"application/json": {"schema": {"$ref": "#/components/schemas/SettingsDocument"}}}
    return {"/api/v1/settings": {
        "get": {"operationId": "get_settings", "summary": "The organisation settings (admins only)",
                "tags": ["Settings"], "responses": {"200": {"description": "effective values", "content": doc},
                                                    "401": PROBLEM, "403": PROBLEM}},
        "put": {"operationId": "set_settings", "summary": "Change organisation settings (admins only; null resets)",
                "tags": ["Settings"], "requestBody": {"required": True, "content": body},
                "responses": {"200": {"description": "the settings now", "content": doc}, "400": PROBLEM,
                              "401": PROBLEM, "403": PROBLEM, "413": PROBLEM, "415": PROBLEM, "422": PROBLEM}}}}


def with_scripts(document: dict[str, Any], schema: CompiledSchema, key: Any) -> dict[str, Any]:
    """``document`` with the scripts the caller may run and, for admins, the settings endpoints."""
    caller = _caller(key)
    if caller is False:
        return document
    paths = script_paths(schema, caller)  # type: ignore[arg-type]
    admin = caller is None or caller.is_admin  # type: ignore[union-attr]
    if admin:
        paths.update(settings_paths())
        settings = {k: v for k, v in SETTINGS_SCHEMA.items() if not k.startswith("$")}
        document["components"]["schemas"]["Settings"] = settings
        document["components"]["schemas"]["SettingsDocument"] = {
            "type": "object", "required": ["settings", "stored", "defaults"], "properties": {
                "settings": {"type": "object", "description": "effective values"},
                "stored": {"type": "array", "items": {"type": "string"}, "description": "keys set here"},
                "defaults": {"type": "object", "description": "the environment's values"}}}
    if paths:
        document["paths"].update(paths)
        document["components"]["schemas"]["ScriptResult"] = {
            "type": "object", "required": ["result"], "properties": {"result": {
                "description": "what the script set as result (decimals as strings, ISO dates)"}}}
    return document
