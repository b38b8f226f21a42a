"""Read-only REST access to the audit trail: the access log, for administrators.

There are only GET routes here (and field history per record in
``records_api``): the audit tables are append-only, so no request can
change or remove what they hold.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .auth import require_admin
from .context import platform
from .records_api import DEFAULT_HISTORY, MAX_HISTORY, int_arg

bp = Blueprint("audit_api", __name__, url_prefix="/api/v1/audit")


@bp.get("/access")
def access() -> Response:
    """Who read sensitive records, newest first: ``?object=&limit=&before=``."""
    require_admin()
    limit, before = int_arg("limit", 1, MAX_HISTORY), int_arg("before", 1, 2**63 - 1)
    page = platform().audit.access(object_name=request.args.get("object") or None,
                                   limit=limit or DEFAULT_HISTORY, before_id=before)
    return jsonify({"data": page.entries, "next_cursor": page.next_cursor})
