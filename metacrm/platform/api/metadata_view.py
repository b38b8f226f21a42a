"""Metadata as a non-admin may read it: the objects their roles let them read, without hidden fields.

Object definitions name every field, so handing a user the whole metadata
would tell them the names (and help texts, picklist values …) of fields
their roles hide, which the record API takes care never to reveal. Admins
see everything; everyone else sees what the OpenAPI document shows them,
computed by the same per-caller view (``openapi_view``), and metadata
history without its diffs (which name whatever changed).
"""

from __future__ import annotations

from typing import Any

from metacrm.metadata.compiled import CompiledSchema

from ..errors import NotFound
from ..records import Actor
from ..security.users import User
from .context import platform
from .openapi_view import ApiView, view_for


def caller_view(user: User, schema: CompiledSchema) -> ApiView | None:
    """None for an admin (everything), else what the caller's roles let them read."""
    if user.is_admin:
        return None
    return view_for(platform().records.hooks, Actor.from_user(user), schema)


def object_definition(view: ApiView | None, schema: CompiledSchema, name: str) -> dict[str, Any]:
    """One object's definition for the caller; 404, worded as for a missing object, when it may not read it."""
    if name not in schema.bundle.objects or (view is not None and name not in view.objects):
        raise NotFound(f'object "{name}" does not exist')
    document = schema.bundle.objects[name].to_json()
    if view is None:
        return document
    hidden = view.objects[name].hidden
    document["fields"] = [f for f in document["fields"] if f["name"] not in hidden]
    if document.get("search_fields"):
        document["search_fields"] = [f for f in document["search_fields"] if f not in hidden]
    if document.get("name_field") in hidden:
        document.pop("name_field")
    document.pop("sharing_rules", None)  # criteria name fields, and say who sees what: an admin's business
    return document


def object_definitions(view: ApiView | None, schema: CompiledSchema) -> list[dict[str, Any]]:
    names = sorted(schema.bundle.objects) if view is None else sorted(set(view.objects) & set(schema.bundle.objects))
    return [object_definition(view, schema, name) for name in names]


def version_json(view: ApiView | None, version: Any) -> dict[str, Any]:
    """A metadata version; for non-admins without the diff, which names every field that changed."""
    document = version.to_json()
    if view is not None:
        document.pop("diff", None)
    return document
