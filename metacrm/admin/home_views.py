"""The builder's front page: where each kind of setup lives."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .guard import admin_required

bp = Blueprint("admin_home", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/")
@admin_required
def home() -> str:
    objects = current_app.extensions["metacrm"].metadata.current().compiled.bundle.objects
    return render_template("admin/home.html", objects=sorted((o.label, o.name) for o in objects.values()))
