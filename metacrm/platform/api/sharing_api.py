"""REST endpoints for a record's manual shares, team and denies.

``/api/v1/records/<object>/<id>/shares|team|denies``. Whoever may read the
record may list its shares and team; whoever may edit it (its owner, their
managers, users it is shared with for editing, admins) may add and remove
them. Denies (ethical walls) are for admins only, and an admin manages them
even on a record walled off from themselves: admin rights are not data
rights, but configuring walls is an admin's job. A record the caller may
not read answers 404, as if it did not exist.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..records import Actor
from ..records.actor import SYSTEM
from .auth import require_admin, require_user
from .bodies import json_body
from .context import platform

bp = Blueprint("sharing_api", __name__, url_prefix="/api/v1/records")
KINDS = ("shares", "team", "denies")


def _actor() -> Actor:
    return Actor.from_user(require_user())


def _guard(kind: str, object_name: str, record_id: int, *, change: bool) -> Actor:
    """Who asks, after checking they may see (and, to change, edit) the record or, for denies, are an admin."""
    if kind == "denies":
        who = Actor.from_user(require_admin())
        platform().records.require_access(SYSTEM, object_name, record_id, "read")  # 404 for a missing record
        return who
    who = _actor()
    platform().records.require_access(who, object_name, record_id, "update" if change else "read")
    return who


def _register(kind: str) -> None:
    def list_grants(object_name: str, record_id: int) -> Response:
        _guard(kind, object_name, record_id, change=False)
        grants = platform().sharing.list(kind, object_name, record_id)
        return jsonify({"data": [g.to_json() for g in grants]})

    def add_grant(object_name: str, record_id: int) -> Response:
        who = _guard(kind, object_name, record_id, change=True)
        roles = platform().schema.get().compiled.roles
        grant = platform().sharing.add(kind, object_name, record_id, json_body(what=f"the {kind} entry"),
                                       actor_id=who.id, roles=roles)
        response = jsonify(grant.to_json())
        response.status_code = 201
        return response

    def remove_grant(object_name: str, record_id: int, grant_id: int) -> Response:
        who = _guard(kind, object_name, record_id, change=True)
        platform().sharing.remove(kind, object_name, record_id, grant_id, actor_id=who.id)
        return Response(status=204)

    path = f"/<object_name>/<int:record_id>/{kind}"
    bp.add_url_rule(path, f"list_{kind}", list_grants, methods=["GET"])
    bp.add_url_rule(path, f"add_{kind}", add_grant, methods=["POST"])
    bp.add_url_rule(f"{path}/<int:grant_id>", f"remove_{kind}", remove_grant, methods=["DELETE"])


for _kind in KINDS:
    _register(_kind)
