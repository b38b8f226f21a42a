"""Saving a public form's submission: one record, through the record service, as the form's own actor.

The actor is made per form (``web-form:lead/web_to_lead``) and is no user and
no admin: nobody can sign in as it and no token names it. It carries the
platform's trust (``is_system``) because an anonymous visitor has no role to
check, so what it may do is bounded here instead: it only ever creates one
record of the form's object, with the form's fields (what the generated form
accepted) plus the form's defaults and owner — never an update, a read or
another object. Validation, before-save logic, audit and workflows run as for
every write, in one transaction, together with the form-submission workflow
trigger when the workflow engine offers it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.public_forms import PublicFormDef

from ..records.actor import Actor
from ..storage.platform_tables import user
from ..workflows.record_actions import ActionFailed, next_in_turn

log = logging.getLogger("metacrm.public_forms")


def form_actor(object_name: str, form_name: str) -> Actor:
    """The actor a form's records are created by (``created_by`` stays empty: no user made them)."""
    return Actor(id=None, email=f"web-form:{object_name}/{form_name}", is_admin=False, is_system=True)


@dataclass(frozen=True)
class _Named:
    name: str


@dataclass(frozen=True)
class _Turn:
    """What the workflow engine's round-robin needs to know about the assignment it serves."""

    conn: Connection
    obj: _Named
    workflow: _Named
    index: int = 0


def owner_for(conn: Connection, obj: CompiledObject, form: PublicFormDef) -> int | None:
    """The form's owner: a fixed active user, or the next active user of a role in turn (None: unassigned)."""
    if form.owner_user is not None:
        active = conn.execute(sa.select(user.c.id).where(user.c.id == form.owner_user,
                                                         user.c.is_active.is_(True))).scalar()
        if active is None:
            log.warning("public form %s/%s: owner %s is not an active user; the record is unassigned",
                        obj.name, form.name, form.owner_user)
        return active
    if form.owner_role is not None:
        try:  # the same turn-keeping as the assign_owner workflow action, keyed by this form
            return next_in_turn(_Turn(conn, _Named(obj.name), _Named(f"public_form:{form.name}")),  # type: ignore[arg-type]
                                form.owner_role)
        except ActionFailed as exc:
            log.warning("public form %s/%s: %s; the record is unassigned", obj.name, form.name, exc)
    return None


def submit(platform: Any, obj: CompiledObject, form: PublicFormDef, values: Mapping[str, Any]) -> dict[str, Any]:
    """Create the record (raises the service's RecordInvalid with field errors); the form's defaults win."""
    actor = form_actor(obj.name, form.name)
    data = {**values, **form.defaults}
    with platform.records.write() as conn:
        owner = owner_for(conn, obj, form)
        if owner is not None:
            data["owner"] = owner
        record = platform.records.create_in(conn, actor, obj.name, data)
        if platform.workflows is not None:  # workflows triggered by {"type": "form_submitted", "form": ...}
            platform.workflows.form_submitted(conn, obj.name, record["id"], form.name, actor)
    return record
