"""Metadata as JSON: export all or chosen objects; import a bundle after previewing its plan.

Import is an upsert (objects the bundle does not name are left alone), planned
and applied by the metadata service like every other change; an invalid
bundle comes back with its problems' JSON paths before anything is planned.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Optional

from .change_flow import Change, preview, service
from .guard import admin_required

bp = Blueprint("admin_bundle", __name__, url_prefix="/admin/metadata", template_folder="templates")


class ImportForm(FlaskForm):
    text = TextAreaField("Paste a bundle (JSON)", validators=[Optional()],
                         description='{"objects": [...]} or one object\'s definition.')
    upload = FileField("…or choose a .json file")


def partial_bundle(names: list[str]) -> dict[str, Any]:
    """The whole bundle, or only the chosen objects (roles and the rest belong to the whole)."""
    metadata = service()
    if not names:
        return metadata.export()
    return {"objects": [metadata.export(n) for n in names]}


@bp.get("/export")
@admin_required
def export() -> ResponseReturnValue:
    objects = service().current().compiled.objects
    chosen = [n for n in request.args.getlist("objects") if n in objects]
    if request.args.get("download"):
        body = json.dumps(partial_bundle(chosen), indent=2, ensure_ascii=False)
        name = "metacrm-metadata" + (f"-{'-'.join(chosen)}" if 0 < len(chosen) <= 3 else "") + ".json"
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    rows = sorted(((o.name, o.definition.label) for o in objects.values()), key=lambda r: r[1].lower())
    return render_template("admin/bundle_export.html", rows=rows)


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_bundle() -> ResponseReturnValue:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.upload.data
        raw = upload.read().decode("utf-8", "replace") if upload and getattr(upload, "filename", "") else form.text.data
        try:
            document = json.loads(raw or "")
        except ValueError as exc:
            form.text.errors = [f"This is not valid JSON: {exc}"]
        else:
            if isinstance(document, dict) and "objects" not in document and "name" in document:
                document = {"objects": [document]}  # one object's definition, as the JSON view shows it
            return preview(Change("bundle", "", document), title="Import metadata",
                           next_url=url_for("admin_objects.index"), back_url=url_for(".import_bundle"))
    return render_template("admin/bundle_import.html", form=form), (422 if request.method == "POST" else 200)
