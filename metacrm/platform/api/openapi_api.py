"""Serving the generated OpenAPI document: per caller.

Signed in, a caller gets the document of what their roles let them use
(see ``openapi_view``); anonymous, a valid document without any object, so
neither object nor field names are given to someone who has not signed in.
Wrong credentials are a 401 like everywhere else, never a quiet downgrade.
"""

from __future__ import annotations

from flask import Response, Blueprint, jsonify, request

from ..records import Actor
from .auth import current_user, require_user
from .context import platform
from .openapi import document_for
from .openapi_view import ANONYMOUS, cache_key, view_for

bp = Blueprint("openapi_api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    live = platform().metadata.current()
    if request.authorization is None and current_user() is None:
        document = document_for(live.compiled, "anonymous", lambda: ANONYMOUS)
    else:
        who = Actor.from_user(require_user())
        hooks = platform().records.hooks
        document = document_for(live.compiled, cache_key(who), lambda: view_for(hooks, who, live.compiled))
    response = jsonify(document)
    response.headers["ETag"] = f'"metadata-{live.version}"'
    response.headers["Vary"] = "Authorization"  # one URL, a document per caller: shared caches must not mix them
    response.headers["Cache-Control"] = "private, no-cache"
    return response
