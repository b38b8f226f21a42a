"""Every builder save in two steps: show the plan, then apply it — one flow for all pages.

A page turns the admin's form into a :class:`Change` (an object document, a
bundle, a deletion or a rollback) and renders :func:`preview`. The preview
carries the change in a hidden field to ``/admin/metadata/apply``, which
plans it *again* (the database may have moved on) and applies it with the
admin as author and their reason. Nothing here writes schema: the metadata
service does, exactly as for the CLI and the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length, Optional

from metacrm.platform.errors import ConfirmationRequired, PlatformError
from metacrm.platform.metadata_service import MetadataService
from metacrm.platform.storage.planner import Plan

from .guard import admin_required, author

bp = Blueprint("admin_change", __name__, url_prefix="/admin/metadata", template_folder="templates")
MODES = ("object", "bundle", "delete", "rollback")


@dataclass(frozen=True)
class Change:
    """What the admin asked for, carried from the preview to the confirming POST."""

    mode: str  # object: upsert ``document`` as object ``subject``; bundle; delete ``subject``; rollback to it
    subject: str = ""
    document: Any = None

    def plan(self, service: MetadataService) -> Plan:
        if self.mode == "object":
            return service.plan_object(self.subject, self.document)
        if self.mode == "bundle":
            return service.plan(self.document)
        if self.mode == "delete":
            return service.plan_delete(self.subject)
        return service.plan_rollback(int(self.subject))

    def encode(self) -> str:
        return json.dumps({"mode": self.mode, "subject": self.subject, "document": self.document})

    @classmethod
    def decode(cls, text: str) -> "Change":
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("mode") not in MODES:
            raise ValueError("not a change")
        return cls(data["mode"], str(data.get("subject") or ""), data.get("document"))


class ApplyForm(FlaskForm):
    change = HiddenField()
    next = HiddenField()
    back = HiddenField()
    title = HiddenField()
    reason = StringField("Why are you making this change?", validators=[Optional(), Length(max=500)],
                         description="Shown in the metadata history beside your name.")
    confirm = BooleanField("I have read the plan: apply it, destructive steps included")
    typed_name = StringField("Type the object's name to confirm")


def service() -> MetadataService:
    return current_app.extensions["metacrm"].metadata


def _local(url: str | None, fallback: str) -> str:
    """Only builder pages are redirect targets (never another site)."""
    return url if url and url.startswith("/admin/") and not url.startswith("//") else fallback


def preview(change: Change, *, title: str, next_url: str, back_url: str, form: ApplyForm | None = None,
            problem: PlatformError | None = None, status: int = 200, note: str = "") -> tuple[str, int]:
    """The plan page for ``change``: operations with safe/destructive badges and the data they touch."""
    plan = None
    if problem is None:
        try:
            plan = change.plan(service())
        except PlatformError as exc:
            problem, status = exc, exc.status
    form = form or ApplyForm(formdata=None, change=change.encode(), next=next_url, back=back_url, title=title)
    return render_template("admin/builder_plan.html", change=change, plan=plan, form=form, problem=problem,
                           title=title, back_url=back_url, note=note), (status if plan is None or plan.ok else 422)


@bp.post("/apply")
@admin_required
def apply() -> Any:
    form = ApplyForm()
    back = _local(form.back.data, url_for("admin_home.home"))
    title = form.title.data or "Apply a change"
    try:
        change = Change.decode(form.change.data or "")
    except (ValueError, TypeError):
        flash("The change could not be read; start again.", "danger")
        return redirect(back)
    if not form.validate_on_submit():
        return preview(change, title=title, next_url=form.next.data or "", back_url=back, form=form, status=400)
    if change.mode == "delete" and (form.typed_name.data or "").strip() != change.subject:
        form.typed_name.errors = [f'Type "{change.subject}" exactly to delete it.']
        return preview(change, title=title, next_url=form.next.data or "", back_url=back, form=form, status=422)
    metadata = service()
    try:
        plan = change.plan(metadata)
        rollback = change.mode == "rollback"
        done = metadata.apply(plan, author=author(), reason=(form.reason.data or "").strip()
                              or (f"restore version {change.subject}" if rollback else title),
                              confirm=bool(form.confirm.data) or change.mode == "delete",
                              kind="rollback" if rollback else None,
                              restored_from=int(change.subject) if rollback else None)
    except ConfirmationRequired:
        form.confirm.errors = ["This change removes or converts stored data: tick the box to confirm it."]
        return preview(change, title=title, next_url=form.next.data or "", back_url=back, form=form, status=422)
    except PlatformError as exc:
        return preview(change, title=title, next_url=form.next.data or "", back_url=back, form=form,
                       problem=exc, status=exc.status)
    if done is None:
        flash("Nothing changed: the metadata already says this.", "info")
    else:
        flash(f"Saved as metadata version {done.id}. You can restore the previous version from the history.",
              "success")
    return redirect(_local(form.next.data, back))
