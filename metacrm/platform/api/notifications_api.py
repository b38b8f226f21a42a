"""A user's own notifications (``platform/notifications``): list, mark read, email preference.

``GET /api/v1/notifications?unread=1&limit=&before=`` (newest first, ``next_cursor``),
``POST /api/v1/notifications/<id>/read``, ``POST /api/v1/notifications/read-all``,
``GET``/``PUT /api/v1/notifications/preferences`` (``{"email": true}``). Everyone sees and changes
only their own: someone else's notification id answers 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import NotFound, Unprocessable
from ..notifications import store
from .auth import require_user
from .context import platform
from .records_api import int_arg

bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1/notifications")
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_ID = 2**63 - 1


@bp.get("")
def list_notifications() -> Response:
    user = require_user()
    unread = request.args.get("unread", "") in ("1", "true")
    page, cursor = store.listing(platform().engine, user.id, unread=unread,
                                 limit=int_arg("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT,
                                 before=int_arg("before", 1, MAX_ID))
    return jsonify({"data": page, "next_cursor": cursor,
                    "unread": store.unread_count(platform().engine, user.id)})


@bp.post("/<int:notification_id>/read")
def read_one(notification_id: int) -> Response:
    user = require_user()
    if not 0 < notification_id <= MAX_ID:
        raise NotFound(f"you have no notification #{notification_id}")
    return jsonify(store.mark_read(platform().engine, user.id, notification_id))


@bp.post("/read-all")
def read_all() -> Response:
    user = require_user()
    return jsonify({"marked": store.mark_all_read(platform().engine, user.id)})


@bp.get("/preferences")
def preferences() -> Response:
    user = require_user()
    return jsonify({"email": store.email_preference(platform().engine, user.id)})


@bp.put("/preferences")
def set_preferences() -> Response:
    user = require_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("email"), bool):
        raise Unprocessable('send {"email": true} or {"email": false}',
                            errors=[{"field": "email", "message": "must be true or false"}])
    return jsonify({"email": store.set_email_preference(platform().engine, user.id, body["email"])})
