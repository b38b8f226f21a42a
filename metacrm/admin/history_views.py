"""Metadata history: every applied version with author, reason and what it changed; restore any of them.

Restoring is a rollback *plan* (``MetadataService.plan_rollback``) shown like
any other change and applied through the same confirming POST, so a restore
is itself a new version that can be undone.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .change_flow import Change, preview, service
from .guard import admin_required

bp = Blueprint("admin_history", __name__, url_prefix="/admin/history", template_folder="templates")
PAGE = 50


@bp.get("/")
@admin_required
def index() -> str:
    limit = min(max(request.args.get("limit", PAGE, type=int), 1), 1000)
    versions = service().history(limit)
    return render_template("admin/history.html", versions=versions, head=versions[0].id if versions else 0,
                           limit=limit, more=len(versions) == limit)


@bp.get("/<int:version>/restore")
@admin_required
def restore(version: int) -> ResponseReturnValue:
    return preview(Change("rollback", str(version)), title=f"Restore metadata version {version}",
                   next_url=url_for(".index"), back_url=url_for(".index"),
                   note=f"The objects and fields become what they were in version {version}. Removed fields and "
                        "objects come back with their archived data; what was added since is archived, not deleted.")
