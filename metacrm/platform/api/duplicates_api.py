"""Probable duplicates and merging over REST (docs/api.md, docs/import.md).

* ``GET /api/v1/records/<object>/<id>/duplicates`` — the records the object's duplicate rules say this
  one probably duplicates, as the caller may read them: ``{"matches": [{"rule", "id", "title", ...}]}``.
* ``POST /api/v1/records/<object>/<id>/merge`` — ``{"duplicate_id": N, "fields": {"email": "duplicate"}}``
  merges record N into this one (the master) in one transaction; answers the master as the API shows
  a record, with ``moved`` (the references now pointing at it) and ``deleted`` in the body's ``merge``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..duplicates import DuplicateFinder
from ..duplicates.merge import merge_records
from ..records import Actor
from ..records.errors import FieldError, invalid
from .auth import require_user
from .bodies import json_body
from .context import platform

bp = Blueprint("duplicates_api", __name__, url_prefix="/api/v1/records")


@bp.get("/<object_name>/<int:record_id>/duplicates")
def duplicates(object_name: str, record_id: int) -> Response:
    who = Actor.from_user(require_user())
    records = platform().records
    stored = records.require_access(who, object_name, record_id, "read")  # 404 when unreadable
    matches = DuplicateFinder(records).find(who, object_name, stored, exclude_id=record_id)
    return jsonify({"object": object_name, "id": record_id, "matches": [m.to_json() for m in matches]})


@bp.post("/<object_name>/<int:record_id>/merge")
def merge(object_name: str, record_id: int) -> Response:
    who = Actor.from_user(require_user())  # a read-only token is refused here (a POST)
    body = json_body(what="the merge")
    duplicate_id = body.get("duplicate_id")
    if not isinstance(duplicate_id, int) or isinstance(duplicate_id, bool):
        raise invalid(object_name, [FieldError("duplicate_id", "required", "must be the id of the record to merge")])
    records = platform().records
    result = merge_records(records, who, object_name, record_id, duplicate_id, body.get("fields") or {})
    document = records.to_json(object_name, result.master)
    document["merge"] = {"duplicate_id": duplicate_id, "moved": result.moved, "deleted": result.deleted}
    return jsonify(document)

