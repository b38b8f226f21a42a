"""Friendly error pages for the web app; API paths keep RFC 9457 problem details.

The app-wide handlers from :mod:`metacrm.platform.api.problems` are wrapped:
a request for a page gets a page saying what happened and what to do.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..api import problems
from ..errors import PlatformError

log = logging.getLogger(__name__)


def _page(status: int, title: str, detail: str) -> Any:
    return render_template("web/error.html", status=status, title=title, detail=detail), status


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something in the request was wrong"), _("Go back and try again.")),
        401: (_("Please sign in"), _("Your session ended; sign in again.")),
        403: (_("You don't have access to this"), _("Ask an administrator if you need it.")),
        404: (_("We can't find that page"), _("It may have been deleted, or the link is wrong.")),
        405: (_("That action is not available here"), _("Go back and try again.")),
        409: (_("Someone else changed this meanwhile"), _("Reload the page to see the latest version.")),
        413: (_("That upload is too large"), _("Try a smaller file.")),
        500: (_("Something went wrong on our side"), _("It has been logged. Try again in a moment.")),
    }


def init_app(app: Flask) -> None:
    api_platform = app.error_handler_spec[None][None].get(PlatformError)
    api_http = app.error_handler_spec[None][None].get(HTTPException)
    api_unexpected = app.error_handler_spec[None][None].get(Exception)

    @app.errorhandler(PlatformError)
    def _platform_error(exc: PlatformError) -> Any:
        if problems.wants_problem_json():
            return api_platform(exc)
        title = _titles().get(exc.status, _titles()[400])[0]
        return _page(exc.status, title, exc.detail)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if problems.wants_problem_json() or (exc.code or 500) < 400:
            return api_http(exc)
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            return _page(400, _("This form has expired"), _("Reload the page and send it again."))
        title, detail = _titles().get(exc.code or 500, (exc.name, exc.description or ""))
        return _page(exc.code or 500, title, detail)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if problems.wants_problem_json():
            return api_unexpected(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        title, detail = _titles()[500]
        return _page(500, title, detail)
