"""REST access to users and their roles, for administrators only.

Roles are the keys to every record, so only an admin may read the user list
or change who holds what; each change goes through the user service, which
checks role names against the metadata and writes the security log.
A user's roles are one list here, ``admin`` included (it is the
administrator flag): GET it, change it, PUT it back.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from metacrm.metadata.definitions import ADMIN_ROLE

from ..errors import NotFound, Unprocessable
from ..security.users import User
from .auth import require_admin
from .bodies import json_body
from .context import platform

bp = Blueprint("users_api", __name__, url_prefix="/api/v1/users")


def role_list(u: User) -> list[str]:
    """The user's roles as the API shows them: ``admin`` first when the user is an administrator."""
    return ([ADMIN_ROLE] if u.is_admin else []) + sorted(u.roles - {ADMIN_ROLE})


def user_json(u: User) -> dict[str, Any]:
    return {"id": u.id, "email": u.email, "name": u.name, "is_active": u.is_active, "is_admin": u.is_admin,
            "is_portal": u.is_portal, "roles": role_list(u)}


def _user(user_id: int) -> User:
    found = platform().users.get(user_id) if 0 < user_id < 2**63 else None  # ids are 64-bit
    if found is None:
        raise NotFound(f"there is no user with id {user_id}")
    return found


@bp.get("")
def list_users() -> Response:
    """Every user, active or not, ordered by email."""
    require_admin("list users")
    return jsonify({"data": [user_json(u) for u in platform().users.list()]})


@bp.get("/<int:user_id>/roles")
def get_roles(user_id: int) -> Response:
    require_admin("read other users' roles")
    return jsonify({"user_id": user_id, "roles": role_list(_user(user_id))})


@bp.put("/<int:user_id>/roles")
def put_roles(user_id: int) -> Response:
    """``{"roles": [...]}`` replaces the user's roles; leaving ``admin`` out takes the admin flag away."""
    admin = require_admin("change roles")
    body = json_body(what="the roles")
    roles = body.get("roles")
    extra = sorted(k for k in body if k != "roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles) or extra:
        raise Unprocessable('Send {"roles": ["role", ...]}', errors=[{
            "path": "roles" if not extra else extra[0],
            "message": "must be a list of role names" if not extra else "is not a property of this body"}])
    _user(user_id)  # 404 before any role check
    platform().users.set_roles(user_id, roles, actor_id=admin.id, admin=False)
    return jsonify({"user_id": user_id, "roles": role_list(_user(user_id))})
