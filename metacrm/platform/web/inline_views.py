"""Inline edit of one field on the record page, with htmx.

``GET …/field/<name>/edit`` swaps the field's display for a mini-form holding
the record's current version; ``POST`` saves that one field through the record
service and swaps back the display, or the mini-form with the service's error
(or the version conflict) and the user's input. ``GET …/field/<name>`` is the
display again (Cancel). Errors answer 200 so htmx swaps them in.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from ..errors import Forbidden
from ..records.errors import RecordInvalid, VersionConflict
from .forms import RecordForm
from .forms.display import show
from .record_context import RecordContext, context_for, lookup_labels, user_names
from .record_forms import prepare_choices, refuse_forged, show_errors

bp = Blueprint("web_inline", __name__)


def _editable(ctx: RecordContext, name: str) -> type[RecordForm]:
    form_cls = ctx.form_class("update")
    slot = form_cls.slots.get(name)
    if slot is None or not slot.inline_editable or not ctx.allows("update"):
        raise Forbidden(_("This field cannot be edited here."), object=ctx.obj.name, fields=[name])
    return form_cls


def _display(ctx: RecordContext, record: Mapping[str, Any], name: str, *, saved: bool = False) -> str:
    form_cls = ctx.form_class("update")
    labels = lookup_labels(ctx, ctx.obj, [record])
    users = user_names(ctx.platform, [record.get(k) for k in ("owner", "created_by", "updated_by")])
    return render_template("web/records/_field.html", ctx=ctx, record=record, slot=form_cls.slots[name],
                           editable=ctx.allows("update") and form_cls.slots[name].inline_editable, saved=saved,
                           value=show(ctx.obj, name, record, labels=labels, users=users))


def _mini_form(ctx: RecordContext, record: Mapping[str, Any], form: RecordForm, name: str, *,
               version: Any, message: str | None = None) -> str:
    prepare_choices(ctx, form, record)
    return render_template("web/records/_inline_form.html", ctx=ctx, record=record, form=form,
                           slot=form.slots[name], version=version, message=message)


@bp.get("/o/<object_name>/<int:record_id>/field/<name>")
@login_required
def field_display(object_name: str, record_id: int, name: str) -> Any:
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id)
    if name not in ctx.form_class("update").slots:
        raise Forbidden(_("This field is not on your layout."), object=object_name, fields=[name])
    return _display(ctx, record, name)


@bp.route("/o/<object_name>/<int:record_id>/field/<name>/edit", methods=["GET", "POST"])
@login_required
def field_edit(object_name: str, record_id: int, name: str) -> Any:
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id)
    form_cls = _editable(ctx, name)
    form = form_cls(data=form_cls.initial(record))
    if request.method == "GET":
        return _mini_form(ctx, record, form, name, version=record["version"])
    refuse_forged(ctx, form_cls, only=(name,))
    version = request.form.get("version") or record["version"]
    try:
        saved = ctx.platform.records.update(ctx.actor, object_name, record_id, form.record_data(only=(name,)),
                                            expected_version=version)
    except RecordInvalid as exc:
        summary = show_errors(form, exc.field_errors)
        others = [s.message for s in summary if s.anchor is None]
        return _mini_form(ctx, record, form, name, version=version, message=" ".join(others) or None)
    except VersionConflict:
        return _mini_form(ctx, record, form, name, version=version, message=_(
            "Someone else changed this record meanwhile; your value was not saved. Reload the page to see "
            "their change."))
    except Forbidden as exc:
        return _mini_form(ctx, record, form, name, version=version, message=exc.detail)
    return _display(ctx, saved, name, saved=True)
