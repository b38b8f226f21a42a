"""The workflow editor: an object's workflows listed, built in a form, planned, then applied.

Like the validation rule editor, the page is a client of the metadata
service: the form becomes a workflow document (``workflow_forms``, pure),
the document goes into the object's definition, and ``editor_flow`` shows
the plan and applies it on confirmation. The condition is checked as it is
typed with ``check_expression_refs`` — the check the plan runs — so the
editor accepts exactly what the plan accepts; anything else the plan
refuses comes back beside its input and at the top with its JSON path.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from . import workflow_forms as wf
from .editor_flow import apply_posted, condition_issues, metadata, object_document, preview
from .guard import admin_required

bp = Blueprint("admin_workflows", __name__, url_prefix="/admin/objects/<object_name>/workflows",
               template_folder="templates")
_WORKFLOW_PATH = re.compile(r"workflows\[(\d+)\]\.?(.*)$")


class WorkflowForm(FlaskForm):
    """The workflow's own inputs and its trigger's; the action rows are parallel lists read beside it."""

    original = HiddenField()
    name = StringField("Name", validators=[DataRequired(), Length(max=40), Regexp(
        r"^[a-z][a-z0-9_]*$", message="Use lower case letters, digits and underscores, starting with a letter.")],
        description="Lower case letters, digits and underscores, such as won_deal_follow_up.")
    label = StringField("Label", validators=[Length(max=120)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    active = BooleanField("Active", default=True)
    trigger_type = SelectField("When", choices=wf.TRIGGER_CHOICES, default="created")
    changed_field = SelectField("Field", choices=[], validate_choice=False)
    changed_from = StringField("From (any value when empty; several: separate with commas)")
    changed_to = StringField("To (any value when empty; several: separate with commas)")
    time_field = SelectField("Date field", choices=[], validate_choice=False)
    time_offset = StringField("Offset", default="0")
    time_unit = SelectField("Unit", choices=wf.UNIT_CHOICES, default="days")
    time_direction = SelectField("Before or after", choices=wf.DIRECTION_CHOICES, default="after")
    cron = StringField("Cron (minute hour day month weekday)", description="Such as 0 7 * * 1-5: 7:00 on weekdays.")
    schedule_filter = StringField("Records it acts on (list filter)",
                                  description="Such as status=Open&due_date__lt=today")
    manual_label = StringField("Button label")
    secret_env = StringField("Secret name (optional)")
    form_name = StringField("Web form name")
    condition = TextAreaField("Condition (optional: the actions run only when it is true)")


def _object(object_name: str) -> Any:
    object_document(object_name)  # 404 for an unknown object
    return metadata().current().compiled.object(object_name)


def _workflows(object_name: str) -> list[dict[str, Any]]:
    return list(object_document(object_name).get("workflows", []))


def _choices(form: WorkflowForm, obj: Any) -> None:
    fields = [(f.name, f.definition.label) for f in obj.fields.values()]
    form.changed_field.choices = fields
    form.time_field.choices = [(f.name, f.definition.label) for f in obj.fields.values()
                               if f.definition.type in ("date", "datetime")
                               or getattr(f.definition, "result_type", None) in ("date", "datetime")]


def _runs_url(object_name: str, workflow: str = "") -> str | None:
    if "web_workflow_runs.runs" not in current_app.view_functions:
        return None
    return url_for("web_workflow_runs.runs", object=object_name, **({"workflow": workflow} if workflow else {}))


def beside(problems: list[dict[str, str]], index: int) -> dict[str, list[str]]:
    """Problems of the workflow at ``index`` keyed by the input they belong to: ``name``, ``condition``,
    ``trigger`` or ``actions[2]`` (paths of the form's own problems have no ``workflows[i].`` prefix)."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        path = problem.get("path", "")
        match = _WORKFLOW_PATH.search(path)
        if match and int(match.group(1)) != index:
            continue
        rest = match.group(2) if match else path
        key = re.match(r"(actions\[\d+\]|[a-z_]+)", rest)
        if key:
            found.setdefault(key.group(1), []).append(problem.get("message", ""))
    return found


def _page(obj: Any, form: WorkflowForm, rows: list[dict[str, str]], problems: list[dict[str, str]] | None = None,
          *, index: int = -1, document: dict[str, Any] | None = None, status: int = 200) -> Any:
    _choices(form, obj)
    problems = [{**p, "path": p.get("path", "").lstrip(".")} for p in problems or []]  # ".workflows[0]…"
    objects = sorted((o.name, o.definition.label) for o in metadata().current().compiled.objects.values())
    blank = wf.action_to_row({"type": "create_record", "object": "task" if "task" in dict(objects) else ""})
    rows = rows if rows or form.original.data or problems else [blank]
    return render_template("admin/workflow_editor.html", obj=obj, form=form, rows=rows, blank=blank,
                           objects=objects, action_choices=wf.ACTION_CHOICES, problems=problems,
                           beside=beside(problems, index),
                           document_json=json.dumps(document, indent=2, ensure_ascii=False) if document else "",
                           runs_url=_runs_url(obj.name, form.original.data or "")), status


@bp.get("/")
@admin_required
def index(object_name: str) -> Any:
    obj = _object(object_name)
    rows = [{"doc": w, "trigger": wf.describe_trigger(w.get("trigger") or {}), "active": wf.document_active(w),
             "actions": len(w.get("actions") or [])} for w in _workflows(object_name)]
    return render_template("admin/workflows.html", obj=obj, workflows=rows, runs_url=_runs_url(object_name))


@bp.get("/new")
@admin_required
def new(object_name: str) -> Any:
    obj = _object(object_name)
    form = WorkflowForm(formdata=None)
    return _page(obj, form, [])  # the page starts with one blank row (the template's)


@bp.get("/<name>")
@admin_required
def edit(object_name: str, name: str) -> Any:
    obj = _object(object_name)
    found = next((w for w in _workflows(object_name) if w.get("name") == name), None)
    if found is None:
        abort(404, description=f'{obj.definition.label} has no workflow "{name}".')
    data, rows = wf.workflow_to_data(found)
    form = WorkflowForm(formdata=None, original=name, **{k: v for k, v in data.items() if k != "active"},
                        active=bool(data["active"]))
    return _page(obj, form, rows, document=found)


@bp.post("/check")
@admin_required
def check(object_name: str) -> str:
    """htmx: the condition's problems (line and column, unknown fields) as the admin types."""
    obj = _object(object_name)
    source = request.form.get("condition", "")
    return render_template("admin/_workflow_check.html", issues=condition_issues(obj, source), empty=not source.strip())


@bp.post("/save")
@admin_required
def save(object_name: str) -> Any:
    obj = _object(object_name)
    form = WorkflowForm()
    _choices(form, obj)
    rows = wf.rows_from_lists(request.form.to_dict(flat=False))
    if not form.validate_on_submit():
        problems = [{"path": name, "message": "; ".join(errors)} for name, errors in form.errors.items()]
        return _page(obj, form, rows, problems, status=422)
    data = {name: field.data for name, field in form._fields.items() if isinstance(field.data, str)}
    data["active"] = "y" if form.active.data else ""
    try:
        workflow = wf.workflow_from_data(data, rows)
    except wf.FormProblems as exc:
        return _page(obj, form, rows, exc.problems, status=422)
    original = form.original.data or ""
    current = object_document(object_name)
    names = [w.get("name") for w in current.get("workflows", [])]
    if workflow["name"] != original and workflow["name"] in names:
        return _page(obj, form, rows, [{"path": "name", "message": f'a workflow "{workflow["name"]}" already '
                                        "exists on this object: choose another name"}], status=422)
    document = wf.with_workflow(current, original, workflow)
    index = next(i for i, w in enumerate(document["workflows"]) if w.get("name") == workflow["name"])
    return preview(document, title=f"Save workflow {workflow['name']} of {obj.definition.label}",
                   back=url_for(".index", object_name=object_name),
                   apply_url=url_for(".apply", object_name=object_name),
                   on_problem=lambda found: _page(obj, form, rows, found, index=index, document=workflow,
                                                  status=422))


@bp.post("/<name>/delete")
@admin_required
def delete(object_name: str, name: str) -> Any:
    return _change(object_name, name, wf.without_workflow, "Delete workflow")


@bp.post("/<name>/toggle")
@admin_required
def toggle(object_name: str, name: str) -> Any:
    return _change(object_name, name, wf.toggled, "Switch on or off workflow")


def _change(object_name: str, name: str, change: Any, verb: str) -> Any:
    """Plan ``change`` of the workflow ``name`` (delete or toggle); refusals go back to the list."""
    obj = _object(object_name)
    current = object_document(object_name)
    if not any(w.get("name") == name for w in current.get("workflows", [])):
        abort(404, description=f'{obj.definition.label} has no workflow "{name}".')
    back = url_for(".index", object_name=object_name)
    return preview(change(current, name), title=f"{verb} {name} of {obj.definition.label}", back=back,
                   apply_url=url_for(".apply", object_name=object_name),
                   on_problem=lambda found: (render_template("admin/plan_confirm.html", plan=None, form=None,
                                                             title=verb, back=back, apply_url="",
                                                             problems=found), 422))


@bp.post("/apply")
@admin_required
def apply(object_name: str) -> Any:
    obj = _object(object_name)
    return apply_posted(done=url_for(".index", object_name=object_name),
                        back=url_for(".index", object_name=object_name),
                        title=f"Save the workflows of {obj.definition.label}", reason="workflow editor")
