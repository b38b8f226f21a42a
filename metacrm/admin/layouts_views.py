"""The layout editor: arrange an object's sections and fields by drag and drop, preview, plan, apply.

The page edits one layout as a JSON draft. With JavaScript, SortableJS moves
field chips between a palette and the sections' columns and keeps the draft
in step; without it, the same draft is a textarea (the expert view). The
live preview posts the draft and gets back the *real* generated form
(FormFactory, the one the record pages use), so what the admin sees is what
users will get. Saving plans the object with the draft in place of the
layout; the plan is shown and a second, confirming POST applies it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from metacrm.metadata.layouts import LAYOUT_SYSTEM_FIELDS, LayoutDef, default_layout, layout_from_json
from metacrm.metadata.validation import schema_issues
from metacrm.platform.web.forms import FORMS, FormFactory

from .guard import admin_required
from .editor_flow import apply_posted, metadata, object_document, preview
from .item_lists import with_item

bp = Blueprint("admin_layouts", __name__, url_prefix="/admin/objects/<object_name>/layouts",
               template_folder="templates")
NEW = "_new"


class LayoutDraftForm(FlaskForm):
    original = HiddenField()
    layout = TextAreaField("Layout (JSON)")


def layout_json(layout: LayoutDef) -> dict[str, Any]:
    """A layout as the JSON document the schema describes (what the editor starts from)."""
    doc: dict[str, Any] = {"name": layout.name, "label": layout.label,
                           "sections": [{"label": s.label, "columns": s.columns, "collapsed": s.collapsed,
                                         "fields": list(s.fields)} for s in layout.sections]}
    if layout.description:
        doc["description"] = layout.description
    if layout.roles:
        doc["roles"] = list(layout.roles)
    if layout.default:
        doc["default"] = True
    if layout.highlights:
        doc["highlights"] = list(layout.highlights)
    if layout.overrides:
        doc["overrides"] = {k: dict(v) for k, v in layout.overrides.items()}
    return doc


def with_layout(document: dict[str, Any], original: str, draft: dict[str, Any]) -> dict[str, Any]:
    return with_item(document, "layouts", original, draft)


def parse_draft(raw: str | None) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """The posted draft and its schema problems (JSON paths under ``layout``)."""
    try:
        draft = json.loads(raw or "")
    except ValueError as exc:
        return None, [{"path": "layout", "message": f"is not valid JSON: {exc}"}]
    issues = schema_issues(draft, "layout", prefix="layout")
    return (draft if isinstance(draft, dict) else None), [{"path": i.path, "message": i.message} for i in issues]


def _compiled(object_name: str) -> Any:
    object_document(object_name)  # 404 for an unknown object
    return metadata().current().compiled.object(object_name)


def _layouts(obj: Any) -> list[LayoutDef]:
    return list(obj.definition.layouts) or [default_layout(obj.definition)]


@bp.get("/")
@admin_required
def index(object_name: str) -> str:
    obj = _compiled(object_name)
    return render_template("admin/layouts.html", obj=obj, layouts=_layouts(obj),
                           derived=not obj.definition.layouts)


def _editor(obj: Any, draft: dict[str, Any], original: str, problems: list[dict[str, str]] | None = None,
            status: int = 200, raw: str | None = None) -> Any:
    form = LayoutDraftForm(formdata=None, original=original, layout=raw or json.dumps(draft, indent=2))
    fields = [(f.name, f.definition.label, f.definition.type) for f in obj.fields.values()]
    fields += [(name, name.replace("_", " ").capitalize(), "system") for name in LAYOUT_SYSTEM_FIELDS]
    roles = sorted(metadata().current().compiled.bundle.roles)
    return render_template("admin/layout_editor.html", obj=obj, form=form, draft=draft, original=original,
                           fields=fields, roles=roles, problems=problems or []), status


@bp.get("/<layout_name>")
@admin_required
def edit(object_name: str, layout_name: str) -> Any:
    obj = _compiled(object_name)
    if layout_name == NEW:
        draft = layout_json(default_layout(obj.definition))
        draft.update(name=f"layout_{len(obj.definition.layouts) + 1}", label="New layout")
        draft.pop("default", None)
        return _editor(obj, draft, "")
    found = next((lay for lay in _layouts(obj) if lay.name == layout_name), None)
    if found is None:
        return render_template("admin/layouts.html", obj=obj, layouts=_layouts(obj),
                               derived=not obj.definition.layouts,
                               missing=layout_name), 404
    return _editor(obj, layout_json(found), layout_name if obj.definition.layouts else "")


@bp.post("/preview-form")
@admin_required
def live_preview(object_name: str) -> Any:
    """htmx: the generated form for the posted draft, or the draft's problems with their JSON paths."""
    obj = _compiled(object_name)
    draft, problems = parse_draft(request.form.get("layout"))
    if draft is None or problems:
        return render_template("admin/_problems.html", problems=problems), 422
    factory = FormFactory()
    factory._builders.update(FORMS._builders)  # plugin field types preview as they render (no cache pollution)
    form_cls = factory.build(obj, layout_from_json(draft))
    return render_template("admin/_layout_preview.html", form=form_cls(formdata=None, meta={"csrf": False}))


@bp.post("/save")
@admin_required
def save(object_name: str) -> Any:
    obj = _compiled(object_name)
    form = LayoutDraftForm()
    original = form.original.data or ""
    if not form.validate_on_submit():
        return _editor(obj, {}, original, [{"path": "", "message": "The form expired; reload the page."}], 400)
    draft, problems = parse_draft(form.layout.data)
    if draft is None or problems:
        return _redo(obj, form, original, problems)
    document = with_layout(object_document(object_name), original, draft)
    return preview(document, title=f"Save layout {draft['name']} of {obj.definition.label}",
                   back=url_for(".index", object_name=object_name),
                   apply_url=url_for(".apply", object_name=object_name),
                   on_problem=lambda found: _redo(obj, form, original, found))


def _redo(obj: Any, form: LayoutDraftForm, original: str, problems: list[dict[str, str]]) -> Any:
    """Back to the editor with the admin's own draft text and what is wrong with it (422)."""
    try:
        draft = json.loads(form.layout.data or "")
    except ValueError:
        draft = {}
    return _editor(obj, draft if isinstance(draft, dict) else {}, original, problems, 422, raw=form.layout.data)


@bp.post("/apply")
@admin_required
def apply(object_name: str) -> Any:
    obj = _compiled(object_name)
    return apply_posted(done=url_for(".index", object_name=object_name),
                        back=url_for(".index", object_name=object_name),
                        title=f"Save a layout of {obj.definition.label}", reason="layout editor")

