"""The field editor: add, edit, retype and remove fields; check and try formulas before saving.

A save builds the whole object document with the field in place and shows
the plan. For a type change the plan carries the planner's conversion report
(how many values convert; a refusal names how many fail with five examples),
so the admin sees it before anything is applied.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import escape

from metacrm.metadata.expressions import code_problem
from metacrm.metadata.field_types import FIELD_TYPES
from metacrm.metadata.names import suggest_name
from metacrm.platform.errors import PlatformError
from metacrm.platform.logic.sandbox import evaluate
from metacrm.platform.web.session import current_actor

from .change_flow import Change, preview, service
from .field_forms import field_document, field_form_class, form_data, name_ok, type_choices
from .guard import admin_required

bp = Blueprint("admin_fields", __name__, url_prefix="/admin/objects/<name>/fields", template_folder="templates")


def _object(name: str) -> Any:
    obj = service().current().compiled.object(name)
    if obj is None:
        abort(404, description=f'There is no object "{name}".')
    return obj


def _objects() -> list[tuple[str, str]]:
    return sorted(((o.name, f"{o.definition.label} ({o.name})") for o in service().current().compiled.objects.values()),
                  key=lambda pair: pair[1].lower())


def _editor(obj: Any, form: Any, type_name: str, field: Any = None, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/field_editor.html", obj=obj.definition, form=form, type_name=type_name,
                           type_label=FIELD_TYPES.get(type_name).label, field=field, types=type_choices()), status


def _with_field(name: str, doc: dict[str, Any], replacing: str | None) -> dict[str, Any]:
    """The object's document with ``doc`` in place of the field ``replacing`` (or appended)."""
    current = service().export(name)
    fields = list(current.get("fields", []))
    at = next((i for i, f in enumerate(fields) if f["name"] == replacing), None)
    if at is None:
        fields.append(doc)
    else:
        fields[at] = doc
    return {**current, "fields": fields}


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new(name: str) -> ResponseReturnValue:
    obj = _object(name)
    type_name = request.values.get("type", "text")
    if type_name not in FIELD_TYPES:
        abort(404, description=f'There is no field type "{type_name}".')
    form = field_form_class(type_name, _objects())()
    if request.method == "POST" and not (form.name.data or "").strip() and form.label.data:
        form.name.data = suggest_name(form.label.data)
    if request.method == "POST" and form.validate_on_submit() and name_ok(form):
        doc = field_document(type_name, form.data)
        if doc["name"] in obj.fields:
            form.name.errors = [f'{obj.definition.label} already has a field named "{doc["name"]}".']
        else:
            return preview(Change("object", name, _with_field(name, doc, None)),
                           title=f"Add the field {doc['label']} to {obj.definition.label}",
                           next_url=url_for("admin_objects.detail", name=name),
                           back_url=url_for(".new", name=name, type=type_name))
    return _editor(obj, form, type_name, status=422 if request.method == "POST" else 200)


@bp.route("/<field>/edit", methods=["GET", "POST"])
@admin_required
def edit(name: str, field: str) -> ResponseReturnValue:
    obj = _object(name)
    current = obj.fields.get(field)
    if current is None:
        abort(404, description=f'{obj.definition.label} has no field "{field}".')
    previous = current.definition.to_json()
    type_name = request.values.get("type", current.definition.type)
    if type_name not in FIELD_TYPES:
        abort(404, description=f'There is no field type "{type_name}".')
    cls = field_form_class(type_name, _objects())
    form = cls() if request.method == "POST" else cls(data=form_data({**previous, "type": type_name}))
    if request.method == "POST" and form.validate_on_submit() and name_ok(form):
        doc = field_document(type_name, form.data, previous)
        if doc["name"] != field:
            doc["renamed_from"] = field
        retyped = type_name != current.definition.type
        title = (f"Change {current.definition.label} from {current.definition.type} to {type_name}" if retyped
                 else f"Change the field {doc['label']} of {obj.definition.label}")
        return preview(Change("object", name, _with_field(name, doc, field)), title=title,
                       next_url=url_for("admin_objects.detail", name=name),
                       back_url=url_for(".edit", name=name, field=field),
                       note=("Changing the type converts every stored value. The plan below says how many convert; "
                             "if any cannot, it names how many and shows examples, and nothing is applied.")
                       if retyped else "")
    return _editor(obj, form, type_name, current.definition, status=422 if request.method == "POST" else 200)


@bp.get("/<field>/remove")
@admin_required
def remove(name: str, field: str) -> ResponseReturnValue:
    obj = _object(name)
    if field not in obj.fields:
        abort(404)
    doc = service().export(name)
    doc["fields"] = [f for f in doc["fields"] if f["name"] != field]
    return preview(Change("object", name, doc), title=f"Remove the field {obj.fields[field].definition.label}",
                   next_url=url_for("admin_objects.detail", name=name),
                   back_url=url_for(".edit", name=name, field=field),
                   note="The column is archived with its values, and comes back if you restore the previous version.")


@bp.post("/check-formula")
@admin_required
def check_formula(name: str) -> str:
    """htmx: the formula's first syntax error with line and column, or that it reads well."""
    _object(name)
    problem = code_problem(request.form.get("formula", ""))
    if problem is None:
        return '<div class="text-success small" id="formula-check">The formula is valid.</div>'
    return (f'<div class="text-danger small" id="formula-check" role="alert">Line {problem.line}, column '
            f'{problem.column}: {escape(problem.message)}</div>')


@bp.post("/try-formula")
@admin_required
def try_formula(name: str) -> str:
    """htmx: the formula evaluated against one record the admin picks (read through the record service)."""
    obj = _object(name)
    source = request.form.get("formula", "")
    problem = code_problem(source)
    if problem is not None:
        return (f'<div class="text-danger small" id="formula-result" role="alert">Line {problem.line}, column '
                f'{problem.column}: {escape(problem.message)}</div>')
    try:
        record_id = int(request.form.get("record_id", ""))
    except ValueError:
        return '<div class="text-danger small" id="formula-result">Type the id of a record to try the formula on.</div>'
    platform = current_app.extensions["metacrm"]
    try:
        record = platform.records.get(current_actor(), name, record_id)
    except PlatformError as exc:
        return f'<div class="text-danger small" id="formula-result">{escape(exc.detail)}</div>'
    names = {f: record.get(f) for f in obj.fields}
    try:
        value = evaluate(source, names)
    except Exception as exc:  # noqa: BLE001 - every sandbox failure is the admin's message
        return f'<div class="text-danger small" id="formula-result" role="alert">{escape(str(exc))}</div>'
    return (f'<div class="small" id="formula-result">Record {record_id}: <strong>'
            f'{escape(repr(value))}</strong></div>')
