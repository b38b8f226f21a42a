"""Inbound webhooks of workflows (``workflows/inbound.py``).

``POST /api/v1/workflows/hooks/<object>/<workflow>`` — signed by the sender, no user: runs the
workflow with the JSON body as ``payload``; 202 with the run id. ``POST .../secret`` (admins) creates
or rotates the workflow's secret and shows it this once; ``GET .../secret`` (admins) says whether one
is set, by fingerprint.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from ..workflows.inbound import InboundHooks
from .auth import require_admin
from .context import platform

bp = Blueprint("workflow_hooks_api", __name__, url_prefix="/api/v1/workflows/hooks")


def hooks() -> InboundHooks:
    return InboundHooks(platform().workflows, str(current_app.config["SECRET_KEY"]).encode())


@bp.post("/<object_name>/<workflow>")
def receive(object_name: str, workflow: str) -> Response:
    result = hooks().receive(object_name, workflow, request.get_data(cache=False), request.headers)
    response = jsonify(result)
    response.status_code = 202
    return response


@bp.post("/<object_name>/<workflow>/secret")
def rotate_secret(object_name: str, workflow: str) -> Response:
    admin = require_admin("create webhook secrets")
    response = jsonify(hooks().rotate(object_name, workflow, admin.id))
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<object_name>/<workflow>/secret")
def secret_status(object_name: str, workflow: str) -> Response:
    require_admin("read webhook secrets")
    return jsonify(hooks().status(object_name, workflow))
