"""The report builder: ``/reports/new`` and ``/reports/<name>/edit``, for administrators.

The form is turned into a report document, checked by the metadata loader
(every problem with its JSON path) and run unsaved as a preview; saving plans
the document and applies it with the admin as author, so a report built here
is versioned, exported and rolled back like any other metadata. The plan
that will be applied is shown beside the preview.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from metacrm.metadata.reports import AGGREGATE_FUNCTIONS, BUCKETS, CHART_TYPES, report_from_json

from ..errors import PlatformError
from ..query import QueryError
from .report_views import labels, platform, runner
from .report_widgets import widget_for

bp = Blueprint("web_report_builder", __name__, template_folder="templates")
NONE = SelectChoice("", "—")


class ReportForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=63)])
    label = StringField("Label", validators=[Optional(), Length(max=120)])
    object = SelectField("Object", validators=[DataRequired()])
    filters = StringField("Filters", validators=[Optional(), Length(max=2000)],
                          description="query language: stage=Won&close_date=this_quarter")
    group1 = StringField("Group by", validators=[Optional(), Length(max=63)])
    bucket1 = SelectField("Bucket", choices=[NONE, *[SelectChoice(b, b) for b in BUCKETS]], validators=[Optional()])
    group2 = StringField("Then by", validators=[Optional(), Length(max=63)])
    bucket2 = SelectField("Bucket", choices=[NONE, *[SelectChoice(b, b) for b in BUCKETS]], validators=[Optional()])
    function = SelectField("Aggregate", choices=[SelectChoice(f, f) for f in AGGREGATE_FUNCTIONS])
    field = StringField("Of field", validators=[Optional(), Length(max=63)])
    sort = StringField("Sort", validators=[Optional(), Length(max=200)])
    chart = SelectField("Chart", choices=[SelectChoice(c, c.replace("_", " ")) for c in CHART_TYPES])
    limit = IntegerField("Groups shown", default=100, validators=[Optional(), NumberRange(1, 1000)])
    document = HiddenField()


def _admin() -> None:
    if not current_user.user.is_admin:
        abort(403, description="Only administrators can build reports.")


def document_of(form: ReportForm) -> dict[str, Any]:
    """The form as a report document (what the loader checks and the metadata stores)."""
    doc: dict[str, Any] = {"name": form.name.data.strip(), "object": form.object.data, "chart": form.chart.data}
    if form.label.data:
        doc["label"] = form.label.data.strip()
    filters = dict(pair.split("=", 1) for pair in (form.filters.data or "").split("&") if "=" in pair)
    if filters:
        doc["filters"] = {k.strip(): v.strip() for k, v in filters.items()}
    groups = [(form.group1.data, form.bucket1.data), (form.group2.data, form.bucket2.data)]
    doc["group_by"] = [{"field": g.strip(), **({"bucket": b} if b else {})} for g, b in groups if g and g.strip()]
    if not doc["group_by"]:
        del doc["group_by"]
    agg = {"function": form.function.data}
    if form.field.data and form.field.data.strip():
        agg["field"] = form.field.data.strip()
    doc["aggregates"] = [agg]
    if form.sort.data:
        doc["sort"] = form.sort.data.strip()
    if form.limit.data and form.limit.data != 100:
        doc["limit"] = form.limit.data
    return doc


def _fill(form: ReportForm, report: Any) -> None:
    form.name.data, form.label.data, form.object.data = report.name, report.label, report.object
    form.filters.data = "&".join(f"{k}={v}" for k, v in report.filters.items())
    for i, g in enumerate(report.group_by[:2]):
        getattr(form, f"group{i + 1}").data, getattr(form, f"bucket{i + 1}").data = g.field, g.bucket or ""
    form.function.data, form.field.data = report.aggregates[0].function, report.aggregates[0].field or ""
    form.sort.data, form.chart.data, form.limit.data = report.sort or "", report.chart, report.limit


def _problems(exc: PlatformError) -> list[dict[str, str]]:
    return [{"path": e.get("path") or e.get("parameter") or "", "message": e.get("message", "")}
            for e in exc.extra.get("errors", [])] or [{"path": "", "message": exc.detail}]


@bp.route("/reports/new", methods=["GET", "POST"])
@bp.route("/reports/<name>/edit", methods=["GET", "POST"])
@login_required
def build(name: str | None = None) -> Any:
    _admin()
    run = runner()
    form = ReportForm()
    form.object.choices = [SelectChoice(n, o.definition.label) for n, o in sorted(run.live.compiled.objects.items())]
    if request.method == "GET" and name is not None:
        report = run.live.compiled.bundle.reports.get(name)
        if report is None:
            abort(404, description=f'There is no report "{name}".')
        _fill(form, report)
    plan, widget, problems = None, None, []
    if request.method == "POST" and form.validate_on_submit():
        document = document_of(form)
        try:
            plan = platform().metadata.plan({"reports": [document]})
            if not plan.ok:
                problems = [{"path": i.path, "message": i.message} for i in plan.issues]
            elif request.form.get("action") == "save":
                platform().metadata.apply(plan, author=str(current_user.user.email), reason=f"report {document['name']}")
                flash(f"Report {document['name']} saved.", "success")
                return redirect(f"/reports/{document['name']}")
            else:
                widget = widget_for(run.run(report_from_json(document)), labels(run))
                form.document.data = json.dumps(document)
        except QueryError as exc:
            problems = _problems(exc)
        except PlatformError as exc:
            problems = _problems(exc)
    elif request.method == "POST":
        problems = [{"path": k, "message": "; ".join(v)} for k, v in form.errors.items()]
    status = 422 if problems else 200
    return render_template("web/reports/builder.html", form=form, plan=plan, widget=widget, problems=problems,
                           editing=name), status
