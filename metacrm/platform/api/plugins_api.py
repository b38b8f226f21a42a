"""Which plugins loaded and which failed, for administrators (a failed plugin never stops the app)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from .auth import require_admin

bp = Blueprint("plugins_api", __name__, url_prefix="/api/v1")


@bp.get("/plugins")
def plugins() -> Response:
    require_admin()
    manager = current_app.extensions.get("metacrm_plugins")
    reports = manager.reports if manager is not None else []
    return jsonify({"plugins": [r.to_json() for r in reports]})
