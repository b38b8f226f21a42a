"""Users and their roles: assign roles and deactivate accounts through the users service.

The service checks role names against the current metadata (a typo is
refused with a "did you mean"), keeps the last active administrator, and
writes every grant, revoke and deactivation to the security log with the
admin as actor — the page only collects the choice.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from metacrm.metadata.definitions import ADMIN_ROLE
from metacrm.platform.errors import PlatformError
from metacrm.platform.security.role_names import assignable

from .guard import admin_required

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users", template_folder="templates")


class UserActionForm(FlaskForm):
    """Only the CSRF token: the role boxes are read from the request (one per defined role)."""


def _users() -> Any:
    return current_app.extensions["metacrm"].users


def _user(user_id: int) -> Any:
    found = _users().get(user_id)
    if found is None:
        abort(404, description=f"There is no user {user_id}.")
    return found


@bp.get("/")
@admin_required
def index() -> str:
    roles = assignable(current_app.extensions["metacrm"].metadata.current().compiled.bundle.roles)
    return render_template("admin/users.html", users=_users().list(), roles=roles, form=UserActionForm(),
                           admin_role=ADMIN_ROLE)


@bp.post("/<int:user_id>/roles")
@admin_required
def set_roles(user_id: int) -> Any:
    target = _user(user_id)
    if not UserActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page.")
    chosen = [r.strip() for r in request.form.getlist("roles") if r.strip()]
    try:
        _users().set_roles(user_id, chosen, actor_id=current_user.user.id, admin=ADMIN_ROLE in chosen)
    except PlatformError as exc:
        flash(f"{target.email}: {exc.detail}", "danger")
        return redirect(url_for(".index")), 303
    flash(f"Roles of {target.email}: {', '.join(sorted(chosen)) or 'none'}.", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int) -> Any:
    target = _user(user_id)
    if not UserActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page.")
    if target.id == current_user.user.id:
        flash("You cannot deactivate your own account.", "warning")
        return redirect(url_for(".index"))
    _users().disable(target.email, actor_id=current_user.user.id)
    flash(f"{target.email} can no longer sign in; their records stay theirs.", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/reactivate")
@admin_required
def reactivate(user_id: int) -> Any:
    target = _user(user_id)
    if not UserActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page.")
    _users().enable(target.email, actor_id=current_user.user.id)
    flash(f"{target.email} can sign in again, with the roles they had.", "success")
    return redirect(url_for(".index"))
