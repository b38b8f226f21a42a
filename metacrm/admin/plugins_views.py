"""The plugins page: which plugins loaded, what each adds, and why a failed one did not.

A plugin that fails to import or set up never stops the app (docs/plugins.md);
it is logged at start-up and listed here with its error, so an administrator
sees it without reading server logs. MetaCRM's own features that use the
plugin interface are listed too, marked built-in.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .guard import admin_required

bp = Blueprint("admin_plugins", __name__, url_prefix="/admin/plugins", template_folder="templates")


@bp.get("/")
@admin_required
def index() -> str:
    manager = current_app.extensions.get("metacrm_plugins")
    reports = list(manager.reports) if manager is not None else []
    # Failed plugins first: they are what an administrator came to see.
    reports.sort(key=lambda r: (r.status != "failed", not r.builtin, r.name))
    return render_template("admin/plugins.html", reports=reports,
                           failed=sum(1 for r in reports if r.status == "failed"))
