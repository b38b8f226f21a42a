"""Reading JSON request bodies the same way in every endpoint.

415 for another content type, 400 saying where the JSON breaks (Flask's own
400 does not tell the client what to fix), 413 above the configured limit
(raised by ``request.get_data``). Numbers with a fraction are parsed as
``Decimal`` so money sent as a JSON number is never rounded through a float.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import Unprocessable


def json_body(*, expect: type = dict, what: str = "the body") -> Any:
    """A record-shaped body: numbers with a fraction become exact ``Decimal``s."""
    body = _parse(what, parse_float=Decimal)
    if not isinstance(body, expect):
        kind = "object" if expect is dict else "array"
        raise Unprocessable(f"The body must be a JSON {kind}",
                            errors=[{"field": "", "path": "", "message": f"must be a JSON {kind}"}])
    return body


def definition_body() -> dict[str, Any]:
    """A metadata document: floats stay floats, since the document is stored back as JSON
    (a ``Decimal`` cannot be), and errors point at JSON paths like every metadata error."""
    body = _parse("the definition", parse_float=float)
    if not isinstance(body, dict):
        raise Unprocessable("The body must be a JSON object", errors=[{"path": "", "message": "must be an object"}])
    return body


def _parse(what: str, *, parse_float: Any) -> Any:
    if not request.is_json:
        raise UnsupportedMediaType(f'Send {what} as JSON, with "Content-Type: application/json"')
    try:
        return json.loads(request.get_data(), parse_float=parse_float)  # over MAX_CONTENT_LENGTH: 413 here
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8/16/32
        raise BadRequest(f"The body is not valid JSON: {exc}") from None
