"""Cell text → the value the record service expects, field type by field type.

The record service already coerces text for most types; this layer only adds
what is particular to files people bring: a date format of their own
(``--date-format %d/%m/%Y``), picklist labels instead of stored values, blank
cells meaning "no value". Lookups are resolved by :mod:`lookups` (it needs the
database). Pure: a row and a mapping in, values and errors out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.field_types import REFERENCE_TYPES

from ..records.errors import FieldError


def convert_row(obj: CompiledObject, columns: list[str], values: list[str], mapping: Mapping[str, str],
                date_format: str | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """The mapped values of one row; lookup cells are kept as text for the resolver."""
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    if len(values) != len(columns):
        errors.append(FieldError("", "column_count", f"has {len(values)} values, the header has {len(columns)} "
                                 "columns (a missing or extra delimiter?)"))
        return out, errors
    cells = dict(zip(columns, values))
    for column, target in mapping.items():
        field, _, _via = target.partition(".")
        text = cells.get(column, "").strip()
        f = obj.fields.get(field)
        if field == "owner" or f is None:
            out[field] = text or None
            continue
        if not text:
            out[field] = None
            continue
        try:
            out[field] = _convert(f.definition, text, date_format)
        except ValueError as exc:
            errors.append(FieldError(field, "invalid_date" if "date" in f.definition.type else "invalid_value",
                                     str(exc)))
    return out, errors


def _convert(definition: Any, text: str, date_format: str | None) -> Any:
    kind = definition.type
    if kind in REFERENCE_TYPES:
        return text  # resolved in batches by lookups.resolve
    if kind == "date" and date_format:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            raise ValueError(f'must be a date in the format {date_format} (got "{text}")') from None
    if kind == "datetime" and date_format:
        for fmt in (f"{date_format} %H:%M:%S", f"{date_format} %H:%M", date_format):
            try:
                return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.timezone.utc)
            except ValueError:
                continue
        raise ValueError(f'must be a date (and time) in the format {date_format} (got "{text}")')
    if kind == "picklist":
        return _option(definition, text)
    if kind == "multi_picklist" and not text.startswith("["):
        return [_option(definition, part.strip()) for part in text.split(";") if part.strip()]
    return text


def _option(definition: Any, text: str) -> str:
    """A picklist value given as its value or its label, in any case."""
    lowered = text.casefold()
    for option in definition.options:
        if text == option.value:
            return option.value
    for option in definition.options:
        if lowered in (option.value.casefold(), option.label.casefold()):
            return option.value
    return text  # the record service names the choices
