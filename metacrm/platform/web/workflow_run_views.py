"""Administrators' pages for the workflow run log: ``/admin/workflows/runs`` and one run's detail.

The list filters by object, workflow and status, newest first, paged by id
(the run log's cursor). The detail shows each action's outcome, duration and
error; an action that enqueued a job (email, webhook, a wait) shows the job's
state, and a failed one can be retried from here — the same
``platform.jobs.retry`` as ``POST /api/v1/jobs/<id>/retry``, behind the page's
session and CSRF token (the API takes no session cookie).
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..workflows.run_log import STATUSES, get_run, list_runs
from ..workflows.waits import TRIGGER_PREFIX

bp = Blueprint("web_workflow_runs", __name__, url_prefix="/admin/workflows/runs")
PAGE = 50
MAX_ID = 2**63 - 1


def _platform() -> Any:
    if not current_user.is_admin:
        abort(403)
    return current_app.extensions["metacrm"]


def _text(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value[:40] if value and "\x00" not in value else None


@bp.get("")
@login_required
def runs() -> Any:
    platform = _platform()
    status = request.args.get("status") or None
    status = status if status in STATUSES else None
    before = request.args.get("before", type=int)
    before = before if before is not None and 0 < before <= MAX_ID else None
    filters = {"object": _text("object"), "workflow": _text("workflow"), "status": status}
    page, cursor = list_runs(platform.engine, object_name=filters["object"], workflow=filters["workflow"],
                             status=status, limit=PAGE, before=before)
    return render_template("web/workflow_runs/list.html", runs=page, next_cursor=cursor, filters=filters,
                           statuses=STATUSES, objects=sorted(platform.metadata.current().compiled.objects))


def job_ids(action: Mapping[str, Any]) -> list[int]:
    """The jobs an action enqueued, as its run-log detail names them (``job``, ``jobs``, ``emails``)."""
    detail = action.get("detail") or {}
    found = [detail["job"]] if isinstance(detail.get("job"), int) else []
    for key in ("jobs", "emails"):
        found += [j for j in detail.get(key) or () if isinstance(j, int)]
    return found


@bp.get("/<int:run_id>")
@login_required
def run(run_id: int) -> Any:
    platform = _platform()
    if not 0 < run_id <= MAX_ID:
        abort(404)
    found = get_run(platform.engine, run_id)
    jobs = {}
    for action in found["actions"]:
        for job_id in job_ids(action):
            job = platform.jobs.get(job_id)
            if job is not None:
                jobs[job_id] = job
    parent = (int(found["trigger"][len(TRIGGER_PREFIX):]) if found["trigger"].startswith(TRIGGER_PREFIX)
              and found["trigger"][len(TRIGGER_PREFIX):].isdigit() else None)
    return render_template("web/workflow_runs/detail.html", run=found, jobs=jobs, job_ids=job_ids, parent=parent)


@bp.post("/<int:run_id>/jobs/<int:job_id>/retry")
@login_required
def retry(run_id: int, job_id: int) -> Any:
    platform = _platform()
    if not (0 < run_id <= MAX_ID and 0 < job_id <= MAX_ID):
        abort(404)
    run_found = get_run(platform.engine, run_id)
    if job_id not in [j for a in run_found["actions"] for j in job_ids(a)]:
        abort(404)  # only the jobs this run enqueued
    if platform.jobs.retry(job_id):
        flash(_("Job #%(id)s will run again.", id=job_id), "success")
    else:
        flash(_("Job #%(id)s is not failed or cancelled, so it was not retried.", id=job_id), "warning")
    return redirect(url_for("web_workflow_runs.run", run_id=run_id))
