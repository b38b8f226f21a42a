"""JSON with exact types, for messages between the parent and the script worker.

JSON rather than pickle on purpose: the worker runs untrusted code, and
unpickling anything it sends would hand an escaped script code execution in
the parent. Only plain data, Decimals and dates cross.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"a {type(value).__name__} value cannot leave a script")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        (key, value), = obj.items()
        if key == "$decimal":
            return Decimal(value)
        if key == "$datetime":
            return dt.datetime.fromisoformat(value)
        if key == "$date":
            return dt.date.fromisoformat(value)
    return obj


def dumps(message: Any) -> bytes:
    return json.dumps(message, default=_default, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes) -> Any:
    return json.loads(line, object_hook=_hook, parse_float=Decimal)
