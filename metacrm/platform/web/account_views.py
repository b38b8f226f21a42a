"""The signed-in user's own account: second factor and API tokens.

API tokens are created here as well as on the CLI; the token text is shown
once, on the page that creates it, and never again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..errors import PlatformError
from ..storage.store import utcnow
from .auth_forms import ConfirmForm, TokenForm, TotpForm
from .session import WebUser, credentials

bp = Blueprint("web_account", __name__, url_prefix="/account")
NEW_TOTP = "new_totp_secret"


def _platform() -> Any:
    return current_app.extensions["metacrm"]


@bp.get("/")
@login_required
def overview() -> Any:
    creds = credentials().load(current_user.user.id)
    return render_template("web/account/overview.html", two_factor=bool(creds and creds.totp_secret),
                           confirm=ConfirmForm())


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> Any:
    """Turn TOTP on: show a fresh secret, and keep it only once a code proves the app holds it."""
    service = credentials()
    secret = session.get(NEW_TOTP) or service.new_totp_secret()
    session[NEW_TOTP] = secret
    form = TotpForm()
    if form.validate_on_submit():
        if service.verify_totp(secret, form.code.data):
            service.set_totp(current_user.user.id, secret)
            session.pop(NEW_TOTP, None)
            _refresh_login()
            flash(_("Two-step sign-in is on. You will be asked for a code after your password."), "success")
            return redirect(url_for("web_account.overview"))
        form.code.errors = [_("That code does not match; check the clock of your phone and try again.")]
    return render_template("web/account/two_factor.html", form=form, secret=secret,
                           uri=service.totp_uri(secret, current_user.user.email))


@bp.post("/two-factor/off")
@login_required
def two_factor_off() -> Any:
    if ConfirmForm().validate_on_submit():
        credentials().set_totp(current_user.user.id, None)
        _refresh_login()
        flash(_("Two-step sign-in is off."), "info")
    return redirect(url_for("web_account.overview"))


def _refresh_login() -> None:
    """The stamp changed with the second factor: re-issue this session, end all others."""
    creds = credentials().load(current_user.user.id)
    if creds is not None:
        login_user(WebUser(creds.user, creds.stamp))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> Any:
    form = TokenForm()
    created = None
    user = current_user.user
    if form.validate_on_submit():
        days = form.expires_in_days.data
        expires = utcnow() + dt.timedelta(days=int(days)) if days else None
        try:
            created, _info = _platform().tokens.create(user.id, form.name.data, scope=form.scope.data,
                                                       expires_at=expires)
        except PlatformError as exc:
            form.name.errors = [exc.detail]
    return render_template("web/account/tokens.html", form=form, created=created,
                           tokens=_platform().tokens.list(user.id), confirm=ConfirmForm(), now=utcnow())


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Any:
    if ConfirmForm().validate_on_submit():
        info = _platform().tokens.revoke(token_id, current_user.user)
        flash(_("Token “%(name)s” is revoked; programs using it are now refused.", name=info.name), "info")
    return redirect(url_for("web_account.tokens"))
