"""Sign-in, second factor, sign-out and password reset for the browser.

Every POST is a Flask-WTF form (CSRF checked); messages never say whether an
email exists; ``?next=`` only ever leads to a path on this site; the session
is emptied before a sign-in is stored in it (no fixation of anything a
visitor planted before logging in).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..security import security_log
from ..security.users import User
from .auth_forms import ForgotPasswordForm, LoginForm, NewPasswordForm, TotpForm
from .outbox_mail import send_password_reset
from .safe_next import safe_next
from .session import WebUser, credentials

bp = Blueprint("web_auth", __name__)

PENDING = "pending_second_factor"
#: How long a password-reset link works, and how long the second-factor step waits.
RESET_MAX_AGE = 3600
SECOND_FACTOR_MAX_AGE = 300
MAX_SECOND_FACTOR_FAILURES = 5


def _platform() -> Any:
    return current_app.extensions["metacrm"]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="metacrm-password-reset")


def _finish_sign_in(user: User, stamp: str, remember: bool, target: str) -> Any:
    session.clear()
    login_user(WebUser(user, stamp), remember=remember)
    return redirect(safe_next(target))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    target = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(safe_next(target))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        found = _platform().users.authenticate(form.email.data, form.password.data, ip=request.remote_addr or "")
        if found is not None:
            creds = credentials().load(found.id)
            assert creds is not None
            if creds.totp_secret:
                session.clear()
                session[PENDING] = {"uid": found.id, "stamp": creds.stamp, "at": time.time(), "failures": 0,
                                    "remember": bool(form.remember.data), "next": safe_next(target)}
                return redirect(url_for("web_auth.second_factor"))
            return _finish_sign_in(found, creds.stamp, bool(form.remember.data), target)
        form.password.errors = [_("The email or password is wrong, or this account is locked for a while after "
                                  "repeated failures. Try again, or reset your password.")]
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("web/auth/login.html", form=form, next=safe_next(target, "")), status


@bp.route("/login/verify", methods=["GET", "POST"])
def second_factor() -> Any:
    pending = session.get(PENDING)
    if not pending or time.time() - pending["at"] > SECOND_FACTOR_MAX_AGE:
        session.pop(PENDING, None)
        flash(_("Sign in again: the second step waited too long."), "warning")
        return redirect(url_for("web_auth.login"))
    form = TotpForm()
    status = 200
    if form.validate_on_submit():
        creds = credentials().load(pending["uid"])
        if creds and creds.user.is_active and creds.stamp == pending["stamp"] and creds.totp_secret \
                and credentials().verify_totp(creds.totp_secret, form.code.data):
            return _finish_sign_in(creds.user, creds.stamp, pending["remember"], pending["next"])
        pending["failures"] += 1
        security_log.record(_platform().engine, security_log.LOGIN_FAILED, subject=creds.user.email if creds else "",
                            ip=request.remote_addr or "", detail={"reason": "second factor"})
        if pending["failures"] >= MAX_SECOND_FACTOR_FAILURES:
            session.pop(PENDING, None)
            flash(_("Too many wrong codes; sign in again."), "danger")
            return redirect(url_for("web_auth.login"))
        session[PENDING] = pending
        form.code.errors = [_("That code is not valid; codes change every 30 seconds.")]
        status = 401
    return render_template("web/auth/second_factor.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Any:
    user = current_user.user
    logout_user()
    session.clear()
    security_log.record(_platform().engine, security_log.LOGGED_OUT, actor_id=user.id, subject=user.email,
                        ip=request.remote_addr or "")
    flash(_("You are signed out."), "info")
    return redirect(url_for("web_auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Any:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        found = _platform().users.get_by_email(form.email.data)
        if found is not None and found.is_active:
            creds = credentials().load(found.id)
            assert creds is not None
            token = _reset_serializer().dumps({"u": found.id, "s": creds.stamp})
            link = url_for("web_auth.reset_password", token=token, _external=True)
            send_password_reset(_platform().engine, found, link, RESET_MAX_AGE // 60)
            security_log.record(_platform().engine, security_log.PASSWORD_RESET_REQUESTED, actor_id=found.id,
                                subject=found.email, ip=request.remote_addr or "")
        # The same answer whether or not the account exists: the form must not reveal who has one.
        flash(_("If an account uses that email, a link to choose a new password is on its way. "
                "It works for %(minutes)s minutes, once.", minutes=RESET_MAX_AGE // 60), "info")
        return redirect(url_for("web_auth.login"))
    return render_template("web/auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    try:
        claim = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        claim = None
        reason = _("This link has expired. Ask for a new one.")
    except BadSignature:
        claim = None
        reason = _("This link is not valid. Ask for a new one.")
    creds = credentials().load(int(claim["u"])) if claim else None
    if claim is not None and (creds is None or not creds.user.is_active or creds.stamp != claim["s"]):
        creds, reason = None, _("This link was already used or the password changed since. Ask for a new one.")
    if creds is None:
        flash(reason, "danger")
        return redirect(url_for("web_auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        _platform().users.set_password(creds.user.email, form.password.data, actor_id=creds.user.id)
        session.clear()
        flash(_("Your password is changed. Sign in with it now."), "success")
        return redirect(url_for("web_auth.login"))
    return render_template("web/auth/reset.html", form=form), 200 if request.method == "GET" else 400
