"""REST access to workflows: the run log (administrators) and the buttons of manual workflows.

``GET /api/v1/workflows/runs?object=&workflow=&status=&record_id=&limit=&before=`` lists runs newest
first; ``GET /api/v1/workflows/runs/<id>`` shows one with each action's outcome. A manual workflow is
a button: ``POST /api/v1/workflows/<object>/<id>/run/<workflow>`` runs it for one record, for anyone
who may edit that record.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import NotFound, Unprocessable
from ..workflows.run_log import STATUSES, get_run, list_runs
from .auth import require_admin
from .context import platform
from .records_api import actor, int_arg, text_arg

bp = Blueprint("workflows_api", __name__, url_prefix="/api/v1/workflows")
DEFAULT_RUNS, MAX_RUNS = 50, 200


@bp.get("/runs")
def runs() -> Response:
    require_admin("read the workflow run log")
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise Unprocessable(f'"status" must be one of {", ".join(STATUSES)}',
                            errors=[{"field": "status", "message": f"must be one of {', '.join(STATUSES)}"}])
    limit, before = int_arg("limit", 1, MAX_RUNS), int_arg("before", 1, 2**63 - 1)
    record_id = int_arg("record_id", 1, 2**63 - 1)
    page, cursor = list_runs(platform().engine, object_name=text_arg("object"),
                             workflow=text_arg("workflow"), status=status, record_id=record_id,
                             limit=limit or DEFAULT_RUNS, before=before)
    return jsonify({"data": page, "next_cursor": cursor})


@bp.get("/runs/<int:run_id>")
def run(run_id: int) -> Response:
    require_admin("read the workflow run log")
    if not 0 < run_id < 2**63:  # ids are 64-bit; a larger number names no run
        raise NotFound(f"there is no workflow run #{run_id}")
    return jsonify(get_run(platform().engine, run_id))


@bp.post("/<object_name>/<int:record_id>/run/<workflow>")
def run_manual(object_name: str, record_id: int, workflow: str) -> Response:
    result = platform().workflows.run_manual(actor(), object_name, record_id, workflow)
    return jsonify(result)
