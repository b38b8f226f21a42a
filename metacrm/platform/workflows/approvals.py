"""Approvals at run time: submit a record, decide step by step, run the final actions, recall.

A request is one submission of one record to one of its object's approval
processes (``metadata/state_machines.py``). Approvers of every step are
resolved when it is submitted — a user, the owner's manager
(``metacrm_user.manager_id``), the active members of a role — so who decides
does not shift under a pending request. A step completes with one approval
(``any``) or every approver's (``all``); one rejection rejects the request.
The final approval or rejection, or the submitter's recall, runs the
process's actions through the workflow engine (action registry, run log,
rollback on failure) in the decision's transaction, with the record unlocked
for them. Every step is a row in ``metacrm_approval_event``: who, when, what,
with their comment. Approvers hear of their turn by an ``email.send`` job,
enqueued in the transaction and so sent only after it commits.

While a request of a process with ``lock`` is pending, the record refuses
updates and deletes from everyone (``locks.py``); recalling it unlocks it.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.state_machines import ApprovalProcessDef, ApprovalStepDef, approval_process
from metacrm.metadata.workflows import ActionDef, TriggerDef, WorkflowDef

from ..errors import Conflict, Forbidden, NotFound, Unprocessable
from ..records import rows as row_access
from ..records import values as record_values
from ..records.actor import Actor
from ..records.hooks import AccessRequest, SaveContext
from ..schema_cache import LiveSchema
from ..storage.platform_tables import user, user_role
from ..storage.store import utcnow
from .actions import ActionContext, register_action
from .approval_tables import approval_approver, approval_event, approval_request
from .conditions import ExpressionFailed, holds, loader, names
from .engine import JobsUnavailable, WorkflowEngine
from .locks import edits, is_unlocked, locked, unlocked

log = logging.getLogger(__name__)
PENDING = "pending"
STATUSES = ("pending", "approved", "rejected", "recalled")
MAX_COMMENT = 4000


class Approvals:
    def __init__(self, workflows: WorkflowEngine):
        self.workflows = workflows
        self.records = workflows.records
        self.cache = workflows.cache
        self.engine = workflows.engine

    def install(self) -> "Approvals":
        hooks = self.records.hooks
        hooks.before_save.insert(0, self.before_save)
        hooks.authorize.append(self.authorize)
        register_action("start_approval", start_approval)  # its keys are declared by the metadata layer
        return self

    # --- the lock while pending --------------------------------------------------------------
    def before_save(self, ctx: SaveContext) -> None:
        if ctx.operation != "update" or not ctx.obj.definition.approval_processes or ctx.previous is None:
            return
        rid = ctx.previous.get("id")
        if is_unlocked(ctx.conn, ctx.obj.name, rid) or not edits(ctx.obj, ctx.values, ctx.previous):
            return
        pending = _pending(ctx.conn, ctx.obj.name, rid)
        if pending is not None and pending.locks:
            raise locked(ctx.obj, ctx.previous, f"approval request #{pending.id} pending")

    def authorize(self, request: AccessRequest) -> None:
        if request.action != "delete" or request.record is None or not request.obj.definition.approval_processes:
            return
        with self.engine.connect() as conn:
            pending = _pending(conn, request.obj.name, request.record.get("id"))
        if pending is not None and pending.locks:
            raise locked(request.obj, request.record, f"approval request #{pending.id} pending")

    # --- submitting --------------------------------------------------------------------------
    def submit(self, actor: Actor, object_name: str, record_id: Any, *, process: str | None = None,
               comment: str | None = None) -> dict[str, Any]:
        """Submit a record the actor may edit; returns the new request."""
        record = self.records.require_access(actor, object_name, record_id, "update")
        with self.records.write() as conn:
            request_id = self.submit_in(conn, actor, object_name, record["id"], process, comment)
        return self.request(request_id)

    def submit_in(self, conn: Connection, actor: Actor, object_name: str, record_id: int,
                  process_name: str | None, comment: str | None = None) -> int:
        """Submit inside a write in progress (the ``start_approval`` action); returns the request's id."""
        live = self.cache.get(conn)
        obj = live.compiled.objects[object_name]
        record = record_values.from_row(obj, row_access.load(conn, live, obj, record_id, lock=True))
        process = self._choose(conn, live, obj, record, actor, process_name)
        pending = _pending(conn, obj.name, record["id"])
        if pending is not None:
            raise Conflict(f"{obj.definition.label} #{record['id']} already has a pending approval request "
                           f"(#{pending.id}); recall it first", request=pending.id)
        approvers = [self._approvers(conn, obj, record, process, step) for step in process.steps]
        now = utcnow()
        request_id = conn.execute(approval_request.insert().values(
            object=obj.name, record_id=record["id"], process=process.name, status=PENDING, step=0,
            locks=process.lock, submitted_by=actor.id, submitted_at=now).returning(approval_request.c.id)).scalar_one()
        conn.execute(approval_approver.insert(), [{"request_id": request_id, "step": i, "user_id": uid}
                                                  for i, users in enumerate(approvers) for uid in users])
        _event(conn, request_id, "submitted", None, actor, _comment(comment))
        self._notify(conn, obj, record, process, 0, approvers[0])
        return request_id

    def _choose(self, conn: Connection, live: LiveSchema, obj: CompiledObject, record: Mapping[str, Any],
                actor: Actor, name: str | None) -> ApprovalProcessDef:
        """The named process (its entry condition must hold), or the first whose entry condition holds."""
        processes = obj.definition.approval_processes
        if name is not None:
            process = approval_process(obj.definition, name)
            if process is None:
                raise NotFound(f'{obj.name} has no approval process "{name}"')
            processes = (process,)
        if not processes:
            raise Unprocessable(f"{obj.definition.label} records have no approval process")
        scope = names(obj, record, actor, loader(conn, live))
        for process in processes:
            try:
                if holds(process.entry_condition, scope):
                    return process
            except ExpressionFailed as exc:
                raise Unprocessable(f'the entry condition of "{process.label}" could not run: {exc}') from None
        which = f'"{processes[0].label}"' if len(processes) == 1 else "any approval process"
        raise Unprocessable(f"{obj.definition.label} #{record['id']} does not meet the entry condition of {which}",
                            errors=[{"field": "", "code": "entry_condition",
                                     "message": processes[0].entry_condition or ""}])

    def _approvers(self, conn: Connection, obj: CompiledObject, record: Mapping[str, Any],
                   process: ApprovalProcessDef, step: ApprovalStepDef) -> list[int]:
        a = step.approver
        if a.user is not None:
            query = sa.select(user.c.id).where(user.c.id == a.user, user.c.is_active.is_(True))
            who = f"the user #{a.user} (missing or inactive)"
        elif a.manager_of is not None:
            owner = record.get("owner")
            manager = conn.execute(sa.select(user.c.manager_id).where(user.c.id == owner)).scalar() if owner else None
            query = sa.select(user.c.id).where(user.c.id == manager, user.c.is_active.is_(True))
            who = f"the manager of the owner (user #{owner} has no active manager)"
        else:
            query = (sa.select(user.c.id).join(user_role, user_role.c.user_id == user.c.id)
                     .where(user_role.c.role == a.role, user.c.is_active.is_(True)).order_by(user.c.id))
            who = f'the role "{a.role}" (it has no active user)'
        found = list(dict.fromkeys(conn.execute(query).scalars()))
        if not found:
            raise Unprocessable(f'step "{step.label or step.name}" of "{process.label}" has no approver: {who}',
                                errors=[{"field": "", "code": "no_approver", "message": who}])
        return found

    def _notify(self, conn: Connection, obj: CompiledObject, record: Mapping[str, Any],
                process: ApprovalProcessDef, step: int, user_ids: list[int]) -> None:
        try:
            jobs = self.workflows.require_jobs()
        except JobsUnavailable:
            log.warning("approvers of %s #%s are not emailed: background jobs are not available",
                        obj.name, record.get("id"))
            return
        title = record.get(obj.definition.name_field or "") or f"#{record.get('id')}"
        name = process.steps[step].label or process.steps[step].name
        for row in conn.execute(sa.select(user.c.email, user.c.name).where(user.c.id.in_(user_ids))
                                .order_by(user.c.id)):
            jobs.enqueue(conn, "email.send", {
                "to": row.email, "subject": f"Approval requested: {obj.definition.label} {title}"[:250],
                "body": f"Hello {row.name or row.email},\n\n{obj.definition.label} {title} awaits your decision "
                        f'(step "{name}" of "{process.label}").\nOpen it: /o/{obj.name}/{record.get("id")}\n'})

    # --- deciding ----------------------------------------------------------------------------
    def approve(self, actor: Actor, request_id: int, comment: str | None = None) -> dict[str, Any]:
        return self._decide(actor, request_id, "approved", comment)

    def reject(self, actor: Actor, request_id: int, comment: str | None = None) -> dict[str, Any]:
        if not (comment or "").strip():
            raise Unprocessable("say why in a comment when you reject",
                                errors=[{"field": "comment", "code": "required", "message": "is required to reject"}])
        return self._decide(actor, request_id, "rejected", comment)

    def _decide(self, actor: Actor, request_id: int, decision: str, comment: str | None) -> dict[str, Any]:
        with self.records.write() as conn:
            req, live, obj, process = self._open(conn, request_id)
            mine = conn.execute(sa.select(approval_approver).where(
                approval_approver.c.request_id == req.id, approval_approver.c.step == req.step,
                approval_approver.c.user_id == actor.id)).first() if actor.id is not None else None
            if mine is None:
                raise Forbidden(f"you are not an approver of the current step of approval request #{req.id}",
                                request=req.id)
            if mine.decision is not None:
                raise Conflict(f"you already {mine.decision} this step of approval request #{req.id}")
            now = utcnow()
            conn.execute(approval_approver.update().where(approval_approver.c.id == mine.id)
                         .values(decision=decision, comment=_comment(comment), decided_at=now))
            _event(conn, req.id, decision, req.step, actor, _comment(comment))
            step = process.steps[req.step]
            if decision == "rejected":
                self._close(conn, live, obj, process, req, "rejected", process.on_reject, actor)
            elif step.mode == "any" or _all_approved(conn, req.id, req.step):
                if req.step + 1 < len(process.steps):
                    conn.execute(approval_request.update().where(approval_request.c.id == req.id)
                                 .values(step=req.step + 1))
                    record = _record(conn, live, obj, req.record_id)
                    waiting = list(conn.execute(sa.select(approval_approver.c.user_id).where(
                        approval_approver.c.request_id == req.id, approval_approver.c.step == req.step + 1)).scalars())
                    self._notify(conn, obj, record, process, req.step + 1, waiting)
                else:
                    self._close(conn, live, obj, process, req, "approved", process.on_approve, actor)
        return self.request(request_id)

    def recall(self, actor: Actor, request_id: int, comment: str | None = None) -> dict[str, Any]:
        """The submitter takes the request back (an admin may too, for one whose submitter left)."""
        with self.records.write() as conn:
            req, live, obj, process = self._open(conn, request_id)
            if not (actor.id is not None and actor.id == req.submitted_by) and not actor.is_admin:
                raise Forbidden(f"only the submitter may recall approval request #{req.id}", request=req.id)
            _event(conn, req.id, "recalled", req.step, actor, _comment(comment))
            self._close(conn, live, obj, process, req, "recalled", process.on_recall, actor)
        return self.request(request_id)

    def _open(self, conn: Connection, request_id: int) -> tuple[Any, LiveSchema, CompiledObject, ApprovalProcessDef]:
        req = conn.execute(sa.select(approval_request).where(approval_request.c.id == request_id)
                           .with_for_update()).first()
        if req is None:
            raise NotFound(f"there is no approval request #{request_id}")
        if req.status != PENDING:
            raise Conflict(f"approval request #{req.id} is already {req.status}", status=req.status)
        live = self.cache.get(conn)
        obj = live.compiled.objects.get(req.object)
        process = approval_process(obj.definition, req.process) if obj is not None else None
        if obj is None or process is None or req.step >= len(process.steps):
            raise Unprocessable(f'the approval process "{req.process}" of {req.object} no longer exists as it was; '
                                "recall the request")
        return req, live, obj, process

    def _close(self, conn: Connection, live: LiveSchema, obj: CompiledObject, process: ApprovalProcessDef,
               req: Any, status: str, actions: tuple[ActionDef, ...], actor: Actor) -> None:
        """End the request (so it no longer locks), then run the process's actions for that outcome."""
        conn.execute(approval_request.update().where(approval_request.c.id == req.id)
                     .values(status=status, decided_at=utcnow()))
        if not actions:
            return
        record = _record(conn, live, obj, req.record_id)
        if record is None:
            return  # the record went to the recycle bin meanwhile: the decision stands, nothing to act on
        wf = WorkflowDef(name=f"approval.{process.name}"[:40], label=f'{process.label} ({status})',
                         trigger=TriggerDef("manual"), actions=actions)
        with unlocked(conn, obj.name, record["id"]):
            self.workflows.run(conn, live, obj, wf, record, names(obj, record, actor, loader(conn, live)), actor,
                               f"approval.{status}", self.workflows.depth_of(conn))

    # --- reading -----------------------------------------------------------------------------
    def request(self, request_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(approval_request).where(approval_request.c.id == request_id)).first()
            if row is None:
                raise NotFound(f"there is no approval request #{request_id}")
            return _request_json(conn, self.cache.get(conn), row)

    def history(self, actor: Actor, object_name: str, record_id: Any) -> list[dict[str, Any]]:
        """Every request of a record the actor may read, newest first, with approvers and decisions."""
        record = self.records.require_access(actor, object_name, record_id, "read")
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(approval_request).where(
                approval_request.c.object == object_name, approval_request.c.record_id == record["id"])
                .order_by(approval_request.c.id.desc())).all()
            live = self.cache.get(conn)
            return [_request_json(conn, live, r) for r in rows]

    def pending_for(self, actor: Actor) -> list[dict[str, Any]]:
        """The actor's queue: pending requests whose current step awaits their decision."""
        if actor.id is None:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(approval_request).join(approval_approver, sa.and_(
                approval_approver.c.request_id == approval_request.c.id,
                approval_approver.c.step == approval_request.c.step))
                .where(approval_request.c.status == PENDING, approval_approver.c.user_id == actor.id,
                       approval_approver.c.decision.is_(None)).order_by(approval_request.c.id)).all()
            live = self.cache.get(conn)
            return [_request_json(conn, live, r) for r in rows]


