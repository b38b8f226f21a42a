"""The validation rule editor: a rule's condition checked as it is typed, tried on a record, then planned.

The inline check runs the metadata's own checks on the condition (syntax
and forbidden constructs with line and column, unknown fields with "did you
mean"), so what the editor accepts is what the plan accepts. "Try it on a
record" evaluates the condition in the same sandbox the record service uses,
with a real record read through the record service (so as the admin may see
it). Saving puts the rule into the object's document and goes through
plan → apply like every other change.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from metacrm.metadata.logic import check_expression_refs
from metacrm.platform.errors import PlatformError
from metacrm.platform.logic.record_logic import RecordLogic
from metacrm.platform.logic.sandbox import evaluate
from metacrm.platform.web.session import current_actor

from .guard import admin_required
from .editor_flow import apply_posted, condition_issues, metadata, object_document, preview
from .item_lists import with_item

bp = Blueprint("admin_rules", __name__, url_prefix="/admin/objects/<object_name>/rules", template_folder="templates")
WHEN = [("always", "Every save"), ("create", "Only when a record is created"),
        ("update", "Only when a record is changed")]


class RuleForm(FlaskForm):
    original = HiddenField()
    name = StringField("Name", validators=[DataRequired(), Length(max=40)],
                       description="Lower case letters, digits and underscores, such as close_date_in_future.")
    condition = TextAreaField("Condition (must be true for the record to be saved)", validators=[DataRequired()])
    message = StringField("Message shown when the condition is false", validators=[DataRequired(), Length(max=500)])
    fields = SelectMultipleField("Show the message on these fields", choices=[], validate_choice=False)
    when = SelectField("When", choices=WHEN, default="always")
    active = BooleanField("Active", default=True)


def rule_document(form: RuleForm) -> dict[str, Any]:
    """The rule as the validation rule schema describes it (defaults left out)."""
    doc: dict[str, Any] = {"name": (form.name.data or "").strip(), "condition": form.condition.data or "",
                           "message": (form.message.data or "").strip()}
    if form.fields.data:
        doc["fields"] = list(form.fields.data)
    if form.when.data and form.when.data != "always":
        doc["when"] = form.when.data
    if not form.active.data:
        doc["active"] = False
    return doc


def with_rule(document: dict[str, Any], original: str, rule: dict[str, Any]) -> dict[str, Any]:
    return with_item(document, "validation_rules", original, rule)


def _object(object_name: str) -> Any:
    object_document(object_name)  # 404 for an unknown object
    return metadata().current().compiled.object(object_name)


def _page(obj: Any, form: RuleForm, problems: list[dict[str, str]] | None = None, status: int = 200) -> Any:
    form.fields.choices = [(f.name, f.definition.label) for f in obj.fields.values()]
    return render_template("admin/rules.html", obj=obj, form=form, rules=obj.definition.validation_rules,
                           problems=problems or []), status


@bp.get("/")
@admin_required
def index(object_name: str) -> Any:
    obj = _object(object_name)
    chosen = next((r for r in obj.definition.validation_rules if r.name == request.args.get("rule")), None)
    if chosen is None:
        return _page(obj, RuleForm(formdata=None))
    form = RuleForm(formdata=None, original=chosen.name, name=chosen.name, condition=chosen.condition,
                    message=chosen.message, fields=list(chosen.fields), when=chosen.when, active=chosen.active)
    return _page(obj, form)


@bp.post("/check")
@admin_required
def check(object_name: str) -> str:
    """htmx: the condition's problems (line and column) as the admin types, or that it reads well."""
    obj = _object(object_name)
    source = request.form.get("condition", "")
    return render_template("admin/_rule_check.html", issues=condition_issues(obj, source), empty=not source.strip())


@bp.post("/try")
@admin_required
def try_on_record(object_name: str) -> Any:
    """htmx: does the posted condition pass for the chosen record (read as the admin may see it)?"""
    obj = _object(object_name)
    source, record_id = request.form.get("condition", ""), request.form.get("record_id", "").strip()
    issues = check_expression_refs(source, obj.definition, metadata().current().compiled.bundle, "condition")
    if issues or not record_id.isdigit():
        return render_template("admin/_rule_try.html", outcome=None,
                               error=issues[0].message if issues else "Give the number (id) of a record.")
    actor = current_actor()
    try:
        record = current_app.extensions["metacrm"].records.get(actor, object_name, int(record_id))
        scope = RecordLogic().names(obj, dict(record), actor, None)
        outcome = bool(evaluate(source, scope))
    except PlatformError as exc:
        return render_template("admin/_rule_try.html", outcome=None, error=exc.detail)
    except Exception as exc:  # noqa: BLE001 - a sandbox failure is the admin's answer, not a crash
        return render_template("admin/_rule_try.html", outcome=None, error=str(exc))
    return render_template("admin/_rule_try.html", outcome=outcome, error=None, record_id=record_id)


@bp.post("/save")
@admin_required
def save(object_name: str) -> Any:
    obj = _object(object_name)
    form = RuleForm()
    form.fields.choices = [(f.name, f.definition.label) for f in obj.fields.values()]
    if not form.validate_on_submit():
        problems = [{"path": name, "message": "; ".join(errors)} for name, errors in form.errors.items()]
        return _page(obj, form, problems, 422)
    rule = rule_document(form)
    document = with_rule(object_document(object_name), form.original.data or "", rule)
    return preview(document, title=f"Save validation rule {rule['name']} of {obj.definition.label}",
                   back=url_for(".index", object_name=object_name),
                   apply_url=url_for(".apply", object_name=object_name),
                   on_problem=lambda found: _page(obj, form, found, 422))


@bp.post("/apply")
@admin_required
def apply(object_name: str) -> Any:
    obj = _object(object_name)
    return apply_posted(done=url_for(".index", object_name=object_name),
                        back=url_for(".index", object_name=object_name),
                        title=f"Save a validation rule of {obj.definition.label}", reason="validation rule editor")
