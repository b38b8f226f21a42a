"""REST endpoints for records, generated from whatever objects the metadata defines.

Every handler is thin: it authenticates, reads the request, calls the
RecordService (the one write path) and renders JSON; errors the service
raises become RFC 9457 problem details in ``problems``.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, Response, jsonify, request, url_for

from ..errors import PlatformError, Unprocessable
from ..records import Actor
from ..security import masking
from .auth import require_user
from .bodies import json_body
from .context import platform

bp = Blueprint("records_api", __name__, url_prefix="/api/v1/records")
MAX_BULK = 1000
DEFAULT_HISTORY, MAX_HISTORY = 50, 200


class PreconditionRequired(PlatformError):
    """RFC 6585: a PATCH must say which version it changes, or it could overwrite blindly."""

    status, title, type_slug = 428, "Precondition required", "precondition-required"


def actor() -> Actor:
    return Actor.from_user(require_user())


def purpose() -> str:
    """Why the caller reads (``X-MetaCRM-Purpose``), kept in the access log of sensitive objects."""
    return request.headers.get("X-MetaCRM-Purpose", "").strip()


def _etag(record: Mapping[str, Any]) -> str:
    return f'"{record["version"]}"'


def record_response(object_name: str, record: Mapping[str, Any], status: int = 200) -> Response:
    response = jsonify(platform().records.to_json(object_name, record))
    response.status_code = status
    response.headers["ETag"] = _etag(record)
    return response


def _expected_version(body: Mapping[str, Any] | None) -> Any:
    """The version the client read: If-Match wins over a ``version`` field in the body."""
    header = request.headers.get("If-Match")
    if header:
        return header.strip().removeprefix("W/").strip('"')
    if body is not None and "version" in body:
        return body["version"]
    return None


@bp.post("/<object_name>")
def create(object_name: str) -> Response:
    who = actor()
    record = platform().records.create(who, object_name, json_body(what="the record"))
    response = record_response(object_name, record, 201)
    response.headers["Location"] = url_for(".get_record", object_name=object_name, record_id=record["id"])
    return response


@bp.get("/<object_name>/<int:record_id>")
def get_record(object_name: str, record_id: int) -> Response:
    record = platform().records.get(actor(), object_name, record_id, purpose=purpose())
    if request.if_none_match and request.if_none_match.contains(str(record["version"])):
        return Response(status=304, headers={"ETag": _etag(record)})
    return record_response(object_name, record)


@bp.patch("/<object_name>/<int:record_id>")
def update(object_name: str, record_id: int) -> Response:
    who = actor()
    body = json_body(what="the changes")
    expected = _expected_version(body)
    if expected is None:
        raise PreconditionRequired(
            "Say which version you are changing: send the ETag you read in If-Match, or a \"version\" field")
    if "id" in body and str(body["id"]) != str(record_id):  # the URL names the record; a body cannot re-aim it
        raise Unprocessable("The id in the body is not the record's", errors=[{
            "field": "id", "code": "read_only",
            "message": f"is set by MetaCRM and cannot be written (this is #{record_id})"}])
    changes = {k: v for k, v in body.items() if k not in ("version", "id")}
    record = platform().records.update(who, object_name, record_id, changes, expected_version=expected)
    return record_response(object_name, record)


@bp.delete("/<object_name>/<int:record_id>")
def delete(object_name: str, record_id: int) -> Response:
    who = actor()
    deleted = platform().records.delete(who, object_name, record_id, expected_version=_expected_version(None))
    return jsonify({"deleted": deleted})


@bp.post("/<object_name>/<int:record_id>/restore")
def restore(object_name: str, record_id: int) -> Response:
    return record_response(object_name, platform().records.restore(actor(), object_name, record_id))


@bp.post("/<object_name>/<int:record_id>/purge")
def purge(object_name: str, record_id: int) -> Response:
    return jsonify({"purged": platform().records.purge(actor(), object_name, record_id)})


@bp.post("/<object_name>/bulk")
def bulk(object_name: str) -> Response:
    """``{"create": [...]}`` or ``{"update": [{"id", "version", ...}]}``; ``"mode": "partial"`` opts out of all-or-nothing."""
    who = actor()
    body = json_body(what="the bulk request")
    mode = body.get("mode", "all_or_nothing")
    keys = [k for k in ("create", "update") if k in body]
    problems = []
    if mode not in ("all_or_nothing", "partial"):
        problems.append({"field": "mode", "message": 'must be "all_or_nothing" or "partial"'})
    if len(keys) != 1:
        problems.append({"field": "", "message": 'send exactly one of "create" or "update" (a list of records)'})
    elif not isinstance(body[keys[0]], list) or not body[keys[0]]:
        problems.append({"field": keys[0], "message": "must be a non-empty list of records"})
    elif len(body[keys[0]]) > MAX_BULK:
        problems.append({"field": keys[0], "message": f"may hold at most {MAX_BULK} records per request"})
    elif keys[0] == "update" and not all(isinstance(item, dict) for item in body["update"]):
        problems.append({"field": "update", "message": 'each update must be an object: {"id": ..., field: value}'})
    elif keys[0] == "update" and not all(isinstance(r, dict) for r in body["update"]):
        problems.append({"field": "update", "message": 'each update must be an object {"id": ..., field: value}'})
    if problems:
        raise Unprocessable("The bulk request is malformed", errors=problems)
    service, all_or_nothing = platform().records, mode == "all_or_nothing"
    if keys[0] == "create":
        result = service.bulk_create(who, object_name, body["create"], all_or_nothing=all_or_nothing)
        status = 201 if not result.errors else 200  # partial: some rows were refused
    else:
        result = service.bulk_update(who, object_name, body["update"], all_or_nothing=all_or_nothing)
        status = 200
    encode = service.json_encoder(object_name)
    response = jsonify({"data": [encode(r) for r in result.records],
                        "errors": result.errors})
    response.status_code = status
    return response


def page_response(object_name: str, page: Any) -> Response:
    encode = platform().records.json_encoder(object_name)
    body: dict[str, Any] = {"data": [encode(r) for r in page.records]}
    if page.groups is not None:
        body["groups"] = [_json_value(g) for g in page.groups]
    body["next_cursor"] = page.next_cursor
    if page.total is not None:
        body["total"] = page.total
    return jsonify(body)


def _json_value(group: Mapping[str, Any]) -> dict[str, Any]:
    """Group rows hold Decimals and dates; JSON gets exact text for them."""
    out = {}
    for key, value in group.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (bool, int, float, str)):
            value = str(value)
        out[key] = value
    return out


@bp.get("/<object_name>")
def list_records(object_name: str) -> Response:
    page = platform().records.reader.list(actor(), object_name, request.args, purpose=purpose())
    return page_response(object_name, page)


@bp.get("/<object_name>/recycle-bin")
def recycle_bin(object_name: str) -> Response:
    page = platform().records.reader.list(actor(), object_name, request.args, deleted="only", purpose=purpose())
    return page_response(object_name, page)


@bp.get("/<object_name>/<int:record_id>/related/<child_object>")
def related(object_name: str, record_id: int, child_object: str) -> Response:
    who = actor()
    platform().records.get(who, object_name, record_id, purpose=purpose())  # 404 for a missing or unreadable parent
    page = platform().records.reader.related(who, object_name, record_id, child_object, request.args,
                                             purpose=purpose())
    return page_response(child_object, page)


@bp.get("/<object_name>/<int:record_id>/history")
def history(object_name: str, record_id: int) -> Response:
    """The record's field history, newest first; readable by whoever may read the record."""
    who = actor()
    limit, before = int_arg("limit", 1, MAX_HISTORY), int_arg("before", 1, 2**63 - 1)
    records = platform().records
    records.get(who, object_name, record_id, include_deleted=True, purpose=purpose())
    page = platform().audit.history(object_name, record_id, limit=limit or DEFAULT_HISTORY, before_id=before)
    # The same field-level security as the record itself: hidden fields left out, masked ones masked.
    schema = records.cache.get().compiled
    obj = schema.objects[object_name]
    entries = masking.history_entries(who, schema, obj, page.entries, records.hooks.hidden_fields(who, schema, obj))
    return jsonify({"data": entries, "next_cursor": page.next_cursor})


