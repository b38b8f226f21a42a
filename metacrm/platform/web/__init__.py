"""The end-user web app: server-rendered pages generated from metadata.

``init_app`` wires sessions (Flask-Login), CSRF (Flask-WTF, on every
non-API request), translations (Flask-Babel), the app shell and error pages.
The REST API under ``/api/`` authenticates with headers only, never with the
session cookie, so it needs no CSRF token and a page cannot ride on it.
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from . import account_views, auth_views, errors, i18n, session, shell
from . import csv_export, kanban_views, list_views, search_views
from . import inline_views, lookup_views, record_views
from .context import template_context

API_PREFIX = "/api/"


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # bound to the session instead of a clock
    csrf = CSRFProtect(app)

    @app.before_request
    def _csrf_for_pages() -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and not request.path.startswith(API_PREFIX):
            csrf.protect()

    session.init_app(app)
    i18n.init_app(app)
    app.context_processor(template_context)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(shell.bp)
    app.register_blueprint(list_views.bp)
    app.register_blueprint(csv_export.bp)
    app.register_blueprint(kanban_views.bp)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(record_views.bp)
    app.register_blueprint(inline_views.bp)
    app.register_blueprint(lookup_views.bp)
    errors.init_app(app)
