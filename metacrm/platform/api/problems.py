"""RFC 9457 problem details for every error the API returns.

Handlers are registered for the whole app but answer in problem+json only
for API paths (and for clients asking for JSON); the web UI renders its own
error pages.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import PlatformError, Unauthorized

log = logging.getLogger(__name__)
PROBLEM_TYPE = "urn:metacrm:problem:{}"
#: RFC 9110 §15.5.2: a 401 must carry a challenge saying how to authenticate (here: either way).
BASIC_CHALLENGE = 'Basic realm="MetaCRM", charset="UTF-8"'
BEARER_CHALLENGE = 'Bearer realm="MetaCRM"'


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    body = {"type": PROBLEM_TYPE.format(slug), "title": title, "status": status, "detail": detail,
            "instance": request.path, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def wants_problem_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    @app.errorhandler(PlatformError)
    def _platform_error(exc: PlatformError) -> Response:
        if exc.status >= 500:
            log.error("%s: %s", exc.title, exc.detail)
        response = problem(exc.status, exc.title, exc.detail, exc.type_slug, **exc.extra)
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = f"{BASIC_CHALLENGE}, {BEARER_CHALLENGE}"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not wants_problem_json():
            return exc
        slug = (exc.name or "error").lower().replace(" ", "-")
        response = problem(exc.code or 500, exc.name or "Error", exc.description or "", slug)
        # Keep the headers the status requires, such as Allow on a 405 (RFC 9110 §15.5.6).
        for header, value in exc.get_headers():
            if header.lower() != "content-type":
                response.headers[header] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_problem_json():
            return "Internal server error", 500
        return problem(500, "Internal server error", "An unexpected error occurred; it has been logged.",
                       "internal-error")
