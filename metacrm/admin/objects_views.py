"""The object manager: list, create, edit and delete objects — each save previewed as a plan first.

The pages build an object document and hand it to ``change_flow.preview``;
the metadata service plans and applies it, as it would a CLI or API call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from metacrm.metadata.names import suggest_name
from metacrm.platform.errors import NotFound

from .change_flow import Change, preview, service
from .field_forms import type_choices
from .guard import admin_required
from .object_forms import NewObjectForm, ObjectSettingsForm, new_object_document, updated_object_document

bp = Blueprint("admin_objects", __name__, url_prefix="/admin/objects", template_folder="templates",
               static_folder="static", static_url_path="/static")
#: Tabs another builder module may provide; shown only when its endpoint is registered.
SIBLING_TABS = (("admin_layouts.index", "Layouts"), ("admin_views.index", "List views"),
                ("admin_rules.index", "Rules"))


@dataclass(frozen=True)
class ObjectRow:
    name: str
    label: str
    icon: str
    records: int
    fields: int
    pack: str | None  # the pack that owns it, or None (an admin's or core's own)
    owner: str


def pack_of(owner: str) -> str | None:
    """``pack:real_estate@1.2.0`` → ``real_estate``."""
    return owner[5:].split("@", 1)[0] if owner.startswith("pack:") else None


def record_counts() -> dict[str, int]:
    """Live records per object: one COUNT per table, in one connection."""
    live = service().current()
    counts = {}
    with current_app.extensions["metacrm"].engine.connect() as conn:
        for name in live.compiled.objects:
            table = live.tables[name]
            counts[name] = conn.execute(sa.select(sa.func.count()).select_from(table)
                                        .where(table.c.deleted_at.is_(None))).scalar() or 0
    return counts


def _definition(name: str) -> Any:
    obj = service().current().compiled.object(name)
    if obj is None:
        abort(404, description=f'There is no object "{name}".')
    return obj.definition


@bp.get("/")
@admin_required
def index() -> str:
    counts = record_counts()
    rows = [ObjectRow(o.name, o.definition.label, o.definition.icon or "box-seam", counts.get(o.name, 0),
                      len(o.definition.fields), pack_of(o.definition.owner), o.definition.owner)
            for o in service().current().compiled.objects.values()]
    return render_template("admin/objects.html", rows=sorted(rows, key=lambda r: r.label.lower()))


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new() -> ResponseReturnValue:
    form = NewObjectForm()
    form.name_field.choices = [("", "—")]
    form.search_fields.choices = []
    if request.method == "POST" and not form.name.data and form.label.data:
        form.name.data = suggest_name(form.label.data)
    if form.validate_on_submit():
        doc = new_object_document(form.data)
        if service().current().compiled.object(doc["name"]) is not None:
            form.name.errors = [f'An object named "{doc["name"]}" already exists.']
        else:
            return preview(Change("bundle", "", {"objects": [doc]}), title=f"Create the object {doc['label']}",
                           next_url=url_for(".detail", name=doc["name"]), back_url=url_for(".new"))
    return render_template("admin/object_new.html", form=form), (422 if request.method == "POST" else 200)


def _settings_form(obj: Any) -> ObjectSettingsForm:
    form = ObjectSettingsForm(data={"label": obj.label, "plural_label": obj.plural_label, "icon": obj.icon,
                                    "description": obj.description, "name_field": obj.name_field or "",
                                    "search_fields": list(obj.search_fields)})
    names = [(f.name, f"{f.label} ({f.name})") for f in obj.fields]
    form.name_field.choices = [("", "—"), *names]
    form.search_fields.choices = names
    return form


@bp.route("/<name>/", methods=["GET", "POST"])
@admin_required
def detail(name: str) -> ResponseReturnValue:
    obj = _definition(name)
    form = _settings_form(obj)
    if form.validate_on_submit():
        doc = updated_object_document(service().export(name), form.data)
        return preview(Change("object", name, doc), title=f"Change the settings of {obj.label}",
                       next_url=url_for(".detail", name=name), back_url=url_for(".detail", name=name))
    tabs = [(endpoint, label) for endpoint, label in SIBLING_TABS if endpoint in current_app.view_functions]
    return render_template("admin/object_detail.html", obj=obj, form=form, tabs=tabs, types=type_choices(),
                           records=record_counts().get(name, 0), pack=pack_of(obj.owner)), \
        (422 if request.method == "POST" else 200)


@bp.get("/<name>/delete")
@admin_required
def delete(name: str) -> ResponseReturnValue:
    obj = _definition(name)
    return preview(Change("delete", name), title=f"Delete the object {obj.label}",
                   next_url=url_for(".index"), back_url=url_for(".detail", name=name),
                   note=f"{record_counts().get(name, 0)} record(s) of {obj.plural_label} are affected. Their table "
                        "is archived (restorable from the history) until purged.")


@bp.get("/<name>/json")
@admin_required
def as_json(name: str) -> ResponseReturnValue:
    """The expert view: the object's definition as the metadata service exports it (read only)."""
    try:
        doc = service().export(name)
    except NotFound:
        abort(404)
    return render_template("admin/object_json.html", obj=_definition(name),
                           text=json.dumps(doc, indent=2, ensure_ascii=False))


@bp.get("/suggest-name")
@admin_required
def suggest() -> str:
    """The name the server would choose for a label (the page's script does the same as you type)."""
    return suggest_name(request.args.get("label", "")) if request.args.get("label") else ""
