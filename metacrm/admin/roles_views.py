"""Roles: a matrix of object permissions, a field-access grid per object, the hierarchy and sharing rules.

The matrix is a plain form (a checkbox per object and permission, a choice
per field), turned into a role document by a pure function and planned as
``{"roles": [doc]}`` — the same document the CLI and packs apply. Sharing
rules belong to objects, so a sharing rule added here plans the object with
the rule in place. Both go through plan → apply with the admin as author.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .guard import admin_required
from .editor_flow import apply_posted, metadata, object_document, preview

bp = Blueprint("admin_roles", __name__, url_prefix="/admin/roles", template_folder="templates")
PERMISSIONS = ("create", "read", "update", "delete", "view_all", "modify_all")
FIELD_ACCESS = ("", "read_only", "masked", "hidden")
NEW = "_new"


class RoleForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=40)])
    label = StringField("Label", validators=[Length(max=120)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    reports_to = SelectField("Reports to", choices=[], validate_choice=False)


class SharingRuleForm(FlaskForm):
    object_name = SelectField("Object", choices=[], validate_choice=False)
    rule_name = StringField("Rule name", validators=[DataRequired(), Length(max=40)])
    criteria = StringField("Records matching (list filters, e.g. region=EMEA&amount__gte=1000)",
                           validators=[DataRequired()])
    access = SelectField("Access", choices=[("read", "Read"), ("edit", "Read and edit")], default="read")
    role = HiddenField()


def role_document(form: Mapping[str, Any], objects: Mapping[str, Any]) -> dict[str, Any]:
    """The role document a posted matrix means: ``perm:<object>:<permission>`` boxes and
    ``field:<object>:<field>`` choices; only granted permissions and actual restrictions are written."""
    doc: dict[str, Any] = {"name": str(form.get("name", "")).strip()}
    for key in ("label", "description", "reports_to"):
        value = str(form.get(key, "") or "").strip()
        if value:
            doc[key] = value
    granted: dict[str, dict[str, bool]] = {}
    restricted: dict[str, dict[str, str]] = {}
    for obj in objects.values():
        perms = {p: True for p in PERMISSIONS if form.get(f"perm:{obj.name}:{p}")}
        if perms:
            granted[obj.name] = perms
        access = {f.name: form.get(f"field:{obj.name}:{f.name}") for f in obj.fields}
        access = {f: a for f, a in access.items() if a in FIELD_ACCESS[1:]}
        if access:
            restricted[obj.name] = access
    if granted:
        doc["objects"] = granted
    if restricted:
        doc["fields"] = restricted
    return doc


def _bundle() -> Any:
    return metadata().current().compiled.bundle


def _page(role: dict[str, Any], form: RoleForm, *, new: bool, problems: list[dict[str, str]] | None = None,
          status: int = 200) -> Any:
    bundle = _bundle()
    form.reports_to.choices = [("", "— nobody —")] + [(r, r) for r in sorted(bundle.roles) if r != role.get("name")]
    sharing = SharingRuleForm(formdata=None, role=role.get("name", ""))
    sharing.object_name.choices = [(name, obj.label) for name, obj in sorted(bundle.objects.items())]
    rules = [(obj.name, rule) for obj in bundle.objects.values() for rule in obj.sharing_rules
             if role.get("name") in rule.roles]
    return render_template("admin/role_editor.html", role=role, form=form, new=new, objects=bundle.objects,
                           permissions=PERMISSIONS, field_access=FIELD_ACCESS, sharing=sharing, rules=rules,
                           problems=problems or []), status


@bp.get("/")
@admin_required
def index() -> str:
    counts = current_app.extensions["metacrm"].users.role_counts()
    return render_template("admin/roles.html", roles=sorted(_bundle().roles.values(), key=lambda r: r.name),
                           counts=counts)


@bp.get("/<role_name>")
@admin_required
def edit(role_name: str) -> Any:
    if role_name == NEW:
        return _page({"objects": {}, "fields": {}}, RoleForm(formdata=None), new=True)
    role = _bundle().roles.get(role_name)
    if role is None:
        abort(404, description=f'There is no role "{role_name}".')
    doc = {"name": role.name, "label": role.label, "description": role.description, "reports_to": role.reports_to,
           "objects": role.objects, "fields": role.fields}
    form = RoleForm(formdata=None, name=role.name, label=role.label, description=role.description,
                    reports_to=role.reports_to or "")
    return _page(doc, form, new=False)


@bp.post("/save")
@admin_required
def save() -> Any:
    form = RoleForm()
    new = request.form.get("new") == "1"
    doc = role_document(request.form, _bundle().objects)
    if not form.validate_on_submit():
        problems = [{"path": name, "message": "; ".join(errors)} for name, errors in form.errors.items()]
        return _page(doc, form, new=new, problems=problems, status=422)
    return preview({"roles": [doc]}, title=f"Save role {doc['name']}", back=url_for(".index"),
                   apply_url=url_for(".apply"),
                   on_problem=lambda found: _page(doc, form, new=new, problems=found, status=422))


@bp.post("/sharing")
@admin_required
def add_sharing_rule() -> Any:
    """Share an object's records matching the criteria with the role (a rule on the object)."""
    form = SharingRuleForm()
    form.object_name.choices = [(name, name) for name in _bundle().objects]
    role = _bundle().roles.get(form.role.data or "")
    if role is None:
        abort(404, description="Save the role before sharing records with it.")
    back = url_for(".edit", role_name=role.name)
    if not form.validate_on_submit():
        problems = [{"path": name, "message": "; ".join(errors)} for name, errors in form.errors.items()]
        return render_template("admin/plan_confirm.html", plan=None, form=None, title="Add a sharing rule",
                               back=back, problems=problems), 422
    document = object_document(form.object_name.data or "")
    rule = {"name": form.rule_name.data.strip(), "criteria": form.criteria.data.strip(), "roles": [role.name],
            "access": form.access.data}
    rules = [r for r in document.get("sharing_rules", []) if r.get("name") != rule["name"]] + [rule]
    document = {**document, "sharing_rules": rules}

    def refused(found: list[dict[str, str]]) -> Any:
        return render_template("admin/plan_confirm.html", plan=None, form=None, title="Add a sharing rule",
                               back=back, problems=found), 422
    return preview(document, title=f"Share {document['name']} records with {role.name}", back=back,
                   apply_url=url_for(".apply"), on_problem=refused)


@bp.post("/apply")
@admin_required
def apply() -> Any:
    return apply_posted(done=url_for(".index"), back=url_for(".index"), title="Save a role",
                        reason="roles editor")
