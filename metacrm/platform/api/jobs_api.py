"""Background jobs for administrators: list, inspect and retry (``platform.jobs``).

Failed jobs are where an admin learns that a webhook endpoint or the mail
server has been refusing work; retrying makes the job due again with a fresh
set of attempts.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from ..errors import Conflict, NotFound, Unprocessable
from ..jobs.tables import STATUSES
from .auth import require_admin
from .context import platform
from .records_api import int_arg, text_arg

bp = Blueprint("jobs_api", __name__, url_prefix="/api/v1/jobs")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
MAX_ID = 2**63 - 1  # ids beyond a BIGINT cannot exist; answered as missing, not as a database error


@bp.before_app_request
def _start_in_process_thread() -> None:
    """A serving process starts its job thread with its first request, so planned and retried jobs run
    after a restart even before anything new is enqueued (CLI commands and tests do not start it)."""
    if not current_app.testing:
        platform().jobs.start()


@bp.get("")
def list_jobs() -> Response:
    """``?status=failed&kind=&limit=&before=`` (newest first; ``next_cursor`` pages on)."""
    require_admin("manage background jobs")
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise Unprocessable(f'"status" must be one of {", ".join(STATUSES)}',
                            errors=[{"field": "status", "message": f"unknown status {status!r}"}])
    limit = int_arg("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
    found = platform().jobs.list(status=status, kind=text_arg("kind"), limit=limit,
                                 before_id=int_arg("before", 1, 2**63 - 1))
    return jsonify({"data": [job.to_json() for job in found],
                    "next_cursor": found[-1].id if len(found) == limit else None})


@bp.get("/<int:job_id>")
def get_job(job_id: int) -> Response:
    require_admin("manage background jobs")
    job = platform().jobs.get(job_id) if job_id <= MAX_ID else None
    if job is None:
        raise NotFound(f"there is no job {job_id}")
    return jsonify(job.to_json())


@bp.post("/<int:job_id>/retry")
def retry_job(job_id: int) -> Response:
    require_admin("manage background jobs")
    if job_id > MAX_ID:
        raise NotFound(f"there is no job {job_id}")
    jobs = platform().jobs
    if not jobs.retry(job_id):
        job = jobs.get(job_id)
        if job is None:
            raise NotFound(f"there is no job {job_id}")
        raise Conflict(f"job {job_id} is {job.status}; only failed or cancelled jobs can be retried")
    return jsonify(jobs.get(job_id).to_json())  # type: ignore[union-attr]
