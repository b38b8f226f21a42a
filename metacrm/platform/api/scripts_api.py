"""``POST /api/v1/scripts/<name>``: run an API script (docs/logic.md, "API scripts").

POST only, also for scripts that only read: whether a script writes is decided
by its code at run time, and GET must be safe to repeat and to prefetch. A
read-scope token may still call it: its scripts run, and the first write they
ask for is refused (403, nothing saved), which is the scope's meaning.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..records import Actor
from .auth import current_token, current_user, require_user
from .bodies import json_body
from .context import platform

bp = Blueprint("scripts_api", __name__, url_prefix="/api/v1/scripts")


def jsonable(value: Any) -> Any:
    """A script's result as JSON: exact decimals as strings (as records show money), ISO dates and times."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
        return aware.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@bp.post("/<name>")
def run_script(name: str) -> Response:
    """Runs the script with ``params`` = the JSON body (empty: ``{}``); answers ``{"result": ...}``."""
    user = current_user()
    if user is None:
        require_user()  # 401 with the challenge
    token = current_token()
    read_only = None
    if token is not None and token.scope != "write":
        read_only = (f"this API token has the '{token.scope}' scope: the scripts it runs may read but not create "
                     "or update records; use a token with the 'write' scope")
    scripts = platform().scripts
    assert scripts is not None and user is not None
    who = Actor.from_user(user)
    scripts.find(name, who)  # 404 / 403 before the body is read
    params = json_body(what="the script's params") if request.get_data() else {}
    result = scripts.run(name, who, params, read_only=read_only)
    return jsonify({"result": jsonable(result)})
