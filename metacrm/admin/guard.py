"""Who reaches the builder: signed-in administrators, decided on the server for every request."""

from __future__ import annotations

import functools
from typing import Any, Callable

from flask import abort
from flask_login import current_user, login_required


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in first (a redirect to the login page), then 403 for anyone who is not an administrator."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.user.is_admin:
            abort(403, description="Only administrators can change how MetaCRM is set up.")
        return view(*args, **kwargs)
    return wrapped


def author() -> str:
    """The name metadata history records for a change made in the builder."""
    return str(current_user.user.email)
