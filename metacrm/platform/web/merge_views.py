"""The merge page, and the probable-duplicates notice shown after a form creates a record.

``/o/<object>/<id>/merge?with=<other>`` shows both records side by side, a radio per field
whose values differ (this record's value chosen by default); posting it (CSRF-protected)
runs ``merge_records`` — one transaction as the user, exactly as the API does — and shows
the merged record. Without ``with`` the page lists the record's probable duplicates.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from ..duplicates import DuplicateFinder
from ..duplicates.merge import mergeable_fields, merge_records
from ..errors import PlatformError
from ..records.rows import safe_id
from .forms.display import show
from .record_context import RecordContext, context_for, lookup_labels

bp = Blueprint("web_merge", __name__)
#: Probable duplicates linked from the notice after a create; the rest are one click away (the pick page).
NOTICE_LINKS = 5


class MergeForm(FlaskForm):
    """Only the CSRF token: the choices are plain radios named after the fields."""


@bp.route("/o/<object_name>/<int:record_id>/merge", methods=["GET", "POST"])
@login_required
def merge(object_name: str, record_id: int) -> Any:
    ctx = context_for(object_name)
    records = ctx.platform.records
    master = records.get(ctx.actor, object_name, record_id, live=ctx.live)
    other = safe_id(request.args.get("with", ""))
    if other is None or other == record_id:
        stored = records.require_access(ctx.actor, object_name, record_id, "read")  # unmasked, to compare
        matches = DuplicateFinder(records).find(ctx.actor, object_name, stored, exclude_id=record_id, live=ctx.live)
        return render_template("web/merge/pick.html", ctx=ctx, obj=ctx.obj, record=master, matches=matches,
                               title=ctx.title(master))
    duplicate = records.get(ctx.actor, object_name, other, live=ctx.live)
    rows = _rows(ctx, master, duplicate)
    error, errors, status = None, [], 200
    form = MergeForm()
    if request.method == "POST" and form.validate_on_submit():
        choices = {r["name"]: request.form.get(r["name"], "master") for r in rows if r["differs"]}
        try:
            merge_records(records, ctx.actor, object_name, record_id, other, choices)
        except PlatformError as exc:
            error, errors, status = exc.detail, list(exc.extra.get("errors", [])), exc.status
        else:
            flash(_("%(duplicate)s was merged into %(master)s and moved to the recycle bin.",
                    duplicate=ctx.title(duplicate), master=ctx.title(master)), "success")
            return redirect(f"/o/{object_name}/{record_id}")
    elif request.method == "POST":
        error, status = _("The form expired; reload the page and try again."), 400
    sent = request.form if request.method == "POST" else {}
    return render_template("web/merge/merge.html", ctx=ctx, obj=ctx.obj, master=master, duplicate=duplicate,
                           rows=rows, form=form, error=error, errors=errors, sent=sent,
                           title=ctx.title(master), other_title=ctx.title(duplicate)), status


def _rows(ctx: RecordContext, master: Mapping[str, Any], duplicate: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per field the user sees, in the object's order; ``differs`` rows get a choice."""
    labels = lookup_labels(ctx, ctx.obj, [master, duplicate])
    mergeable = set(mergeable_fields(ctx.obj))
    read_only = ctx.read_only("update")
    rows = []
    for name, f in ctx.obj.fields.items():
        if name in ctx.hidden:
            continue
        differs = master.get(name) != duplicate.get(name) and name in mergeable and name not in read_only
        rows.append({"name": name, "label": f.definition.label or name, "differs": differs,
                     "master": show(ctx.obj, name, master, labels=labels),
                     "duplicate": show(ctx.obj, name, duplicate, labels=labels)})
    return rows


def duplicates_notice(ctx: RecordContext, record: Mapping[str, Any]) -> Markup | None:
    """After a form created ``record``: the warn rules' matches as links, each with a "Merge" link
    (merging the new record into the existing one), or None when there are none."""
    rules = [r for r in ctx.obj.definition.duplicate_rules if r.action == "warn"]
    if not rules:
        return None
    records = ctx.platform.records
    stored = records.require_access(ctx.actor, ctx.obj.name, record["id"], "read")  # unmasked, to compare
    matches = DuplicateFinder(records).find(ctx.actor, ctx.obj.name, stored, exclude_id=record["id"], rules=rules,
                                            live=ctx.live)
    if not matches:
        return None
    name, seen, items = ctx.obj.name, set(), []
    for m in matches:
        if m.id in seen:
            continue
        seen.add(m.id)
        if len(seen) > NOTICE_LINKS:  # the notice travels in the session cookie: keep it small
            continue
        items.append(Markup('<li><a href="/o/{n}/{id}">{title}</a> <span class="text-body-secondary">#{id}</span> '
                            '<a class="ms-2" href="/o/{n}/{id}/merge?with={new}">{merge}</a></li>')
                     .format(n=name, id=m.id, title=m.title, new=record["id"], merge=_("Merge")))
    if len(seen) > NOTICE_LINKS:
        items.append(Markup('<li><a href="/o/{n}/{new}/merge">{more}</a></li>').format(
            n=name, new=record["id"], more=_("and %(num)d more", num=len(seen) - NOTICE_LINKS)))
    heading = escape(_("This %(label)s may duplicate:", label=ctx.label.lower()))
    return Markup('<span class="duplicates-notice">{}</span><ul class="mb-0">{}</ul>').format(
        heading, Markup("").join(items))
