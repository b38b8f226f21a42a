"""The export format registry: ``register_export_format(name, writer)``.

Built-in formats are ``json`` (JSON lines, one record per line), ``csv``,
``xlsx`` and ``ics`` (iCalendar events from the object's dates, ``icalendar.py``); a pack's plugin adds its own (``reso`` for real estate, say) with the
same call, and ``metacrm export OBJECT --format NAME`` and
``GET /api/v1/records/<object>/export?format=NAME`` find it here. A writer is
given an :class:`ExportSource` (the object, the fields the caller may see and
an iterator of their records, already permission-checked, redacted and masked)
and yields bytes, so nothing holds a whole table in memory. The registry is
the mirror of the import side's ``register_import_format``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Mapping

from metacrm.metadata.compiled import CompiledObject

Record = Mapping[str, Any]
#: Text a spreadsheet would run as a formula (OWASP "CSV injection"); written with a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportSource:
    """What a writer reads: records as the caller may see them, and how to encode them as JSON."""

    obj: CompiledObject
    fields: tuple[str, ...]  # the exported columns, "id" first, in the object's order
    records: Iterable[Record]  # Python values (dates, Decimals), hidden fields absent, masked ones masked
    to_json: Callable[[Record], dict[str, Any]]

    def label(self, name: str) -> str:
        compiled = self.obj.fields.get(name)
        return compiled.definition.label if compiled is not None else name


Writer = Callable[[ExportSource], Iterator[bytes]]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    writer: Writer
    media_type: str
    extension: str


FORMATS: dict[str, ExportFormat] = {}


def register_export_format(name: str, writer: Writer, *, media_type: str = "application/octet-stream",
                           extension: str | None = None) -> ExportFormat:
    """Add (or replace) an export format; a plugin calls this from its ``setup``."""
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f'an export format name is letters, digits, "-" and "_"; got {name!r}')
    fmt = ExportFormat(name, writer, media_type, extension or name)
    FORMATS[name] = fmt
    return fmt


def export_format(name: str) -> ExportFormat:
    """The format called ``name``; ``LookupError`` naming the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise LookupError(f'unknown export format "{name}"; known formats: {", ".join(sorted(FORMATS))}') from None


def safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def flat(value: Any) -> Any:
    """A JSON value as one spreadsheet cell: lists and objects as compact JSON."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


# --- built-in writers -----------------------------------------------------------------------
def write_json_lines(source: ExportSource) -> Iterator[bytes]:
    for record in source.records:
        encoded = source.to_json(record)
        yield (json.dumps({k: encoded.get(k) for k in source.fields}, ensure_ascii=False) + "\n").encode()


def write_csv(source: ExportSource) -> Iterator[bytes]:
    """Field names as the header (machine-readable, as an import expects), JSON values as cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(source.fields)
    yield ("\ufeff" + _take(buffer)).encode()
    for i, record in enumerate(source.records, 1):
        encoded = source.to_json(record)
        writer.writerow([_csv_cell(encoded.get(k)) for k in source.fields])
        if i % 200 == 0:
            yield _take(buffer).encode()
    yield _take(buffer).encode()


def write_xlsx(source: ExportSource) -> Iterator[bytes]:
    from .xlsx import workbook_bytes  # noqa: PLC0415  (openpyxl only when asked for)

    def rows() -> Iterator[list[Any]]:
        yield list(source.fields)
        for record in source.records:
            encoded = source.to_json(record)
            yield [typed_cell(record.get(k), encoded.get(k)) for k in source.fields]

    yield from workbook_bytes(source.obj.definition.plural_label, rows())


def typed_cell(raw: Any, encoded: Any) -> Any:
    """Numbers and dates typed (a spreadsheet sums and sorts them); everything else safe text."""
    if isinstance(raw, bool) or raw is None:
        return raw
    if isinstance(raw, (int, float, Decimal, dt.date)):
        return raw
    value = flat(encoded)
    return safe_text(value) if isinstance(value, str) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    value = flat(value)
    return safe_text(value) if isinstance(value, str) else str(value)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


register_export_format("json", write_json_lines, media_type="application/x-ndjson", extension="jsonl")
register_export_format("csv", write_csv, media_type="text/csv", extension="csv")
register_export_format("xlsx", write_xlsx, extension="xlsx",
                       media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

from . import icalendar  # noqa: E402,F401  (registers "ics"; it imports this module's names above)
