"""The bell in the app shell and the user's notifications page (``platform/notifications``).

The bell is a fragment the shell loads with htmx on page load and every 60 s
(``/notifications/bell``), so pages render without counting anything. Opening
a notification marks it read and goes to its record; everyone sees only theirs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..notifications import store

bp = Blueprint("web_notifications", __name__, url_prefix="/notifications")
PAGE = 50
BELL_CAP = 99


def _engine() -> Any:
    return current_app.extensions["metacrm"].engine


@bp.get("/bell")
@login_required
def bell() -> Any:
    return render_template("web/notifications/_bell.html",
                           unread=store.unread_count(_engine(), current_user.user.id, cap=BELL_CAP), cap=BELL_CAP)


@bp.get("")
@login_required
def page() -> Any:
    before = request.args.get("before", type=int)
    unread_only = request.args.get("unread") == "1"
    items, cursor = store.listing(_engine(), current_user.user.id, unread=unread_only, limit=PAGE, before=before)
    return render_template("web/notifications/list.html", items=items, next_cursor=cursor, unread_only=unread_only)


@bp.post("/<int:notification_id>/open")
@login_required
def open_one(notification_id: int) -> Any:
    """Mark it read and go to its record (or back to the list when it links nowhere)."""
    note = store.mark_read(_engine(), current_user.user.id, notification_id)
    if note["object"] and note["record_id"]:
        return redirect(f"/o/{note['object']}/{note['record_id']}")
    return redirect(url_for("web_notifications.page"))


@bp.post("/read-all")
@login_required
def read_all() -> Any:
    store.mark_all_read(_engine(), current_user.user.id)
    return redirect(url_for("web_notifications.page"))
