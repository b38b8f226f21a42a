"""Schedule triggers: "every day at 07:00, for each open case past its due date, ...".

``{"type": "schedule", "cron": "0 7 * * *", "filter": {"status": "Open", "due_date__lt": "today"}}``

Each active schedule workflow is one recurring job keyed
``wfs:<object>:<workflow>`` (``jobs.schedule_recurring``), read in the
organisation's time zone (``platform.settings``, ``time_zone``; UTC when
unset). :func:`sync` plans them from a compiled schema — after every
metadata apply, at start-up and by ``metacrm scheduler`` — adding new ones,
re-planning changed ones and cancelling those removed or deactivated.

When the job fires, the records matching ``filter`` (the query language of
``GET /api/v1/records``, read as the SYSTEM actor, at most :data:`MAX_RECORDS`
per run, oldest first, logged when capped) each get their own transaction:
condition, then actions, as SYSTEM, with a run-log row of trigger
``schedule``. One record's failure rolls back that record's run only; it is
logged as a ``failed`` run and the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledSchema

from ..errors import PlatformError
from ..jobs.tables import job
from ..query.compile import run_query
from ..query.parse import parse_query
from ..records.actor import SYSTEM
from ..storage.engine import write_transaction
from .conditions import ExpressionFailed, loader, names
from .run_log import Run, write

if TYPE_CHECKING:
    from .engine import WorkflowEngine

log = logging.getLogger(__name__)
KIND = "workflow.schedule"
KEY_PREFIX = "wfs:"
#: Records acted on per scheduled run; more are left for the next run (and the cap is logged).
MAX_RECORDS = 1000


def job_key(object_name: str, workflow: str) -> str:
    return f"{KEY_PREFIX}{object_name}:{workflow}"


def wanted(schema: CompiledSchema, time_zone: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """The schedules a schema defines: ``{key: (cron, payload)}`` for each active schedule workflow."""
    found = {}
    for name in sorted(schema.objects):
        for wf in schema.objects[name].definition.workflows:
            if wf.active and wf.trigger.type == "schedule" and wf.trigger.cron:
                found[job_key(name, wf.name)] = (wf.trigger.cron, {"object": name, "workflow": wf.name,
                                                                   "time_zone": time_zone})
    return found


def organisation_zone(engine: "WorkflowEngine", conn: Connection | None = None) -> str:
    settings = engine.settings.current(conn) if engine.settings is not None else None
    return (settings.time_zone if settings is not None else None) or "UTC"


def sync(engine: "WorkflowEngine", schema: CompiledSchema | None = None) -> dict[str, list[str]]:
    """Make the planned schedule jobs match ``schema`` (default: the current one); returns what changed."""
    jobs = engine._jobs()
    if jobs is None:
        log.warning("schedule workflows are not planned: background jobs are not available")
        return {"planned": [], "cancelled": []}
    schema = schema or engine.cache.get().compiled
    zone = organisation_zone(engine)
    want = wanted(schema, zone)
    changed: dict[str, list[str]] = {"planned": [], "cancelled": []}
    with write_transaction(engine.engine) as conn:
        pending = {row.key: row for row in conn.execute(
            sa.select(job.c.key, job.c.cron, job.c.payload).where(job.c.kind == KIND, job.c.status == "pending",
                                                                   job.c.key.like(f"{KEY_PREFIX}%")))}
        for key, (cron, payload) in want.items():
            have = pending.get(key)
            if have is None or have.cron != cron or have.payload != payload:
                jobs.schedule_recurring(key, cron, KIND, payload, time_zone=zone, conn=conn)
                changed["planned"].append(key)
        for key in sorted(set(pending) - set(want)):
            jobs.cancel(conn, key)
            changed["cancelled"].append(key)
    if changed["planned"] or changed["cancelled"]:
        log.info("workflow schedules planned %s, cancelled %s", changed["planned"], changed["cancelled"])
    return changed


def after_apply(engine: "WorkflowEngine") -> Any:
    """A metadata ``after_apply`` step: re-plan the schedules of the version just applied."""
    def step(plan: Any) -> None:
        sync(engine)
    return step


def filter_params(filters: Mapping[str, Any]) -> dict[str, Any]:
    """A trigger's JSON filter as query parameters (the query language reads text)."""
    def text(value: Any) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    return {k: [text(x) for x in v] if isinstance(v, (list, tuple)) else text(v) for k, v in filters.items()}


