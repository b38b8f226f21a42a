"""Serving the generated OpenAPI document: per caller.

Signed in, a caller gets the document of what their roles let them use
(see ``openapi_view``); anonymous, a valid document without any object, so
neither object nor field names are given to someone who has not signed in.
Wrong credentials are a 401 like everywhere else, never a quiet downgrade.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..records import Actor
from .auth import current_user, require_user
from .context import platform
from .openapi import document_for
from .openapi_view import ANONYMOUS, cache_key, view_for

bp = Blueprint("openapi_api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    if request.authorization is None and current_user() is None:
        live = platform().metadata.current()
        return _respond(document_for(live.compiled, "anonymous", lambda: ANONYMOUS), live.version)
    return document_response(Actor.from_user(require_user()))


def document_response(who: Actor) -> Response:
    """The document of what ``who`` may use (also served to web sessions by the docs page)."""
    live = platform().metadata.current()
    hooks = platform().records.hooks
    return _respond(document_for(live.compiled, cache_key(who), lambda: view_for(hooks, who, live.compiled)),
                    live.version)


def _respond(document: dict[str, Any], version: int) -> Response:
    response = jsonify(document)
    response.headers["ETag"] = f'"metadata-{version}"'
    response.headers["Vary"] = "Authorization"  # one URL, a document per caller: shared caches must not mix them
    response.headers["Cache-Control"] = "private, no-cache"
    return response
