"""Legal holds and personal-data tools over REST (docs/data.md).

* ``POST/DELETE/GET /api/v1/records/<object>/<id>/legal-hold`` — admins place, clear and read a hold.
* ``GET /api/v1/privacy/<object>/<id>/export`` — everything held about a person (``?format=zip``: the JSON
  document plus the bytes of their files); ``/api/v1/privacy/contacts/<id>/export`` is the contact's.
* ``POST /api/v1/privacy/<object>/<id>/erase`` — anonymise a person; refused under legal hold.

Admins or users with the ``privacy_officer`` role; every call is in the security log.
"""

from __future__ import annotations

import io
import json
import zipfile

from flask import Blueprint, Response, jsonify, request

from ..privacy import events, subjects
from ..records import Actor
from ..security import security_log
from .auth import require_admin, require_user
from .context import platform

bp = Blueprint("privacy_api", __name__)
PLURALS = {"contacts": "contact", "leads": "lead"}


def _actor() -> Actor:
    return Actor.from_user(require_user())


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _object(name: str) -> str:
    return PLURALS.get(name, name)


@bp.get("/api/v1/records/<object_name>/<int:record_id>/legal-hold")
def get_hold(object_name: str, record_id: int) -> Response:
    require_admin("read legal holds")
    platform().records.require_access(_actor(), object_name, record_id, "read")
    hold = platform().legal_holds.get(object_name, record_id)
    return jsonify({"held": hold is not None, "legal_hold": hold.to_json() if hold else None})


@bp.post("/api/v1/records/<object_name>/<int:record_id>/legal-hold")
def set_hold(object_name: str, record_id: int) -> Response:
    user = require_admin("place legal holds")
    platform().records.require_access(_actor(), object_name, record_id, "read")
    body = _body()
    reason = str(body.get("reason", ""))[:500]
    hold = platform().legal_holds.set(object_name, record_id, reason=reason, actor_id=user.id)
    security_log.record(platform().engine, events.LEGAL_HOLD_SET, actor_id=user.id,
                        subject=f"{object_name}#{record_id}", detail={"reason": reason})
    return jsonify({"held": True, "legal_hold": hold.to_json()})


@bp.delete("/api/v1/records/<object_name>/<int:record_id>/legal-hold")
def clear_hold(object_name: str, record_id: int) -> Response:
    user = require_admin("clear legal holds")
    platform().records.require_access(_actor(), object_name, record_id, "read")  # 404 as for the others
    cleared = platform().legal_holds.clear(object_name, record_id)
    security_log.record(platform().engine, events.LEGAL_HOLD_CLEARED, actor_id=user.id,
                        subject=f"{object_name}#{record_id}", detail={"was_held": cleared})
    return jsonify({"held": False, "cleared": cleared})


@bp.get("/api/v1/privacy/<object_name>/<int:record_id>/export")
def export_subject(object_name: str, record_id: int) -> Response:
    name = _object(object_name)
    document = subjects.subject_export(platform(), _actor(), name, record_id)
    if request.args.get("format") != "zip":
        return jsonify(document)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject.json", json.dumps(document, indent=2, ensure_ascii=False))
        stored = subjects.file_bytes(platform(), [f["key"] for f in document["files"]])
        for f in document["files"]:
            archive.writestr(f"files/{f['id']}-{f['name']}", stored.get(f["key"], b""))
    response = Response(buffer.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{record_id}-data.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/v1/privacy/<object_name>/<int:record_id>/erase")
def erase_subject(object_name: str, record_id: int) -> Response:
    body = _body()
    result = subjects.erase_subject(platform(), _actor(), _object(object_name), record_id,
                                    reason=str(body.get("reason", "erasure request"))[:500])
    return jsonify(result)
