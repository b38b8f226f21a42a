"""REST access to approvals: submit a record, read its requests, decide, recall, and one's own queue.

``POST /api/v1/approvals/<object>/<id>/submit`` (``{"process"?, "comment"?}``) submits a record the
caller may edit; ``GET /api/v1/approvals/<object>/<id>`` lists its requests, newest first, with each
step's approvers and every decision (who, when, comment); ``POST
/api/v1/approvals/requests/<id>/approve|reject|recall`` with ``{"comment": ...}`` decides (an approver
of the current step) or recalls (the submitter); ``GET /api/v1/approvals/pending`` is the caller's queue.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..errors import NotFound, Unprocessable
from .context import platform
from .records_api import actor

bp = Blueprint("approvals_api", __name__, url_prefix="/api/v1/approvals")
MAX_ID = 2**63


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise Unprocessable("the body must be a JSON object", errors=[{"field": "", "message": "must be an object"}])
    for key in ("comment", "process"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise Unprocessable(f'"{key}" must be text', errors=[{"field": key, "message": "must be text"}])
    return body


def _request_id(request_id: int) -> int:
    if not 0 < request_id < MAX_ID:
        raise NotFound(f"there is no approval request #{request_id}")
    return request_id


@bp.post("/<object_name>/<int:record_id>/submit")
def submit(object_name: str, record_id: int) -> tuple[Response, int]:
    body = _body()
    made = platform().approvals.submit(actor(), object_name, record_id, process=body.get("process"),
                                       comment=body.get("comment"))
    return jsonify(made), 201


@bp.get("/<object_name>/<int:record_id>")
def history(object_name: str, record_id: int) -> Response:
    return jsonify({"data": platform().approvals.history(actor(), object_name, record_id)})


@bp.get("/pending")
def pending() -> Response:
    return jsonify({"data": platform().approvals.pending_for(actor())})


@bp.post("/requests/<int:request_id>/<any(approve, reject, recall):decision>")
def decide(request_id: int, decision: str) -> Response:
    body = _body()
    approvals = platform().approvals
    act = {"approve": approvals.approve, "reject": approvals.reject, "recall": approvals.recall}[decision]
    return jsonify(act(actor(), _request_id(request_id), body.get("comment")))
