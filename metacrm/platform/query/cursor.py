"""Opaque keyset cursors: the last row's sort values, bound to the object and sort.

Offset paging skips rows or shows them twice when records are added while a
user pages, and gets slower with every page; a cursor says "continue after
this row" instead. It is URL-safe base64 of JSON with a type tag per value
and a checksum, so a truncated, edited or foreign cursor is refused with a
400 rather than silently starting somewhere else. The checksum is not a
signature: a hand-made cursor can only reposition the page — its values are
validated like filter values, bound as parameters and combined with the
query's own filters — so it can never widen what a user sees.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any, Sequence

FORMAT = 1
MAX_LENGTH = 4096
#: The value tag each storage kind must carry.
KIND_TAGS = {"string": "s", "text": "s", "integer": "i", "reference": "i", "decimal": "n", "date": "d",
             "datetime": "t", "boolean": "b"}


class CursorError(ValueError):
    """A cursor that is not one of ours, or not for this query."""


def _tagged(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return ["b", "true" if value else "false"]
    if isinstance(value, int):
        return ["i", str(value)]
    if isinstance(value, (Decimal, float)):
        return ["n", str(value)]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    return ["s", str(value)]


def _checksum(body: list[Any]) -> str:
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(object_name: str, signature: str, values: Sequence[Any]) -> str:
    """The cursor that continues after a row whose sort values are ``values``."""
    body = [FORMAT, object_name, signature, [_tagged(v) for v in values]]
    text = json.dumps([*body, _checksum(body)], separators=(",", ":"), ensure_ascii=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str, object_name: str, signature: str, kinds: Sequence[str]) -> list[str | None]:
    """The raw value texts of a cursor made for this object and sort; raises CursorError.

    ``kinds`` are the storage kinds of the sort keys; each value's tag must match.
    The caller coerces the texts with the fields' types.
    """
    if len(token) > MAX_LENGTH or not token.isascii():
        raise CursorError("is not a cursor returned by this API")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, ValueError):
        raise CursorError("is not a cursor returned by this API") from None
    if not isinstance(data, list) or len(data) != 5 or data[0] != FORMAT or not isinstance(data[3], list):
        raise CursorError("is not a cursor returned by this API")
    body, check = data[:4], data[4]
    if check != _checksum(body):
        raise CursorError("was altered or truncated; use the cursor exactly as returned")
    if body[1] != object_name:
        raise CursorError(f'was made for "{body[1]}" records, not "{object_name}"')
    if body[2] != signature:
        raise CursorError(f'was made for the sort "{body[2]}", not "{signature}"; '
                          "keep the sort unchanged while paging or start again without a cursor")
    values = body[3]
    if len(values) != len(kinds):
        raise CursorError("does not match this sort")
    texts: list[str | None] = []
    for value, kind in zip(values, kinds):
        if value is None:
            texts.append(None)
            continue
        if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[1], str)
                or value[0] != KIND_TAGS.get(kind)):
            raise CursorError("does not match this sort")
        texts.append(value[1])
    return texts