def start_approval(ctx: ActionContext) -> Mapping[str, Any]:
    """The ``start_approval`` workflow action: submit the triggering record, in the save's transaction."""
    request_id = Approvals(ctx.engine).submit_in(ctx.conn, ctx.actor, ctx.obj.name, ctx.record["id"],
                                                 ctx.params["process"], ctx.params.get("comment"))
    return {"request": request_id, "process": ctx.params["process"]}


# --- helpers ----------------------------------------------------------------------------------
def _pending(conn: Connection, object_name: str, record_id: Any) -> Any:
    return conn.execute(sa.select(approval_request.c.id, approval_request.c.locks).where(
        approval_request.c.object == object_name, approval_request.c.record_id == record_id,
        approval_request.c.status == PENDING)).first()


def _all_approved(conn: Connection, request_id: int, step: int) -> bool:
    decisions = conn.execute(sa.select(approval_approver.c.decision).where(
        approval_approver.c.request_id == request_id, approval_approver.c.step == step)).scalars().all()
    return all(d == "approved" for d in decisions)


def _record(conn: Connection, live: LiveSchema, obj: CompiledObject, record_id: int) -> dict[str, Any] | None:
    table = live.tables[obj.name]
    row = conn.execute(sa.select(table).where(table.c.id == record_id, table.c.deleted_at.is_(None))).mappings().first()
    return record_values.from_row(obj, row) if row is not None else None


