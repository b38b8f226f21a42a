"""REST endpoints for files: upload one (``POST /api/v1/files``), download a record's (``GET …/files/<field>``).

An upload answers with the reference a record's file field takes; saving the
record attaches it (see ``files/record_hooks.py``). A download reads the
record through the record service first, so record- and field-level security
apply exactly as to ``GET /api/v1/records/<object>/<id>``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import Unprocessable
from ..files.serving import allow_upload_body, record_file, sent_file, store_upload
from .context import platform
from .records_api import actor, purpose

bp = Blueprint("files_api", __name__, url_prefix="/api/v1")
UPLOAD_PART = "file"


@bp.post("/files")
def upload() -> Response:
    who = actor()  # authenticates first; a read-scope token is refused here
    store = platform().files
    allow_upload_body(request, store)
    part = request.files.get(UPLOAD_PART)
    if not sent_file(part):
        raise Unprocessable(f"send the file as multipart/form-data, in a part named \"{UPLOAD_PART}\" with a "
                            "file name", errors=[{"field": UPLOAD_PART, "code": "required", "message": "is required"}])
    stored = store_upload(store, who, part)  # type: ignore[arg-type]
    response = jsonify(stored.reference())
    response.status_code = 201
    return response


@bp.get("/records/<object_name>/<int:record_id>/files/<field>")
def download(object_name: str, record_id: int, field: str) -> Response:
    p = platform()
    record = p.records.get(actor(), object_name, record_id, purpose=purpose())
    obj = p.schema.get().compiled.object(object_name)
    assert obj is not None  # the get above found it
    return record_file(p.files, obj, record, field)