def int_arg(name: str, low: int, high: int) -> int | None:
    """An optional whole-number query parameter within bounds, or a 422 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise Unprocessable(f'"{name}" must be a whole number from {low} to {high}',
                            errors=[{"field": name, "message": f"must be a whole number from {low} to {high}"}])
    return value


def text_arg(name: str, max_length: int = 200) -> str | None:
    """An optional text query parameter (empty = absent), or a 422 naming it: a NUL character or an
    overlong value never reaches the database (PostgreSQL refuses NUL in text)."""
    raw = request.args.get(name) or None
    if raw is not None and ("\x00" in raw or len(raw) > max_length):
        raise Unprocessable(f'"{name}" must be text of at most {max_length} characters without NUL',
                            errors=[{"field": name, "message": "contains a NUL character or is too long"}])
    return raw


search_bp = Blueprint("search_api", __name__, url_prefix="/api/v1")


@search_bp.get("/search")
def search() -> Response:
    text = request.args.get("q", "").strip()
    if not text:
        raise Unprocessable("Say what to search for", errors=[{"field": "q", "message": "must not be empty"}])
    hits = platform().records.reader.search(actor(), text, purpose=purpose())
    encoders = {name: platform().records.json_encoder(name) for name in {h["object"] for h in hits}}
    return jsonify({"data": [{**h, "record": encoders[h["object"]](h["record"])} for h in hits]})
