"""The packs page: installed and available packs; install, upgrade and uninstall with a preview.

Each action is two steps, like the CLI's ``--dry-run`` then the real run: a
GET shows what the pack service *would* do (the plan: every metadata change,
safe or destructive, and upgrade conflicts), and the confirming POST (CSRF
protected) does it. A pack whose folder is broken shows its problems instead
of a plan; nothing is applied unless the plan is valid.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField

from metacrm.metadata.errors import MetadataError
from metacrm.metadata.packs import load_manifest
from metacrm.platform.errors import PlatformError
from metacrm.platform.packs import PackService, builtin_packs, open_pack

from .guard import admin_required, author
from .pack_catalogue import PackRow, catalogue

log = logging.getLogger(__name__)
bp = Blueprint("admin_packs", __name__, url_prefix="/admin/packs", template_folder="templates")
ACTIONS = ("install", "upgrade", "uninstall")


class PackActionForm(FlaskForm):
    demo = BooleanField("Also load the pack's demo records")
    purge = BooleanField("Also delete the pack's data for good (otherwise it is archived and can come back)")
    confirm = BooleanField("I have read the plan: apply it, destructive steps included")


def _service() -> PackService:
    platform = current_app.extensions["metacrm"]
    return PackService(platform.metadata, platform.records)


def _manifests() -> list[Any]:
    found = []
    for folder in builtin_packs():
        try:
            found.append(load_manifest(json.loads((folder / "pack.json").read_text("utf-8"))))
        except (OSError, ValueError, MetadataError) as exc:  # a broken folder must not hide the others
            log.warning("pack folder %s is unreadable: %s", folder, exc)
    return found


def _row(name: str) -> PackRow:
    row = next((r for r in catalogue(_manifests(), _service().installed()) if r.name == name), None)
    if row is None:
        abort(404, description=f'There is no pack "{name}".')
    return row


@bp.get("/")
@admin_required
def index() -> str:
    return render_template("admin/packs.html", rows=catalogue(_manifests(), _service().installed()))


def _run(action: str, name: str, form: PackActionForm, *, dry_run: bool) -> Any:
    service = _service()
    if action == "uninstall":
        return service.uninstall(name, purge=bool(form.purge.data), dry_run=dry_run, author=author())
    with open_pack(name) as source:
        if action == "install":
            return service.install(source, demo=bool(form.demo.data), dry_run=dry_run, author=author())
        return service.upgrade(source, dry_run=dry_run, confirm=bool(form.confirm.data), author=author())


@bp.route("/<name>/<action>", methods=["GET", "POST"])
@admin_required
def act(name: str, action: str) -> Any:
    if action not in ACTIONS:
        abort(404)
    row = _row(name)
    allowed = {"install": row.can_install, "upgrade": row.can_upgrade, "uninstall": row.can_uninstall}[action]
    if not allowed:
        flash(_not_allowed(action, row), "warning")
        return redirect(url_for(".index"))
    form = PackActionForm()
    if form.validate_on_submit():
        try:
            result = _run(action, name, form, dry_run=False)
        except PlatformError as exc:
            return render_template("admin/pack_preview.html", row=row, action=action, form=form, result=None,
                                   problem=exc), 422
        flash(_done(result), "success")
        return redirect(url_for(".index"))
    try:
        preview, problem = _run(action, name, form, dry_run=True), None
    except PlatformError as exc:
        preview, problem = None, exc
    return render_template("admin/pack_preview.html", row=row, action=action, form=form, result=preview,
                           problem=problem)


def _not_allowed(action: str, row: PackRow) -> str:
    if action == "install":
        return f"{row.label} is already installed."
    if row.installed is None:
        return f"{row.label} is not installed."
    if action == "uninstall":
        return f"{row.label} is required by {', '.join(row.required_by)}; uninstall those first."
    return f"{row.label} has no newer version to upgrade to."


def _done(result: Any) -> str:
    verb = {"installed": "Installed", "upgraded": "Upgraded", "uninstalled": "Uninstalled",
            "unchanged": "Nothing to do for"}.get(result.action, result.action)
    demo = ""
    if result.demo is not None:
        made = sum(result.demo.created.values())
        demo = f" Demo data: {made} record(s) created."
    return f"{verb} {result.name} {result.version}.{demo}"
