"""The record page's state and approval panel: next-state buttons, the lock, and approval decisions.

``approval_panel(ctx, record)`` (a template global) says what the signed-in
user may do now — only the transitions their roles and the guards allow, the
Approve/Reject/Recall buttons only for an approver of the current step or the
submitter — asked of the platform's state machines and approvals, so a page
never offers what the service would refuse. Each button is a small POST form
(CSRF-checked app-wide) whose view calls the record service or the approvals
service and comes back to the record page with their answer as a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext as _
from flask_login import login_required

from ..api.context import platform
from ..errors import PlatformError
from ..records.errors import RecordInvalid
from .record_context import RecordContext, context_for
from .session import current_actor

bp = Blueprint("web_approvals", __name__)


@dataclass
class StatePanel:
    field: str
    label: str
    state: Any
    locked: bool
    next_states: list[str]


@dataclass
class ApprovalPanel:
    states: list[StatePanel] = field(default_factory=list)
    locked_reason: str | None = None
    request: dict[str, Any] | None = None  # the latest request
    processes: list[tuple[str, str]] = field(default_factory=list)  # (name, label) the user may submit to
    can_decide: bool = False
    can_recall: bool = False

    @property
    def shown(self) -> bool:
        return bool(self.states or self.processes or self.request)


@bp.app_template_global("approval_panel")
def approval_panel(ctx: RecordContext, record: Mapping[str, Any]) -> ApprovalPanel:
    definition = ctx.obj.definition
    panel = ApprovalPanel()
    if not definition.state_machines and not definition.approval_processes:
        return panel
    platform, actor = ctx.platform, ctx.actor
    may_edit = ctx.allows("update")
    pending = None
    if definition.approval_processes:
        history = platform.approvals.history(actor, ctx.obj.name, record["id"])
        panel.request = history[0] if history else None
        pending = panel.request if panel.request and panel.request["status"] == "pending" else None
        if pending and pending["locks"]:
            panel.locked_reason = _("Awaiting approval (%(process)s)", process=pending["process_label"])
        if pending:
            step = pending["steps"][pending["step"]]["approvers"] if pending["steps"] else []
            panel.can_decide = any(a["user_id"] == actor.id and a["decision"] is None for a in step)
            panel.can_recall = actor.id == pending["submitted_by"] or actor.is_admin
        elif may_edit:
            panel.processes = [(p.name, p.label) for p in definition.approval_processes]
    with platform.engine.connect() as conn:
        for m in definition.state_machines:
            f = ctx.obj.fields[m.field]
            if m.field in ctx.hidden:
                continue
            state = record.get(m.field)
            is_locked = m.locked(state)
            nxt = [] if (is_locked or not may_edit or panel.locked_reason or not ctx.allows("update", (m.field,))) \
                else platform.state_machines.allowed_moves(actor, ctx.obj, record, m, conn)
            panel.states.append(StatePanel(m.field, f.definition.label, state, is_locked, nxt))
            if is_locked and panel.locked_reason is None:
                panel.locked_reason = _("Locked in state %(state)s", state=state)
    return panel


def _back(object_name: str, record_id: int) -> Any:
    return redirect(f"/o/{object_name}/{record_id}")


def _refused(exc: PlatformError) -> None:
    if isinstance(exc, RecordInvalid) and exc.field_errors:
        flash("; ".join(e.message for e in exc.field_errors), "danger")
    else:
        flash(exc.detail, "danger")


@bp.post("/o/<object_name>/<int:record_id>/state")
@login_required
def move(object_name: str, record_id: int) -> Any:
    """Move the record to another state: the record service decides (transitions, roles, guards, locks)."""
    ctx = context_for(object_name)
    name = request.form.get("field", "")
    if not any(m.field == name for m in ctx.obj.definition.state_machines):
        flash(_("There is no state field “%(name)s”.", name=name), "danger")
        return _back(object_name, record_id)
    try:
        ctx.platform.records.update(ctx.actor, object_name, record_id, {name: request.form.get("to") or None},
                                    expected_version=request.form.get("version") or None)
    except PlatformError as exc:
        _refused(exc)
    else:
        flash(_("Moved to %(state)s.", state=request.form.get("to")), "success")
    return _back(object_name, record_id)


@bp.post("/o/<object_name>/<int:record_id>/approval/submit")
@login_required
def submit(object_name: str, record_id: int) -> Any:
    ctx = context_for(object_name)
    try:
        ctx.platform.approvals.submit(ctx.actor, object_name, record_id, process=request.form.get("process") or None,
                                      comment=request.form.get("comment"))
    except PlatformError as exc:
        _refused(exc)
    else:
        flash(_("Submitted for approval."), "success")
    return _back(object_name, record_id)


@bp.post("/approvals/requests/<int:request_id>/<any(approve, reject, recall):decision>")
@login_required
def decide(request_id: int, decision: str) -> Any:
    approvals = platform().approvals
    req = approvals.request(request_id)
    act = {"approve": approvals.approve, "reject": approvals.reject, "recall": approvals.recall}[decision]
    try:
        act(current_actor(), request_id, request.form.get("comment"))
    except PlatformError as exc:
        _refused(exc)
    else:
        done = {"approve": _("Approved."), "reject": _("Rejected."), "recall": _("Recalled.")}[decision]
        flash(done, "success")
    return _back(req["object"], req["record_id"])
