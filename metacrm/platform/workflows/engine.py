"""The workflow engine: record events → matching workflows → condition → ordered actions → run log.

It listens ``in_transaction`` on the record service's bus, so the actions
that change records (set field, create record, update related, assign
owner) run in the triggering save's transaction through ``create_in`` /
``update_in`` and commit or roll back with it; email and webhooks are jobs
enqueued in that transaction, delivered after commit. Time triggers are
jobs too (``timers.py``), re-planned on every save that moves their date.

Who actions act as: the user whose save triggered them, with the platform's
rights (``is_system``): ``created_by``/``updated_by`` and field history name
that user, while the automation an admin built is not blocked by the user's
own permissions (Salesforce's "system context"). Time-triggered runs have no
user and act as the SYSTEM actor.

Loops: an action's writes raise events that run workflows one level deeper;
at ``max_depth`` (default 5) the engine stops and logs a ``cut`` run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any, Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.workflows import WorkflowDef

from ..errors import NotFound, PlatformError, Unprocessable
from ..records import values as record_values
from ..records.actor import SYSTEM, Actor
from ..records.errors import FieldError, RecordInvalid
from ..records.events import RecordEvent
from ..logic.views import RecordView
from ..records.service import RecordService
from ..schema_cache import LiveSchema, SchemaCache
from . import message_actions, notify, record_actions, script_actions  # noqa: F401 - built-in action types
from . import data_loads
from . import schedules, waits
from .actions import ACTIONS, ActionContext
from .conditions import ExpressionFailed, holds, loader, names
from .matching import EVENT_TRIGGERS, triggered
from .run_log import Run, write
from .record_actions import ActionFailed
from .timers import KIND as TIME_KIND, due_at, job_key, stamp

log = logging.getLogger(__name__)
DEFAULT_MAX_DEPTH = 5
#: Actions that change the triggering record: later steps must see its new values.
WRITES_TRIGGER_RECORD = frozenset({"set_field", "assign_owner", "update_related"})
_LIVE_KEY = "metacrm.workflows.live"


class WorkflowFailed(RecordInvalid):
    """A same-transaction action failed: the save that triggered it is rolled back."""

    type_slug = "workflow-failed"


class JobsUnavailable(PlatformError):
    status, title, type_slug = 503, "Background jobs unavailable", "jobs-unavailable"


class WorkflowEngine:
    def __init__(self, records: RecordService, cache: SchemaCache, engine: Engine, *,
                 jobs: Callable[[], Any] | None = None, max_depth: int = DEFAULT_MAX_DEPTH):
        self.records = records
        self.cache = cache
        self.engine = engine
        self.max_depth = max_depth
        self._jobs = jobs or (lambda: None)
        self.settings: Any = None  # OrgSettings (runtime.py): the time zone schedules are read in
        self._depth: dict[int, int] = {}  # by connection: how deep in workflow-caused writes we are

    def install(self) -> "WorkflowEngine":
        """Subscribe to record events and, when the jobs layer is there, register the time-trigger job."""
        self.records.bus.listen("*", self.on_event, phase="in_transaction")
        jobs = self._jobs()
        if jobs is not None:
            self.register_jobs(jobs)
        return self

    def register_jobs(self, jobs: Any) -> None:
        """Register the job kinds the engine runs (time triggers) with a jobs service."""
        jobs.register(TIME_KIND, self.fire_timer)
        jobs.register(waits.KIND, lambda ctx: waits_resume(self, ctx))
        jobs.register(schedules.KIND, lambda ctx: schedules.fire(self, ctx))

    def require_jobs(self) -> Any:
        jobs = self._jobs()
        if jobs is None:
            raise JobsUnavailable("background jobs are not available, so emails, webhooks and time triggers "
                                  "cannot be queued")
        return jobs

    def depth_of(self, conn: Connection) -> int:
        """How deep in workflow-caused writes the transaction of ``conn`` is (for runs started beside the
        engine's own: state actions, approvals)."""
        return self._depth.get(id(conn), 0)

    @staticmethod
    def acting_for(actor: Actor) -> Actor:
        """The user who triggered the run, with the platform's rights (see the module's docstring)."""
        return actor if actor.is_system else replace(actor, is_admin=True, is_system=True, is_portal=False)

    # --- record events -----------------------------------------------------------------------
    def on_event(self, event: RecordEvent) -> None:
        conn = event.conn
        if conn is None or data_loads.is_data_load(conn):  # data loads run no automations (data_loads.py)
            return
        live = self._live(conn)
        obj = live.compiled.objects.get(event.object)
        if obj is None or not obj.definition.workflows:
            return
        active = [w for w in obj.definition.workflows if w.active]
        timed = [w for w in active if w.trigger.type == "time"]
        if timed:
            self._plan_timers(conn, obj, timed, event)
        if event.name not in EVENT_TRIGGERS:
            return
        matching = [w for w in active if triggered(w.trigger, event.name, event.changed, event.previous, event.record)]
        if not matching:
            return
        depth = self._depth.get(id(conn), 0)
        record = event.record if event.record is not None else (event.previous or {"id": event.record_id})
        previous = event.previous if event.name == "record.updated" else None
        scope = names(obj, record, event.actor, loader(conn, live), previous)
        for wf in matching:
            self.run(conn, live, obj, wf, record, scope, event.actor, event.name, depth,
                     live_record=event.name != "record.deleted")

    def _live(self, conn: Connection) -> LiveSchema:
        """The schema of the transaction in progress, read once per transaction: the nested writes of
        a workflow's actions each raise an event, and re-reading the head version for each cost more
        than the rest of the engine's work."""
        transaction = conn.get_transaction()
        held = conn.info.get(_LIVE_KEY)
        if held is not None and transaction is not None and held[0] is transaction:
            return held[1]
        live = self.cache.get(conn)
        if transaction is not None:
            conn.info[_LIVE_KEY] = (transaction, live)
        return live

    def _plan_timers(self, conn: Connection, obj: CompiledObject, timed: list[WorkflowDef],
                     event: RecordEvent) -> None:
        jobs = self._jobs()
        if jobs is None:
            log.warning("time workflows of %s are not planned: background jobs are not available", obj.name)
            return
        for wf in timed:
            key, field = job_key(obj.name, wf.name, event.record_id), wf.trigger.field or ""
            if event.name in ("record.deleted", "record.purged"):
                jobs.cancel(conn, key)
                continue
            if event.name == "record.updated" and field not in event.changed:
                continue
            value = (event.record or {}).get(field)
            due = due_at(wf.trigger, value)
            if due is None:
                jobs.cancel(conn, key)
            else:
                jobs.enqueue(conn, TIME_KIND, {"object": obj.name, "workflow": wf.name, "record_id": event.record_id,
                                               "date": stamp(value)}, run_at=due, key=key)

    # --- one run -----------------------------------------------------------------------------
    def run(self, conn: Connection, live: LiveSchema, obj: CompiledObject, wf: WorkflowDef,
            record: Mapping[str, Any], scope: dict[str, Any], actor: Actor, trigger: str, depth: int = 0, *,
            live_record: bool = True, log_false: bool = False, start: int = 0) -> Run:
        """Check the condition and run the actions of ``wf`` for ``record``; the run is logged in ``conn``
        unless the condition was false (``log_false`` logs that too: a button someone pressed).
        ``start``: resume after a ``wait`` from that action (the condition held when the run began)."""
        run = Run(obj.name, wf.name, record.get("id"), trigger, actor.id, depth)
        if depth >= self.max_depth:
            run.status = "cut"
            run.error = (f"stopped: workflows triggered each other {depth} levels deep (the limit is "
                         f"{self.max_depth}); the record was saved without running this workflow again")
            log.warning("workflow %s.%s cut at depth %s for record #%s", obj.name, wf.name, depth, run.record_id)
            write(conn, run)
            return run
        try:
            ok = holds(wf.condition if not start else None, scope)
        except ExpressionFailed as exc:
            run.status, run.error = "error", str(exc)
            write(conn, run)
            return run
        run.condition_result = ok if wf.condition and not start else None
        if not ok:
            if log_false:
                run.status = "skipped"
                write(conn, run)
            return run
        self._depth[id(conn)] = depth + 1
        try:
            paused = self._actions(conn, live, obj, wf, dict(record), scope, actor, trigger, run, live_record, start)
        finally:
            if depth:
                self._depth[id(conn)] = depth
            else:
                self._depth.pop(id(conn), None)
        run_id = write(conn, run)
        if paused is not None:  # a wait: the rest of the actions become a job of this transaction
            payload = {"object": obj.name, "workflow": wf.name, "record_id": record.get("id"),
                       "start": paused["resume_from"]}
            if "payload" in scope:
                payload["payload"] = scope["payload"].to_dict()
            waits.plan(self.require_jobs(), conn, run_id, payload, paused["until"])
        return run

    def _actions(self, conn: Connection, live: LiveSchema, obj: CompiledObject, wf: WorkflowDef,
                 record: dict[str, Any], scope: dict[str, Any], actor: Actor, trigger: str, run: Run,
                 live_record: bool, start: int = 0) -> Mapping[str, Any] | None:
        """Run the actions from ``start``; returns the detail of a ``wait`` that paused the run, if any."""
        acting = self.acting_for(actor)
        for index, action in enumerate(wf.actions):
            if index < start:
                continue
            started = time.perf_counter()
            try:
                if action.when and not holds(action.when, scope):
                    run.outcome(index, action.type, "skipped", started, time.perf_counter())
                    continue
                handler = ACTIONS.get(action.type)
                if handler is None:
                    raise ActionFailed(f'no handler for the action type "{action.type}" (a plugin missing?)')
                detail = handler(ActionContext(self, conn, live, obj, wf, action, index, acting, record, scope,
                                               trigger))
            except (PlatformError, ActionFailed, ExpressionFailed) as exc:
                message = exc.detail if isinstance(exc, PlatformError) else str(exc)
                if action.same_transaction or isinstance(exc, RecordInvalid):
                    log.warning("workflow %s.%s step %s (%s) failed; the save is rolled back: %s",
                                obj.name, wf.name, index + 1, action.type, message)
                    raise self._failure(wf, index, action.type, exc, message) from exc
                run.status, run.error = "failed", f"step {index + 1} ({action.type}): {message}"
                run.outcome(index, action.type, "failed", started, time.perf_counter(), error=message)
                continue
            run.outcome(index, action.type, "succeeded", started, time.perf_counter(),
                        **({"detail": dict(detail)} if detail else {}))
            if action.type == "wait" and detail and index + 1 < len(wf.actions):
                return detail
            if action.type in WRITES_TRIGGER_RECORD and live_record:
                fresh = self._reload(conn, live, obj, record["id"])
                if fresh is not None and fresh != record:
                    record.clear()
                    record.update(fresh)
                    scope.update(names(obj, fresh, actor, loader(conn, live), scope["old"] and scope["old"].to_dict()))
        return None

    @staticmethod
    def _failure(wf: WorkflowDef, index: int, type_: str, exc: Exception, message: str) -> WorkflowFailed:
        errors = exc.field_errors if isinstance(exc, RecordInvalid) else [FieldError("", "workflow_failed", message)]
        return WorkflowFailed(f'The workflow "{wf.label}" failed at step {index + 1} ({type_}), so nothing was '
                              f"saved: {message}", errors, workflow=wf.name, step=index + 1)

    @staticmethod
    def _reload(conn: Connection, live: LiveSchema, obj: CompiledObject, record_id: int) -> dict[str, Any] | None:
        table = live.tables[obj.name]
        row = conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
        return record_values.from_row(obj, row) if row is not None else None

    # --- runs outside a save: time triggers and buttons --------------------------------------
    def fire_timer(self, ctx: Any) -> str:
        """The ``workflow.time`` job: re-check the record (still there, date unchanged, condition true)
        and run the actions in a new write transaction, as the SYSTEM actor."""
        p = ctx.payload
        with self.records.write() as conn:
            live = self.cache.get(conn)
            obj = live.compiled.objects.get(p["object"])
            wf = _workflow(obj, p["workflow"]) if obj is not None else None
            if wf is None or not wf.active or wf.trigger.type != "time":
                return "workflow gone or inactive"
            record = self._reload(conn, live, obj, int(p["record_id"]))
            if record is None or record.get("deleted_at") is not None:
                return "record gone"
            if stamp(record.get(wf.trigger.field or "")) != p.get("date"):
                return "date moved; re-planned"
            scope = names(obj, record, SYSTEM, loader(conn, live))
            run = self.run(conn, live, obj, wf, record, scope, SYSTEM, "time")
            return run.status

    def run_manual(self, actor: Actor, object_name: str, record_id: Any, workflow: str) -> dict[str, Any]:
        """A workflow's button: the user must be able to edit the record; the run is logged even when its
        condition is false (someone pressed the button and should learn why nothing happened)."""
        record = self.records.require_access(actor, object_name, record_id, "update")
        with self.records.write() as conn:
            live = self.cache.get(conn)
            obj = live.compiled.objects[object_name]
            wf = _workflow(obj, workflow)
            if wf is None or wf.trigger.type != "manual":
                raise NotFound(f'{object_name} has no workflow "{workflow}" run by a button')
            if not wf.active:
                raise Unprocessable(f'the workflow "{wf.label}" is not active')
            record = self._reload(conn, live, obj, record["id"]) or record
            scope = names(obj, record, actor, loader(conn, live))
            run = self.run(conn, live, obj, wf, record, scope, actor, "manual", log_false=True)
        return {"workflow": wf.name, "status": run.status, "condition_result": run.condition_result,
                "actions": run.actions, "error": run.error}


    # --- triggers from outside a record save: forms and inbound webhooks --------------------------
    def form_submitted(self, conn: Connection, object_name: str, record_id: int, form_name: str,
                       actor: Actor) -> list[Run]:
        """A public web form named ``form_name`` created record ``record_id``: run the object's active
        ``form_submitted`` workflows for that form, in the form's write transaction ``conn`` (call it
        after ``create_in``). A same-transaction action that fails raises :class:`WorkflowFailed`,
        so the form's save is rolled back with it."""
        live = self._live(conn)
        obj = live.compiled.objects.get(object_name)
        if obj is None:
            return []
        matching = [w for w in obj.definition.workflows
                    if w.active and w.trigger.type == "form_submitted" and w.trigger.form == form_name]
        if not matching:
            return []
        record = self._reload(conn, live, obj, record_id)
        if record is None:
            return []
        scope = names(obj, record, actor, loader(conn, live))
        return [self.run(conn, live, obj, wf, record, scope, actor, "form_submitted",
                         self._depth.get(id(conn), 0)) for wf in matching]

    def run_payload(self, conn: Connection, live: LiveSchema, obj: CompiledObject, wf: WorkflowDef,
                    payload: Mapping[str, Any], actor: Actor, trigger: str, *, start: int = 0,
                    record: Mapping[str, Any] | None = None) -> Run:
        """A run whose input is a JSON body (an inbound webhook): ``payload`` in scope, no record unless
        given (a resumed run of a webhook that created none)."""
        record = dict(record) if record is not None else {"id": None}
        scope = names(obj, record, actor, loader(conn, live))
        scope["payload"] = RecordView(dict(payload), "payload")
        return self.run(conn, live, obj, wf, record, scope, actor, trigger, live_record=record["id"] is not None,
                        start=start)


def waits_resume(engine: WorkflowEngine, ctx: Any) -> str:
    """The ``workflow.resume`` job: continue a run paused by ``wait`` (see ``waits.py``)."""
    p = ctx.payload
    with engine.records.write() as conn:
        live = engine.cache.get(conn)
        obj = live.compiled.objects.get(p["object"])
        wf = _workflow(obj, p["workflow"]) if obj is not None else None
        if wf is None or not wf.active:
            return "workflow gone or inactive"
        trigger = f"{waits.TRIGGER_PREFIX}{p['run_id']}"
        record = engine._reload(conn, live, obj, int(p["record_id"])) if p.get("record_id") is not None else None
        if p.get("record_id") is not None and (record is None or record.get("deleted_at") is not None):
            return "record gone"
        if "payload" in p:
            return engine.run_payload(conn, live, obj, wf, p["payload"], SYSTEM, trigger, start=int(p["start"]),
                                      record=record).status
        scope = names(obj, record, SYSTEM, loader(conn, live))  # type: ignore[arg-type]
        return engine.run(conn, live, obj, wf, record, scope, SYSTEM, trigger,  # type: ignore[arg-type]
                          start=int(p["start"])).status


def _workflow(obj: CompiledObject, name: str) -> WorkflowDef | None:
    return next((w for w in obj.definition.workflows if w.name == name), None)
