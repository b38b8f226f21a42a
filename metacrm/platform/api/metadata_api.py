"""REST endpoints for metadata: read, change (with dry-run plans), history, rollback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from ..storage.planner import Plan
from .auth import require_admin, require_user
from .bodies import definition_body
from . import metadata_view
from .context import platform

bp = Blueprint("metadata_api", __name__, url_prefix="/api/v1/metadata")


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes")


def _reason() -> str:
    return request.headers.get("X-MetaCRM-Reason") or request.args.get("reason", "")


def _plan_response(plan: Plan, *, creates: str | None = None) -> Response:
    """Dry run → the plan; otherwise apply it and return the new version with the plan.

    ``creates`` names an object the request brings into existence: RFC 9110
    §9.3.4 requires a PUT that creates its target to answer 201 Created.
    """
    if _flag("dry_run"):
        return jsonify({"dry_run": True, "plan": plan.to_json()})
    user = require_admin()
    version = platform().metadata.apply(plan, author=user.email, reason=_reason(), confirm=_flag("confirm"))
    response = jsonify({"plan": plan.to_json(), "version": version.to_json() if version else None})
    if creates and version:
        response.status_code = 201
        response.headers["Location"] = url_for(".get_object", name=creates)
    return response


@bp.get("/objects")
def list_objects() -> Response:
    """The objects the caller may read (all, for an admin), without the fields hidden from them."""
    user = require_user()
    live = platform().metadata.current()
    objects = metadata_view.object_definitions(metadata_view.caller_view(user, live.compiled), live.compiled)
    return jsonify({"version": live.version, "data": objects})


@bp.get("/objects/<name>")
def get_object(name: str) -> Response:
    user = require_user()
    live = platform().metadata.current()
    response = jsonify(metadata_view.object_definition(metadata_view.caller_view(user, live.compiled),
                                                       live.compiled, name))
    response.headers["ETag"] = f'"v{live.version}"'
    return response


@bp.put("/objects/<name>")
def put_object(name: str) -> Any:
    require_admin()
    plan = platform().metadata.plan_object(name, definition_body())
    new = any(op.object == name and op.kind in ("create_object", "rename_object") for op in plan.operations)
    return _plan_response(plan, creates=name if new else None)


@bp.delete("/objects/<name>")
def delete_object(name: str) -> Any:
    require_admin()
    return _plan_response(platform().metadata.plan_delete(name))


@bp.get("/history")
def history() -> Response:
    user = require_user()
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), 1000)
    view = None if user.is_admin else metadata_view.caller_view(user, platform().metadata.current().compiled)
    return jsonify({"data": [metadata_view.version_json(view, v) for v in platform().metadata.history(limit)]})


@bp.post("/rollback/<int:version>")
def rollback(version: int) -> Any:
    require_admin()
    plan = platform().metadata.plan_rollback(version)
    if _flag("dry_run"):
        return jsonify({"dry_run": True, "plan": plan.to_json()})
    user = require_admin()
    applied = platform().metadata.apply(plan, author=user.email, reason=_reason() or f"restore version {version}",
                                        confirm=_flag("confirm"), kind="rollback", restored_from=version)
    return jsonify({"plan": plan.to_json(), "version": applied.to_json() if applied else None})


@bp.get("/archives")
def archives() -> Response:
    require_admin()
    return jsonify({"data": [a.to_json() for a in platform().metadata.archives()]})

