"""Serving the generated OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .context import platform
from .openapi import document_for

bp = Blueprint("openapi_api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """Public like the API's shape on any professional CRM; the data behind it needs a login."""
    live = platform().metadata.current()
    response = jsonify(document_for(live.compiled))
    response.headers["ETag"] = f'"metadata-{live.version}"'
    return response
