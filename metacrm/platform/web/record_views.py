"""Record pages: new, view, edit, clone and delete, all through the record service.

Views stay thin: a :class:`RecordContext` says what the user may see and do,
the generated form carries what they typed to the service, and the service's
errors come back onto the form (field errors beside their inputs, a version
conflict as a banner, input kept). Unknown or unreadable records are the
shell's friendly 404 page; refusals its 403 page with the service's reason.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from metacrm.metadata.layouts import highlights

from ..errors import Forbidden
from ..records.deletion import delete_impact
from ..conversions.lock import converted_note
from ..files.serving import record_file
from ..records.errors import DeleteRestricted, RecordInvalid, VersionConflict
from .forms import RecordForm
from .forms import files as file_inputs
from .forms.display import show
from .approval_views import approval_panel
from .nav import remember_recent
from .record_context import RecordContext, context_for, lookup_labels, titles, user_names
from .record_forms import SummaryItem, clone_data, prefill, prepare_choices, refuse_forged, show_errors
from .record_page import related_lists, timeline
from .record_summary import summary_for
from .merge_views import duplicates_notice

bp = Blueprint("web_records", __name__)
MAX_BLOCKERS_SHOWN = 10


def record_url(object_name: str, record_id: int) -> str:
    return f"/o/{object_name}/{record_id}"


def _form_page(ctx: RecordContext, form: RecordForm, *, mode: str, record: Mapping[str, Any] | None = None,
               summary: list[SummaryItem] | None = None, conflict: str | None = None, status: int = 200,
               source: Mapping[str, Any] | None = None, sent_files: Mapping[str, Any] | None = None) -> Any:
    prepare_choices(ctx, form, record)
    form.file_states = file_inputs.states(type(form), ctx.platform.files, ctx.actor, record, sent_files)
    shown = record or source or {}
    labels = lookup_labels(ctx, ctx.obj, [shown]) if shown else {}
    users = user_names(ctx.platform, [shown.get(k) for k in ("owner", "created_by", "updated_by")])
    html = render_template("web/records/form.html", ctx=ctx, obj=ctx.obj, form=form, mode=mode, record=record,
                           summary=summary or [], conflict=conflict, title=ctx.title(record) if record else None,
                           display=lambda name: show(ctx.obj, name, shown, labels=labels, users=users))
    return html, status


@bp.route("/o/<object_name>/new", methods=["GET", "POST"])
@login_required
def new(object_name: str) -> Any:
    ctx = context_for(object_name)
    ctx.require("create")
    form_cls = ctx.form_class("create")
    if request.method == "GET":
        return _form_page(ctx, form_cls(data=prefill(form_cls, request.args)), mode="new")
    file_inputs.prepare_request(request, form_cls, ctx.platform.files)
    form = form_cls()
    refuse_forged(ctx, form_cls)
    uploads = file_inputs.collect(request, form_cls, ctx.platform.files, ctx.actor)
    try:
        if uploads.errors:  # the file was refused: nothing is saved, the rest of the input stays
            raise RecordInvalid(_("The file was not accepted."), [])
        record = ctx.platform.records.create(ctx.actor, object_name, {**form.record_data(), **uploads.values})
    except RecordInvalid as exc:
        return _form_page(ctx, form, mode="new", summary=show_errors(form, [*exc.field_errors, *uploads.errors]),
                          status=422, sent_files=uploads.values)
    except Forbidden as exc:
        return _form_page(ctx, form, mode="new", summary=[SummaryItem(_("Not saved"), exc.detail, None)],
                          status=403, sent_files=uploads.values)
    flash(_("%(label)s “%(title)s” was created.", label=ctx.label, title=ctx.title(record)), "success")
    notice = duplicates_notice(ctx, record)  # warn rules: probable duplicates, with links to merge
    if notice is not None:
        flash(notice, "warning")
    if request.form.get("save_and_new"):
        return redirect(f"/o/{object_name}/new")
    return redirect(record_url(object_name, record["id"]))


@bp.get("/o/<object_name>/<int:record_id>")
@login_required
def view(object_name: str, record_id: int) -> Any:
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id, live=ctx.live)
    remember_recent(object_name, record_id, ctx.title(record))
    form_cls = ctx.form_class("update")
    panel = approval_panel(ctx, record)
    # A locked state, a pending approval or a conversion makes the record read-only for everyone here.
    lock = panel.locked_reason or converted_note(ctx.obj.definition, record)
    can_edit = ctx.allows("update") and lock is None
    labels = lookup_labels(ctx, ctx.obj, [record])
    users = user_names(ctx.platform, [record.get(k) for k in ("owner", "created_by", "updated_by")])
    key_fields = [n for n in highlights(ctx.obj.definition, ctx.layout) if n in form_cls.slots]
    summary = summary_for(ctx, record, request.args)  # the object's configured record page (Customer 360), if any
    return render_template(
        "web/records/view.html", ctx=ctx, obj=ctx.obj, record=record, form_cls=form_cls, title=ctx.title(record),
        key_fields=key_fields, can_edit=can_edit, can_delete=ctx.allows("delete"),
        can_clone=ctx.allows("create"), timeline=timeline(ctx, record_id), summary=summary, panel=panel, lock=lock,
        related=summary.related if summary is not None else related_lists(ctx, record),
        display=lambda name: show(ctx.obj, name, record, labels=labels, users=users))


@bp.route("/o/<object_name>/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(object_name: str, record_id: int) -> Any:
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id)
    ctx.require("update", record=record)
    form_cls = ctx.form_class("update")
    if request.method == "GET":
        lock = approval_panel(ctx, record).locked_reason or converted_note(ctx.obj.definition, record)
        if lock is not None:
            flash(lock, "warning")  # the save would be refused: say why before anything is typed
            return redirect(record_url(object_name, record_id))
        return _form_page(ctx, form_cls(data=form_cls.initial(record)), mode="edit", record=record)
    file_inputs.prepare_request(request, form_cls, ctx.platform.files)
    form = form_cls(data=form_cls.initial(record))
    form.keep_read_only(record)
    refuse_forged(ctx, form_cls)
    uploads = file_inputs.collect(request, form_cls, ctx.platform.files, ctx.actor)
    try:
        if uploads.errors:
            raise RecordInvalid(_("The file was not accepted."), [])
        saved = ctx.platform.records.update(ctx.actor, object_name, record_id,
                                            {**form.record_data(), **uploads.values},
                                            expected_version=request.form.get("version") or record["version"])
    except RecordInvalid as exc:
        return _form_page(ctx, form, mode="edit", record=record,
                          summary=show_errors(form, [*exc.field_errors, *uploads.errors]), status=422,
                          sent_files=uploads.values)
    except VersionConflict:
        message = _("Someone else saved this %(label)s while you were editing it. Your changes are still below "
                    "but were not saved: open the latest version in a new tab, then save again here.",
                    label=ctx.label)
        return _form_page(ctx, form, mode="edit", record=record, conflict=message, status=409,
                          sent_files=uploads.values)
    except Forbidden as exc:
        return _form_page(ctx, form, mode="edit", record=record,
                          summary=[SummaryItem(_("Not saved"), exc.detail, None)], status=403,
                          sent_files=uploads.values)
    flash(_("%(label)s “%(title)s” was saved.", label=ctx.label, title=ctx.title(saved)), "success")
    return redirect(record_url(object_name, record_id))


@bp.get("/o/<object_name>/<int:record_id>/clone")
@login_required
def clone(object_name: str, record_id: int) -> Any:
    """A new-record form prefilled from this one (unique, computed and system fields left out)."""
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id)
    ctx.require("create")
    form_cls = ctx.form_class("create")
    return _form_page(ctx, form_cls(data=clone_data(form_cls, record)), mode="clone", source=record)


@bp.get("/o/<object_name>/<int:record_id>/file/<name>")
@login_required
def download(object_name: str, record_id: int, name: str) -> Any:
    """A file field's file, read through the record as this user sees it (404 when they cannot)."""
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id)
    return record_file(ctx.platform.files, ctx.obj, record, name)


