"""An API endpoint added by the plugin: the rating scale, for integrators building their own UI."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from metacrm.platform.api.auth import require_user

from .field_type import MAX, stars

bp = Blueprint("rating_plugin", __name__, url_prefix="/api/v1/rating")


@bp.get("/scale")
def scale() -> Response:
    require_user()
    return jsonify({"scale": [{"value": n, "label": stars(n)} for n in range(1, MAX + 1)]})
