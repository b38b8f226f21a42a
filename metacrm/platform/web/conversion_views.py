"""The lead page's "Convert" button: a small form, then the conversion, then the new opportunity.

The form shows, per target, the record that would be created and the
existing records its match rules found (the user picks one, a new record or
another record by id), the opportunity's name, "do not create" for optional
targets and the owner. The work is ``ConversionService.convert`` — one
transaction as the user — exactly as the API does it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from ..conversions import ConversionService, parse_request
from ..errors import Forbidden, Unprocessable
from .record_context import context_for

bp = Blueprint("web_conversions", __name__)
OTHER = "other"


class ConvertForm(FlaskForm):
    """Only the CSRF token: the options are plain inputs named as the API's."""


@bp.route("/o/<object_name>/<int:record_id>/convert/<name>", methods=["GET", "POST"])
@login_required
def convert(object_name: str, record_id: int, name: str) -> Any:
    ctx = context_for(object_name)
    record = ctx.platform.records.get(ctx.actor, object_name, record_id)
    service = ConversionService(ctx.platform.records)
    conv = service.definition(object_name, name)
    back = f"/o/{object_name}/{record_id}"
    if conv.flag_field and record.get(conv.flag_field):
        flash(_("This %(label)s is already converted.", label=ctx.label), "warning")
        return redirect(back)
    errors: list[dict[str, Any]] = []
    error = None
    if request.method == "POST":
        try:
            result = service.convert(ctx.actor, object_name, record_id, name,
                                     parse_request(conv, _options(conv, request.form)))
        except (Unprocessable, Forbidden) as exc:
            error, errors = exc.detail, list(exc.extra.get("errors", []))
        else:
            flash(_("%(label)s “%(title)s” was converted.", label=ctx.label, title=ctx.title(record)), "success")
            for key in ("opportunity", *(t.key for t in reversed(conv.targets))):
                outcome = result.targets.get(key)
                if outcome is not None and outcome.id is not None:
                    return redirect(f"/o/{outcome.object}/{outcome.id}")
            return redirect(back)
    previews = service.preview(ctx.actor, object_name, record_id, name)
    users = [u for u in ctx.platform.users.list() if getattr(u, "is_active", True)]
    return render_template("web/records/convert.html", ctx=ctx, obj=ctx.obj, record=record, conv=conv,
                           title=ctx.title(record), previews=previews, users=users, form=ConvertForm(),
                           error=error, errors=errors, sent=request.form), (422 if error else 200)


def _options(conv: Any, form: Any) -> dict[str, Any]:
    """The form's inputs → the API's options (``<key>_id`` of "other" takes the id typed beside it)."""
    out: dict[str, Any] = {}
    for t in conv.targets:
        chosen = form.get(f"{t.key}_id", "")
        out[f"{t.key}_id"] = form.get(f"{t.key}_other", "").strip() if chosen == OTHER else chosen
        if form.get(f"{t.key}_name", "").strip():
            out[f"{t.key}_name"] = form.get(f"{t.key}_name")
        if t.optional and form.get(f"do_not_create_{t.key}"):
            out[f"do_not_create_{t.key}"] = True
    if form.get("owner_id"):
        out["owner_id"] = form.get("owner_id")
    return {k: v for k, v in out.items() if v not in ("", None)}

