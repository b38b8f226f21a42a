"""The home page of the app shell."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import login_required

bp = Blueprint("web_shell", __name__, static_folder="static", static_url_path="/ui",
               template_folder="templates")


@bp.get("/")
@login_required
def home() -> Any:
    live = current_app.extensions["metacrm"].metadata.current()
    return render_template("web/home.html", metadata_version=live.version)
