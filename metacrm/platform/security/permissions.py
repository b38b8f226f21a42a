"""Object and field permissions from the roles defined in metadata.

Installed by default in :class:`~metacrm.platform.runtime.Platform` as an
``authorize`` hook and a ``redact`` step of the record service, so forms, the
REST API, imports and workflows obey the same rules.

* Admins (``is_admin``, the implicit built-in ``admin`` role) and the SYSTEM
  actor pass every check.
* Everyone else needs a role granting the action on the object: ``read`` for
  get/list/related/search, ``create``, ``update``, and ``delete`` (which also
  covers restore and purge). Secure by default: no such role, no access.
* A field ``read_only`` or ``hidden`` in every role that grants the write may
  not be set; a field ``hidden`` in every role that grants ``read`` is left
  out of every record handed back (visible if ANY role leaves it visible).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from metacrm.metadata.compiled import CompiledObject, CompiledSchema
from metacrm.metadata.definitions import RoleDef

from ..errors import Forbidden
from ..records.actor import Actor
from ..records.hooks import AccessRequest

#: The role permission each record action needs.
PERMISSION_OF = {"read": "read", "create": "create", "update": "update", "delete": "delete",
                 "restore": "delete", "purge": "delete"}
VERB = {"read": "read", "create": "create", "update": "edit", "delete": "delete"}


def privileged(actor: Actor) -> bool:
    return bool(actor.is_admin or actor.is_system)


def actor_roles(actor: Actor, schema: CompiledSchema | None) -> list[RoleDef]:
    """The actor's roles that metadata defines (a role name without a definition grants nothing)."""
    if schema is None:
        return []
    return [schema.roles[name] for name in sorted(actor.roles) if name in schema.roles]


def _who(actor: Actor) -> str:
    if actor.roles:
        return f"your roles ({', '.join(sorted(actor.roles))})"
    return "you have no role that lets you; without one you"


def authorize(request: AccessRequest) -> None:
    """The ``authorize`` hook: raise Forbidden unless a role of the actor allows the request."""
    actor = request.actor
    if privileged(actor):
        return
    obj = request.obj
    permission = PERMISSION_OF.get(request.action, request.action)
    granting = [r for r in actor_roles(actor, request.schema) if r.grants(obj.name, permission)]
    label = obj.definition.label
    if not granting:
        raise Forbidden(f"{_who(actor)} may not {VERB.get(permission, permission)} {label} records; ask an admin "
                        f"for a role with {permission} permission on {obj.name}",
                        object=obj.name, action=request.action, permission=permission)
    if request.action in ("create", "update") and request.fields:
        blocked = [name for name in dict.fromkeys(request.fields)
                   if name in obj.fields and all(r.field_access(obj.name, name) for r in granting)]
        if blocked:
            names = ", ".join(blocked)
            raise Forbidden(f"{_who(actor)} may not set {names} on {label} records (read-only for you); "
                            "leave it out or ask an admin", object=obj.name, action=request.action,
                            fields=blocked)


def hidden_fields(actor: Actor, schema: CompiledSchema | None, obj: CompiledObject) -> frozenset[str]:
    """Fields hidden from the actor: hidden in every role that lets it read the object."""
    if privileged(actor):
        return frozenset()
    roles = actor_roles(actor, schema)
    readers = [r for r in roles if r.grants(obj.name, "read")] or roles
    if not readers:
        return frozenset()
    return frozenset(name for name in obj.fields
                     if all(r.field_access(obj.name, name) == "hidden" for r in readers))


def redact(actor: Actor, schema: CompiledSchema | None, obj: CompiledObject,
           records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``redact`` step: the records without the fields hidden from the actor."""
    hidden = hidden_fields(actor, schema, obj)
    if not hidden:
        return [dict(r) for r in records]
    return [{k: v for k, v in r.items() if k not in hidden} for r in records]
