"""Browser sessions with Flask-Login, bound to the user's credential stamp.

The session cookie holds ``"<user id>:<stamp>"`` (see
:mod:`metacrm.platform.security.credentials`), so a password change or a
disabled account ends every session on its next request. Cookies are
HttpOnly, SameSite=Lax and Secure unless ``METACRM_INSECURE_COOKIES`` is
set for plain-HTTP deployments behind nothing (browsers treat 127.0.0.1 and
localhost as secure origins, so local use needs no exception).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from ..records.actor import Actor
from ..security.credentials import CredentialService
from ..security.users import User


class WebUser(UserMixin):
    """The signed-in user as Flask-Login sees it; the platform's own ``User`` is ``.user``."""

    def __init__(self, user: User, stamp: str):
        self.user = user
        self.stamp = stamp

    def get_id(self) -> str:
        return f"{self.user.id}:{self.stamp}"

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def __getattr__(self, name: str) -> Any:  # email, name, locale, roles, is_admin ...
        return getattr(self.__dict__["user"], name)


def credentials() -> CredentialService:
    return CredentialService(current_app.extensions["metacrm"].engine)


def _load(session_id: str) -> WebUser | None:
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    found = credentials().session_user(int(user_id), stamp)
    return WebUser(found, stamp) if found else None


def current_actor() -> Actor:
    """The acting user of this web request, for every record-service call a view makes."""
    return Actor.from_user(current_user.user)


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.session_protection = "strong"
    manager.login_view = "web_auth.login"
    manager.login_message = None
    manager.user_loader(_load)

    @manager.unauthorized_handler
    def _unauthorized() -> Any:
        return redirect(url_for("web_auth.login", next=request.full_path.rstrip("?")))

    manager.init_app(app)
    secure = not app.config.get("INSECURE_COOKIES", False)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure)
