"""Export the admin's customisations as a pack: a small form on the packs page, a .zip to download.

The consultant's delivery format (docs/packs.md "Exporting customisations"):
name, version and label, and which admin-owned items to include (objects,
objects of other packs the admin added fields to, roles). The pack service
builds the files and reads them back with the pack reader before the
download starts; problems are shown with their paths instead.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import InputRequired, Length

from metacrm.platform.errors import PlatformError
from metacrm.platform.packs import PackService, export

from .guard import admin_required

bp = Blueprint("admin_pack_export", __name__, url_prefix="/admin/packs", template_folder="templates")


class ExportForm(FlaskForm):
    name = StringField("Pack name", validators=[InputRequired(), Length(max=40)],
                       description="Lower case, digits and underscores, e.g. acme_sales")
    version = StringField("Version", default="1.0.0", validators=[InputRequired(), Length(max=40)])
    label = StringField("Label", validators=[Length(max=120)])
    items = SelectMultipleField("Include", option_widget=widgets.CheckboxInput(),
                                widget=widgets.ListWidget(prefix_label=False))


def _choices(platform: Any) -> list[tuple[str, str]]:
    """What the admin owns: ``object:NAME`` (own objects, or fields, rules, workflows, views and layouts
    added to a pack's) and ``role:NAME``."""
    layer = PackService(platform.metadata, platform.records).admin_layer()
    out = [(f"object:{n}", f"Object {n}") for n in sorted(layer["objects"])]
    out += [(f"object:{n}", f"Additions to {n} ({_kinds(layer['extensions'][n])})")
            for n in sorted(layer["extensions"]) if n not in layer["objects"]]
    out += [(f"role:{n}", f"Role {n}") for n in sorted(layer["roles"])]
    return out


def _kinds(extension: Any) -> str:
    """"fields, validation rules": what the admin added to one pack object."""
    return ", ".join(kind.replace("_", " ") for kind, items in extension.items() if items) or "nothing"


@bp.route("/export", methods=["GET", "POST"])
@admin_required
def export_pack() -> Any:
    platform = current_app.extensions["metacrm"]
    form = ExportForm()
    form.items.choices = _choices(platform)
    if not form.is_submitted():
        form.items.data = [value for value, _ in form.items.choices]
    problems: list[dict[str, Any]] = []
    if form.validate_on_submit():
        chosen = form.items.data or []
        everything = set(chosen) == {value for value, _ in form.items.choices}
        try:
            files = PackService(platform.metadata, platform.records).export(
                form.name.data.strip(), form.version.data.strip(), label=(form.label.data or "").strip(),
                objects=None if everything else [c.split(":", 1)[1] for c in chosen if c.startswith("object:")],
                roles=None if everything else [c.split(":", 1)[1] for c in chosen if c.startswith("role:")])
            data = export.zip_bytes(files)
        except PlatformError as exc:
            problems = exc.extra.get("errors") or [{"path": "", "message": exc.detail}]
        else:
            name = files["pack.json"]["name"]
            return Response(data, mimetype="application/zip", headers={
                "Content-Disposition": f'attachment; filename="{name}-{files["pack.json"]["version"]}.zip"'})
    status = 422 if form.is_submitted() else 200
    return render_template("admin/pack_export.html", form=form, problems=problems), status
