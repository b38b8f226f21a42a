"""Who is calling the API. HTTP Basic for now; sessions and tokens join here.

Every view asks :func:`require_user` or :func:`require_admin`; the answer
is decided on the server from credentials, never from anything the client
claims about itself.
"""

from __future__ import annotations

from flask import g, request

from ..errors import Forbidden, Unauthorized
from ..security.users import User
from .context import platform


def current_user() -> User | None:
    if "metacrm_user" not in g:
        auth = request.authorization
        found = None
        if auth is not None and auth.type == "basic" and auth.username and auth.password:
            found = platform().users.authenticate(auth.username, auth.password)
        g.metacrm_user = found
    return g.metacrm_user


def require_user() -> User:
    user = current_user()
    if user is None:
        raise Unauthorized("Sign in: send an admin's email and password with HTTP Basic authentication")
    return user


def require_admin() -> User:
    user = require_user()
    if not user.is_admin:
        raise Forbidden("Only administrators can change metadata; ask an admin to grant you the admin role")
    return user
