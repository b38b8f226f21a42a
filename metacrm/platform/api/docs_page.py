"""A human-readable page for the OpenAPI document (Swagger UI, served locally).

The document is per caller, so the page asks the browser to sign in (HTTP
Basic: the 401 carries the challenge); the browser then sends the same
credentials when Swagger UI fetches ``openapi.json`` beside it, and the
page shows what that user may use. Without signing in there is nothing to
show: the anonymous document lists no object. Users signed in to the web app
read the same page at ``/docs/api`` (``web/api_docs_views.py``), fed by their
session instead of a Basic challenge.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template_string, url_for

from .auth import require_user

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MetaCRM API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ url_for('vendor_asset', package='swagger-ui-dist', filename='swagger-ui.css') }}">
</head><body><div id="swagger-ui"></div>
<script src="{{ url_for('vendor_asset', package='swagger-ui-dist', filename='swagger-ui-bundle.js') }}"></script>
<script src="{{ init_url }}"></script>
</body></html>"""

INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({url: %s, dom_id: "#swagger-ui", deepLinking: true});
});"""


def docs_page(init_url: str) -> str:
    return render_template_string(PAGE, init_url=init_url)


def init_script(document_url: str) -> Response:
    """The initialiser as a file, not inline, so a strict Content-Security-Policy can forbid inline scripts."""
    return Response(INIT % json.dumps(document_url), mimetype="text/javascript")


@bp.get("/docs")
def docs() -> str:
    require_user()
    return docs_page(url_for("api_docs.docs_init"))


@bp.get("/docs/init.js")
def docs_init() -> Response:
    return init_script(url_for("openapi_api.openapi_json"))