class DeleteForm(FlaskForm):
    """Only the CSRF token: the record's version travels as a plain hidden input."""


@bp.route("/o/<object_name>/<int:record_id>/delete", methods=["GET", "POST"])
@login_required
def delete(object_name: str, record_id: int) -> Any:
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id)
    ctx.require("delete", record=record)
    error = None
    if request.method == "POST":
        try:  # CSRF was checked app-wide before this view ran
            ctx.platform.records.delete(ctx.actor, object_name, record_id,
                                        expected_version=request.form.get("version") or None)
        except DeleteRestricted as exc:
            error = exc.detail
        except VersionConflict:
            error = _("This %(label)s changed since you opened this page; review it and delete again.",
                      label=ctx.label)
            record = ctx.platform.records.get(ctx.actor, object_name, record_id)
        else:
            flash(_("%(label)s “%(title)s” was moved to the recycle bin.", label=ctx.label, title=ctx.title(record)),
                  "success")
            return redirect(f"/o/{object_name}")
    with ctx.platform.engine.connect() as conn:
        impact = delete_impact(conn, ctx.platform.records.cache.get(conn), object_name, record_id)
    schema = ctx.live.compiled
    blockers = {key: ids[:MAX_BLOCKERS_SHOWN] for key, ids in impact.blockers.items()}
    wanted: dict[str, set[int]] = {}
    for (other, _field), ids in blockers.items():
        wanted.setdefault(other, set()).update(ids)
    blocker_titles = titles(ctx, wanted)
    return render_template("web/records/delete.html", ctx=ctx, obj=ctx.obj, record=record, title=ctx.title(record),
                           impact=impact, schema=schema, blockers=blockers, blocker_titles=blocker_titles,
                           error=error, form=DeleteForm()), (409 if error else 200)
