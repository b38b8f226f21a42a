"""Uploads from a request and downloads through a record, shared by the web app and the REST API.

A download is always *of a record's field*: the caller first reads the record
through the record service (record-level security, then field-level: a hidden
field is not in the record handed back, a masked one is masked), and only the
key found there is served. So nobody downloads a file by knowing its key, and
whoever cannot see the field gets a 404 and no bytes.
"""

from __future__ import annotations

import io
from typing import Any, Mapping

from flask import Request, Response, send_file
from werkzeug.datastructures import FileStorage

from metacrm.metadata.compiled import CompiledObject

from ..errors import NotFound
from ..records.actor import Actor
from . import policy
from .store import FileStore, StoredFile

#: Multipart overhead allowed on top of the file itself (boundaries, headers, the other form fields).
MULTIPART_SLACK = 1024 * 1024
#: Downloads are never rendered as a page of ours: no script, no plugins, no framing.
SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def allow_upload_body(request: Request, store: FileStore) -> None:
    """Let this request's body hold one upload at the store's limit (before the form is parsed)."""
    wanted = store.max_bytes + MULTIPART_SLACK
    current = request.max_content_length
    if current is None or current < wanted:
        request.max_content_length = wanted


def store_upload(store: FileStore, actor: Actor, upload: FileStorage) -> StoredFile:
    """Store an uploaded part; its stream is read up to the limit, never further."""
    return store.put(actor, upload.filename or "", store.read_limited(upload.stream))


def sent_file(upload: FileStorage | None) -> bool:
    """Whether the browser really sent a file (an empty file input posts a part with no name)."""
    return upload is not None and bool(upload.filename)


def record_file(store: FileStore, obj: CompiledObject, record: Mapping[str, Any], field: str) -> Response:
    """The file a record's field points at, as the reader of ``record`` may see it; 404 otherwise."""
    compiled = obj.fields.get(field)
    value = record.get(field)
    if compiled is None or compiled.definition.type != "file" or not isinstance(value, Mapping) \
            or getattr(value, "masked", False):
        raise NotFound(f'{obj.definition.label} #{record.get("id")} has no file in "{field}"')
    found = store.content(str(value.get("key")))
    if found is None:
        raise NotFound(f'the file of "{field}" is no longer stored')
    return download(*found)


def download(stored: StoredFile, data: bytes) -> Response:
    inline = policy.disposition(stored.content_type) == "inline"
    # send_file writes the name as RFC 6266 wants (filename*=UTF-8'' for non-ASCII names); inline keeps it.
    response = send_file(io.BytesIO(data), mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.name, etag=stored.sha256, max_age=0, conditional=True)
    if inline:
        response.headers["Content-Disposition"] = "inline" + response.headers["Content-Disposition"][len("attachment"):]
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_CSP
    response.headers["Cache-Control"] = "private, no-cache"
    return response
