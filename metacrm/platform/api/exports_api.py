"""``GET /api/v1/records/<object>/export?format=json|csv|xlsx|<registered>``: a whole object, streamed.

The caller's own permissions apply (the records come through the reader, as a
list does): hidden fields are absent, masked ones masked, records they may not
read are not there. The list query language filters the export
(``?format=csv&status=open``).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, request, stream_with_context

from ..errors import Unprocessable
from ..exports.formats import export_format
from ..exports.records import export_source
from .context import platform
from .records_api import actor, purpose

bp = Blueprint("exports_api", __name__, url_prefix="/api/v1/records")


@bp.get("/<object_name>/export")
def export(object_name: str) -> Response:
    name = request.args.get("format", "json")
    try:
        fmt = export_format(name)
    except LookupError as exc:
        raise Unprocessable(str(exc), errors=[{"parameter": "format", "message": str(exc)}]) from None
    source = export_source(platform(), actor(), object_name, request.args.to_dict(flat=False),
                           purpose=purpose() or "export")
    response = Response(stream_with_context(fmt.writer(source)), mimetype=fmt.media_type)
    filename = f"{object_name}-{dt.date.today().isoformat()}.{fmt.extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
