"""The builder's own scripts (layout editor, list view editor) under /admin/assets/, and the Setup
page's object picker, which opens an object's layout, list view or rule editor."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, url_for

from .guard import admin_required

bp = Blueprint("admin_assets", __name__, url_prefix="/admin/assets", static_folder="static",
               static_url_path="/")
EDITORS = {"layouts": "admin_layouts.index", "views": "admin_views.index", "rules": "admin_rules.index"}


@bp.get("/pick")
@admin_required
def pick() -> Any:
    """``?object=deal&editor=layouts`` → that object's editor (a plain GET form, no script needed)."""
    endpoint = EDITORS.get(request.args.get("editor", ""))
    name = request.args.get("object", "")
    if endpoint is None or not name:
        abort(404)
    return redirect(url_for(endpoint, object_name=name))
