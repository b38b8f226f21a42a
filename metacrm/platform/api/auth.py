"""Who is calling the API: HTTP Basic (email and password) or a Bearer API token.

Every view asks :func:`require_user` or :func:`require_admin`; the answer
is decided on the server from credentials, never from anything the client
claims about itself. A read-scope token is checked here, once, so no view
can forget it.
"""

from __future__ import annotations

from flask import g, request

from ..errors import Forbidden, Unauthorized
from ..security.tokens import TokenInfo
from ..security.users import User
from .context import platform

#: Methods a read-scope token may use: those that change nothing (RFC 9110 §9.2.1).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _client_ip() -> str:
    return request.remote_addr or ""


def current_user() -> User | None:
    if "metacrm_user" not in g:
        auth = request.authorization
        found: User | None = None
        token: TokenInfo | None = None
        if auth is not None and auth.type == "basic" and auth.username and auth.password:
            found = platform().users.authenticate(auth.username, auth.password, ip=_client_ip())
        elif auth is not None and auth.type == "bearer" and auth.token:
            hit = platform().tokens.authenticate(auth.token, ip=_client_ip())
            if hit is not None:
                found, token = hit
        g.metacrm_user = found
        g.metacrm_token = token
    return g.metacrm_user


def current_token() -> TokenInfo | None:
    """The API token this request signed in with, if it used one."""
    current_user()
    return g.metacrm_token


def require_user() -> User:
    user = current_user()
    if user is None:
        raise Unauthorized("Sign in: send your email and password with HTTP Basic authentication, "
                           "or an API token as 'Authorization: Bearer <token>'")
    token = current_token()
    if token is not None and token.scope != "write" and request.method not in READ_METHODS:
        raise Forbidden(f"This API token has the '{token.scope}' scope and may only read (GET or HEAD); "
                        "create a token with the 'write' scope to make changes")
    return user


def require_admin(action: str = "change metadata") -> User:
    """The signed-in administrator; ``action`` completes "Only administrators can …" in the refusal."""
    user = require_user()
    if not user.is_admin:
        raise Forbidden(f"Only administrators can {action}; ask an admin to grant you the admin role")
    return user