def _comment(comment: str | None) -> str | None:
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise Unprocessable(f"a comment has at most {MAX_COMMENT} characters",
                            errors=[{"field": "comment", "code": "too_long", "message": "is too long"}])
    return text or None


def _event(conn: Connection, request_id: int, action: str, step: int | None, actor: Actor,
           comment: str | None) -> None:
    conn.execute(approval_event.insert().values(request_id=request_id, action=action, step=step, actor_id=actor.id,
                                                comment=comment, at=utcnow()))


def _request_json(conn: Connection, live: LiveSchema, row: Any) -> dict[str, Any]:
    obj = live.compiled.objects.get(row.object)
    process = approval_process(obj.definition, row.process) if obj is not None else None
    approvers = conn.execute(sa.select(approval_approver, user.c.email, user.c.name)
                             .join(user, user.c.id == approval_approver.c.user_id)
                             .where(approval_approver.c.request_id == row.id)
                             .order_by(approval_approver.c.step, approval_approver.c.id)).all()
    events = conn.execute(sa.select(approval_event, user.c.email)
                          .outerjoin(user, user.c.id == approval_event.c.actor_id)
                          .where(approval_event.c.request_id == row.id).order_by(approval_event.c.id)).all()
    steps = []
    for i, step in enumerate(process.steps if process else ()):
        steps.append({"name": step.name, "label": step.label or step.name, "mode": step.mode, "approvers": [
            {"user_id": a.user_id, "email": a.email, "name": a.name, "decision": a.decision, "comment": a.comment,
             "decided_at": _at(a.decided_at)} for a in approvers if a.step == i]})
    current = process.steps[row.step] if process and row.step < len(process.steps) else None
    return {"id": row.id, "object": row.object, "record_id": row.record_id, "process": row.process,
            "process_label": process.label if process else row.process, "status": row.status, "step": row.step,
            "step_name": current.name if current else None, "locks": bool(row.locks),
            "submitted_by": row.submitted_by, "submitted_at": _at(row.submitted_at), "decided_at": _at(row.decided_at),
            "steps": steps, "events": [{"action": e.action, "step": e.step, "actor_id": e.actor_id, "actor": e.email,
                                        "comment": e.comment, "at": _at(e.at)} for e in events]}


def _at(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