def matching_ids(conn: Connection, live: Any, object_name: str, filters: Mapping[str, Any], zone: str,
                 limit: int = MAX_RECORDS) -> list[int]:
    """Ids of the records the filter matches (oldest first, at most ``limit + 1``: one more tells it capped)."""
    tz = ZoneInfo(zone)
    obj = live.compiled.objects[object_name]
    params = {**filter_params(filters), "sort": "id", "limit": str(limit + 1)}
    query = parse_query(obj, live.compiled, params, today=dt.datetime.now(tz).date(), max_limit=limit + 1, tz=tz)
    return [int(row["id"]) for row in run_query(conn, live, query).rows]


def fire(engine: "WorkflowEngine", ctx: Any) -> dict[str, Any]:
    """The ``workflow.schedule`` job: plan the next run in the organisation's zone, then act per record."""
    p = ctx.payload
    live = engine.cache.get()
    obj = live.compiled.objects.get(p["object"])
    wf = next((w for w in obj.definition.workflows if w.name == p["workflow"]), None) if obj is not None else None
    if wf is None or not wf.active or wf.trigger.type != "schedule":
        return {"skipped": "workflow gone or inactive"}
    zone = organisation_zone(engine)
    if ctx.job_id is not None and wf.trigger.cron:  # the next run, in today's zone (the runner keeps it)
        engine.require_jobs().schedule_recurring(job_key(obj.name, wf.name), wf.trigger.cron, KIND,
                                                 {**p, "time_zone": zone}, time_zone=zone)
    with engine.engine.connect() as conn:
        ids = matching_ids(conn, live, obj.name, wf.trigger.filter, zone)
    capped = len(ids) > MAX_RECORDS
    if capped:
        ids = ids[:MAX_RECORDS]
        log.warning("scheduled workflow %s.%s matched more than %s records; the rest wait for the next run",
                    obj.name, wf.name, MAX_RECORDS)
    outcome = {"records": len(ids), "capped": capped, "succeeded": 0, "failed": 0}
    for record_id in ids:
        status = _one(engine, obj.name, wf.name, record_id)
        outcome["failed" if status in ("failed", "error") else "succeeded"] += 1
    return outcome


def _one(engine: "WorkflowEngine", object_name: str, workflow: str, record_id: int) -> str:
    """One record's run in its own transaction; a failure that rolled it back is logged in another."""
    try:
        with engine.records.write() as conn:
            live = engine.cache.get(conn)
            obj = live.compiled.objects[object_name]
            wf = next(w for w in obj.definition.workflows if w.name == workflow)
            record = engine._reload(conn, live, obj, record_id)
            if record is None or record.get("deleted_at") is not None:
                return "gone"
            scope = names(obj, record, SYSTEM, loader(conn, live))
            return engine.run(conn, live, obj, wf, record, scope, SYSTEM, "schedule").status
    except (PlatformError, ExpressionFailed) as exc:
        message = getattr(exc, "detail", None) or str(exc)
        reasons = [f"{e.field or 'record'}: {e.message}" for e in getattr(exc, "field_errors", None) or ()]
        message = f"{message} ({'; '.join(reasons)})" if reasons else message
        log.warning("scheduled workflow %s.%s failed for record #%s: %s", object_name, workflow, record_id, message)
        run = Run(object_name, workflow, record_id, "schedule", None, status="failed", error=message)
        with write_transaction(engine.engine) as conn:
            write(conn, run)
        return "failed"

