"""Row values to JSON and back, by column type, so a restore writes exactly what was read.

Dates and times go out as ISO 8601 (time zone kept when the database gave
one), decimals as strings (no float rounding), bytes as base64; JSON columns
as themselves. The column's type decides how a value is read back, never the
value's look, so a text field holding "2024-01-01" stays text.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Mapping

import sqlalchemy as sa


def encode_value(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def encode_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: encode_value(v) for k, v in row.items()}


def decoder(column: sa.Column[Any]) -> Callable[[Any], Any]:
    """How to turn this column's JSON value back into what the driver expects."""
    kind = column.type
    if isinstance(kind, sa.JSON):
        return lambda v: v
    if isinstance(kind, sa.DateTime):
        return _datetime
    if isinstance(kind, sa.Date):
        return lambda v: dt.date.fromisoformat(v)
    if isinstance(kind, sa.Time):
        return lambda v: dt.time.fromisoformat(v)
    if isinstance(kind, sa.LargeBinary):
        return lambda v: base64.b64decode(v)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return lambda v: Decimal(v) if isinstance(v, str) else v
    return lambda v: v


def _datetime(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def decode_row(table: sa.Table, row: Mapping[str, Any],
               decoders: Mapping[str, Callable[[Any], Any]]) -> dict[str, Any]:
    return {k: (None if v is None else decoders[k](v)) for k, v in row.items() if k in table.c}
