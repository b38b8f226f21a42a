"""What one user may do with each object, as the OpenAPI document describes it.

The document is the API's shape *for the caller*: an object they may not
read is not in it, nor a field hidden from them, and a field they may not
set is not in their create or patch schema. Every answer comes from the
record hooks the platform installed (the same checks every request passes),
so the document cannot drift from what the API enforces. Views are cached
per compiled schema and (roles, admin, portal): the checks run once per
combination, not per request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from metacrm.metadata.compiled import CompiledObject, CompiledSchema

from ..errors import PlatformError
from ..records.actor import Actor
from ..records.hooks import AccessRequest, RecordHooks
from ..security import masking

MAX_CACHED = 128


@dataclass(frozen=True)
class ObjectAccess:
    """One readable object as one user sees it."""

    hidden: frozenset[str] = frozenset()
    masked: frozenset[str] = frozenset()
    unqueryable: frozenset[str] = frozenset()  # hidden, masked: not offered as filters
    not_creatable: frozenset[str] = frozenset()
    not_updatable: frozenset[str] = frozenset()
    create: bool = True
    update: bool = True
    delete: bool = True


@dataclass(frozen=True)
class ApiView:
    """The objects one caller may read (others are left out of the document) and whether they are an admin."""

    objects: Mapping[str, ObjectAccess]
    is_admin: bool = False
    signed_in: bool = True


#: The view of a caller who did not sign in: no object, no admin endpoint.
ANONYMOUS = ApiView(objects={}, is_admin=False, signed_in=False)


def _allowed(hooks: RecordHooks, request: AccessRequest) -> bool:
    try:
        hooks.check(request)
    except PlatformError:  # Forbidden, or "no such object" for those a portal user may not know of
        return False
    return True


def _writable(hooks: RecordHooks, action: str, actor: Actor, obj: CompiledObject, schema: CompiledSchema,
              skip: frozenset[str]) -> frozenset[str]:
    """The fields of ``obj`` the actor may not set in a ``create``/``update``."""
    return frozenset(name for name in obj.fields if name in skip or not _allowed(
        hooks, AccessRequest(action, actor, obj, fields=(name,), schema=schema)))


def object_access(hooks: RecordHooks, actor: Actor, schema: CompiledSchema, obj: CompiledObject
                  ) -> ObjectAccess | None:
    """The object as ``actor`` may use it, or None when it may not read it."""
    if not _allowed(hooks, AccessRequest("read", actor, obj, schema=schema)):
        return None
    hidden = hooks.hidden_fields(actor, schema, obj)
    unqueryable = hooks.unqueryable_fields(actor, schema, obj)
    masked = masking.masked_fields(actor, schema, obj) - hidden
    can = {action: _allowed(hooks, AccessRequest(action, actor, obj, schema=schema))
           for action in ("create", "update", "delete")}
    skip = hidden | masked
    return ObjectAccess(
        hidden=hidden, masked=masked, unqueryable=unqueryable,
        not_creatable=_writable(hooks, "create", actor, obj, schema, skip) if can["create"] else frozenset(obj.fields),
        not_updatable=_writable(hooks, "update", actor, obj, schema, skip) if can["update"] else frozenset(obj.fields),
        **can)


def view_for(hooks: RecordHooks, actor: Actor, schema: CompiledSchema) -> ApiView:
    objects = {}
    for name in sorted(schema.objects):
        access = object_access(hooks, actor, schema, schema.objects[name])
        if access is not None:
            objects[name] = access
    return ApiView(objects=objects, is_admin=bool(actor.is_admin))


class DocumentCache:
    """Documents of one compiled schema, per (roles, admin, portal); a new schema starts a new cache."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._schema: CompiledSchema | None = None
        self._documents: dict[Any, dict[str, Any]] = {}

    def get(self, schema: CompiledSchema, key: Any, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            if self._schema is schema and key in self._documents:
                return self._documents[key]
        document = build()  # outside the lock: building may take a while; a duplicate build is harmless
        with self._lock:
            if self._schema is not schema:
                self._schema, self._documents = schema, {}
            if len(self._documents) >= MAX_CACHED:
                self._documents.clear()
            self._documents[key] = document
        return document


def cache_key(actor: Actor | None) -> Any:
    if actor is None:
        return "anonymous"
    return (frozenset(actor.roles), bool(actor.is_admin), bool(getattr(actor, "is_portal", False)))
