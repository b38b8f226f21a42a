"""The list view editor: columns, a visual filter builder over the query language, sort, page size, roles.

The filter builder writes exactly what a list URL carries (``amount__gte=1000``),
so a saved view stays readable and replays through the one query parser. The
draft is parsed by that parser before it is planned — relative dates, lists
and ranges included — and its complaints are shown next to the filters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from flask import Blueprint, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from metacrm.metadata.list_views import DEFAULT_PAGE_SIZE, DEFAULT_SORT, default_view
from metacrm.platform.errors import PlatformError
from metacrm.platform.query.model import FAMILY_OPERATORS
from metacrm.platform.query.parse import parse_query

from .editor_flow import apply_posted, metadata, object_document, preview
from .guard import admin_required
from .item_lists import with_item

bp = Blueprint("admin_views", __name__, url_prefix="/admin/objects/<object_name>/views", template_folder="templates")
FILTER_ROWS = 5
TYPE_FAMILIES = {"picklist": "choice", "multi_picklist": "choices", "integer": "number", "decimal": "number",
                 "currency": "number", "percent": "number", "date": "date", "datetime": "datetime",
                 "boolean": "boolean", "lookup": "reference", "master_detail": "reference", "file": "json"}
NOT_COLUMNS = ("long_text", "rich_text", "file")
OPERATOR_LABELS = {"eq": "is", "ne": "is not", "gt": "is more than", "gte": "is at least", "lt": "is less than",
                   "lte": "is at most", "in": "is one of", "nin": "is none of", "contains": "contains",
                   "icontains": "contains (any case)", "startswith": "starts with",
                   "istartswith": "starts with (any case)", "isnull": "is empty (true/false)",
                   "between": "is between (a,b)"}


class ViewForm(FlaskForm):
    original = HiddenField()
    name = StringField("Name", validators=[DataRequired(), Length(max=40)])
    label = StringField("Label", validators=[Optional(), Length(max=120)])
    sort = StringField("Sort", validators=[Optional(), Length(max=200)],
                       description='Field names separated by commas; a leading minus sorts descending: '
                                   '"-amount,title".')
    page_size = IntegerField("Rows per page", validators=[Optional(), NumberRange(10, 200)])
    default = BooleanField("The list opens with this view")


def operators_for(field_type: str) -> tuple[str, ...]:
    """The query-language operators that make sense for a field of ``field_type``."""
    return FAMILY_OPERATORS[TYPE_FAMILIES.get(field_type, "text")]


def filters_from(form: Mapping[str, Any]) -> dict[str, str]:
    """``{field or field__op: value}`` from the builder's rows (``filter_field``/``filter_op``/``filter_value``)."""
    keys = ("filter_field", "filter_op", "filter_value")
    fields, ops, values = (form.getlist(k) for k in keys)  # type: ignore[attr-defined]
    filters: dict[str, str] = {}
    for name, op, value in zip(fields, ops, values):
        if name and value.strip():
            filters[name if op in ("", "eq") else f"{name}__{op}"] = value.strip()
    return filters


