"""The end-user web app: server-rendered pages generated from metadata.

``init_app`` wires sessions (Flask-Login), CSRF (Flask-WTF, on every
non-API request), translations (Flask-Babel), the app shell and error pages.
The REST API under ``/api/`` authenticates with headers only, never with the
session cookie, so it needs no CSRF token and a page cannot ride on it.
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from . import account_views, api_docs_views, auth_views, errors, i18n, session, shell
from . import csv_export, kanban_views, list_views, search_views
from . import inline_views, lookup_views, record_views
from . import approval_views
from . import notification_views, workflow_run_views
from . import public_forms
from . import conversion_views
from . import dashboard_views, report_builder, report_views
from . import import_views
from . import merge_views
from .context import template_context

API_PREFIX = "/api/"


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # bound to the session instead of a clock
    csrf = CSRFProtect(app)

    @app.before_request
    def _csrf_for_pages() -> None:
        # Public forms (/f/...) carry a session-less signed token of their own (see public_guard).
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and not request.path.startswith(API_PREFIX) \
                and not request.path.startswith(public_forms.PREFIX):
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
    app.register_blueprint(approval_views.bp)  # state buttons and approval decisions on record pages
    app.register_blueprint(public_forms.bp)  # /f/<object>/<form>: anonymous web-to-lead/case
    app.register_blueprint(conversion_views.bp)  # the lead page's Convert button
    app.register_blueprint(report_builder.bp)  # /reports/new, /reports/<name>/edit (before /reports/<name>)
    app.register_blueprint(report_views.bp)  # /reports (docs/reports.md)
    app.register_blueprint(dashboard_views.bp)  # /dashboards
    app.register_blueprint(inline_views.bp)
    app.register_blueprint(lookup_views.bp)
    app.register_blueprint(api_docs_views.bp)
    app.register_blueprint(notification_views.bp)  # the bell and /notifications
    app.register_blueprint(workflow_run_views.bp)  # /admin/workflows/runs, for admins
    app.register_blueprint(import_views.bp)  # /o/<object>/import wizard and /imports/<run> (docs/import.md)
    app.register_blueprint(merge_views.bp)  # /o/<object>/<id>/merge: side by side, then one merge (docs/import.md)
    errors.init_app(app)
