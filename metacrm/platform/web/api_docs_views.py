"""The API documentation for people signed in to the web app.

``/api/v1/docs`` authenticates like the rest of the API (HTTP Basic or a
token), so a user who signed in with the login form would be asked for their
password again by the browser. This page shows the same Swagger UI fed by the
session: the document is the one of the signed-in user's roles. It is a GET
of a description only, so reading it by cookie changes nothing the API
guards (the API itself still never accepts the session).
"""

from __future__ import annotations

from flask import Blueprint, Response, url_for
from flask_login import login_required

from ..api.docs_page import docs_page, init_script
from ..api.openapi_api import document_response
from .session import current_actor

bp = Blueprint("web_api_docs", __name__, url_prefix="/docs/api")


@bp.get("/")
@login_required
def docs() -> str:
    return docs_page(url_for("web_api_docs.init"))


@bp.get("/init.js")
@login_required
def init() -> Response:
    return init_script(url_for("web_api_docs.document"))


@bp.get("/openapi.json")
@login_required
def document() -> Response:
    response = document_response(current_actor())
    response.headers["Vary"] = "Cookie"
    return response