def view_document(form: ViewForm, posted: Mapping[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": (form.name.data or "").strip()}
    if form.label.data:
        doc["label"] = form.label.data.strip()
    columns = [c for c in posted.getlist("columns") if c]  # type: ignore[attr-defined]
    if columns:
        doc["columns"] = columns
    filters = filters_from(posted)
    if filters:
        doc["filters"] = filters
    if form.sort.data and form.sort.data.strip() != DEFAULT_SORT:
        doc["sort"] = form.sort.data.strip()
    if form.page_size.data and form.page_size.data != DEFAULT_PAGE_SIZE:
        doc["page_size"] = form.page_size.data
    roles = [r for r in posted.getlist("roles") if r]  # type: ignore[attr-defined]
    if roles:
        doc["roles"] = roles
    if form.default.data:
        doc["default"] = True
    return doc


def query_problems(obj: Any, view: dict[str, Any]) -> list[dict[str, str]]:
    """What the list's own query parser says about the view's filters and sort (paths under ``filters``)."""
    params = {**view.get("filters", {}), **({"sort": view["sort"]} if view.get("sort") else {})}
    try:
        parse_query(obj, metadata().current().compiled, params, today=dt.date.today())
    except PlatformError as exc:
        return [{"path": f"filters.{e.get('parameter', '')}" if e.get("parameter") != "sort" else "sort",
                 "message": str(e.get("message", ""))} for e in exc.extra.get("errors", [])] or \
            [{"path": "filters", "message": exc.detail}]
    return []


def with_view(document: dict[str, Any], original: str, view: dict[str, Any]) -> dict[str, Any]:
    return with_item(document, "list_views", original, view)


def _object(object_name: str) -> Any:
    object_document(object_name)  # 404 for an unknown object
    return metadata().current().compiled.object(object_name)


def _page(obj: Any, form: ViewForm, view: dict[str, Any], problems: list[dict[str, str]] | None = None,
          status: int = 200) -> Any:
    defs = [f.definition for f in obj.fields.values()]
    chosen = list(view.get("columns") or [])
    columns = [(n, next((d.label for d in defs if d.name == n), n)) for n in chosen]
    columns += [(d.name, d.label) for d in defs if d.name not in chosen and d.type not in NOT_COLUMNS]
    filters = []
    for key, value in (view.get("filters") or {}).items():
        name, _, op = key.partition("__")
        filters.append((name, op or "eq", str(value).lower() if isinstance(value, bool) else str(value)))
    filters += [("", "eq", "")] * max(1, FILTER_ROWS - len(filters))
    return render_template("admin/views.html", obj=obj, form=form, views=obj.definition.list_views,
                           columns=columns, chosen=chosen, filters=filters, fields=defs,
                           operators={d.name: operators_for(d.type) for d in defs}, labels=OPERATOR_LABELS,
                           all_operators=tuple(OPERATOR_LABELS), view=view,
                           roles=sorted(metadata().current().compiled.bundle.roles),
                           problems=problems or []), status


@bp.get("/")
@admin_required
def index(object_name: str) -> Any:
    obj = _object(object_name)
    found = next((v for v in obj.definition.list_views if v.name == request.args.get("view")), None)
    if found is None:
        base = default_view(obj.definition)
        return _page(obj, ViewForm(formdata=None, sort=base.sort, page_size=base.page_size),
                     {"columns": list(base.columns)})
    view = {"name": found.name, "label": found.label, "columns": list(found.columns), "filters": dict(found.filters),
            "sort": found.sort, "page_size": found.page_size, "roles": list(found.roles), "default": found.default}
    form = ViewForm(formdata=None, original=found.name, name=found.name, label=found.label, sort=found.sort,
                    page_size=found.page_size, default=found.default)
    return _page(obj, form, view)


@bp.post("/save")
@admin_required
def save(object_name: str) -> Any:
    obj = _object(object_name)
    form = ViewForm()
    view = view_document(form, request.form)
    if not form.validate_on_submit():
        problems = [{"path": name, "message": "; ".join(errors)} for name, errors in form.errors.items()]
        return _page(obj, form, view, problems, 422)
    problems = query_problems(obj, view)
    if problems:
        return _page(obj, form, view, problems, 422)
    document = with_view(object_document(object_name), form.original.data or "", view)
    return preview(document, title=f"Save list view {view['name']} of {obj.definition.label}",
                   back=url_for(".index", object_name=object_name),
                   apply_url=url_for(".apply", object_name=object_name),
                   on_problem=lambda found: _page(obj, form, view, found, 422))


@bp.post("/apply")
@admin_required
def apply(object_name: str) -> Any:
    obj = _object(object_name)
    return apply_posted(done=url_for(".index", object_name=object_name),
                        back=url_for(".index", object_name=object_name),
                        title=f"Save a list view of {obj.definition.label}", reason="list view editor")
