"""Save → plan → apply, shared by the layout, list view, rule and role editors.

An editor never writes metadata itself: it turns the admin's draft into a
document (an object with its new layouts/views/rules, or ``{"roles": [...]}``),
asks the metadata service for a *plan*, shows it, and only the confirming
POST (CSRF protected, carrying the same document) applies it, with the admin
as author. A draft the metadata checks refuse goes back to its editor with
every problem's JSON path, so nothing half-valid is ever stored.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable

from flask import abort, current_app, flash, redirect, render_template
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from metacrm.platform.errors import PlatformError

from .guard import author


class EditorPlanForm(FlaskForm):
    """The confirm step: the document being applied travels back with its CSRF token."""

    document = HiddenField()
    confirm = BooleanField("I have read the plan: apply it, destructive steps included")


def metadata() -> Any:
    return current_app.extensions["metacrm"].metadata


def object_document(object_name: str) -> dict[str, Any]:
    """A deep copy of the object's current definition, for an editor to change; 404 if unknown."""
    if metadata().current().compiled.object(object_name) is None:
        abort(404, description=f'There is no object "{object_name}".')
    return copy.deepcopy(metadata().export(object_name))


def problems_of(exc: PlatformError) -> list[dict[str, str]]:
    """The service's issues as ``{path, message}`` rows, the JSON path first (what a template lists)."""
    rows = [{"path": str(e.get("path") or e.get("field") or ""), "message": str(e.get("message", ""))}
            for e in exc.extra.get("errors", [])]
    return rows or [{"path": "", "message": exc.detail}]


def plan_document(document: dict[str, Any]) -> Any:
    """The plan of ``document``: one object (it has ``fields``) or a bundle (``roles``)."""
    if "fields" in document and isinstance(document.get("name"), str):
        return metadata().plan_object(document["name"], document)
    return metadata().plan(document)


def preview(document: dict[str, Any], *, title: str, back: str, apply_url: str,
            on_problem: Callable[[list[dict[str, str]]], Any]) -> Any:
    """Show the plan of ``document`` with a confirming form, or hand the problems to the editor."""
    try:
        plan = plan_document(document)
    except PlatformError as exc:
        return on_problem(problems_of(exc))
    if not plan.ok:
        return on_problem([{"path": i.path, "message": i.message} for i in plan.issues])
    form = EditorPlanForm(formdata=None, document=json.dumps(document))
    return render_template("admin/plan_confirm.html", plan=plan, form=form, title=title, back=back,
                           apply_url=apply_url, problems=[])


def apply_posted(*, done: str, back: str, title: str, reason: str) -> Any:
    """Apply the document of a confirming POST (planned again: the metadata may have moved since)."""
    form = EditorPlanForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired or was not sent from this site; open the editor again.")
    try:
        document = json.loads(form.document.data or "")
    except ValueError:
        abort(400, description="The change to apply is missing or is not JSON.")
    if not isinstance(document, dict):
        abort(400, description="The change to apply must be a JSON object.")
    try:
        plan = plan_document(document)
        result = metadata().apply(plan, author=author(), reason=reason, confirm=bool(form.confirm.data))
    except PlatformError as exc:
        return render_template("admin/plan_confirm.html", plan=None, form=form, title=title, back=back,
                               apply_url="", problems=problems_of(exc)), exc.status
    flash(f"{title}: saved as version {result.id}." if result is not None else f"{title}: nothing changed.",
          "success")
    return redirect(done)


def condition_issues(obj: Any, source: str) -> list[Any]:
    """The problems of a condition as the admin types it (syntax with line and column, unknown fields),
    by the check the plan itself runs; none for an empty condition."""
    from metacrm.metadata.logic import check_expression_refs  # noqa: PLC0415

    if not source.strip():
        return []
    return check_expression_refs(source, obj.definition, metadata().current().compiled.bundle, "condition")

