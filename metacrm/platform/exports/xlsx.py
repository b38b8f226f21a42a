"""XLSX files with openpyxl's write-only mode: rows go straight to a temporary file.

Write-only workbooks keep one row in memory at a time, so a 100,000-row export
costs what its file costs on disk. Excel has no time zones: aware datetimes
are written in UTC without one (the header says so where it matters).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import IO, Any, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CHUNK = 64 * 1024
SHEET_TITLE_MAX = 31  # Excel's limit
BOLD = Font(bold=True)
_BAD_TITLE = set('[]:*?/\\')


def sheet_title(text: str) -> str:
    clean = "".join("-" if ch in _BAD_TITLE else ch for ch in text).strip() or "Export"
    return clean[:SHEET_TITLE_MAX]


def excel_value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def write_workbook(target: IO[bytes], title: str, rows: Iterable[list[Any]]) -> None:
    """One sheet: the first row bold (the header), then the rows, typed as given."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(title))
    for i, row in enumerate(rows):
        if i == 0:
            header = []
            for label in row:
                cell = WriteOnlyCell(sheet, value=label)
                cell.font = BOLD
                header.append(cell)
            sheet.append(header)
            continue
        sheet.append([_cell(sheet, v) for v in row])
    book.save(target)


def _cell(sheet: Any, value: Any) -> Any:
    value = excel_value(value)
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def spooled(title: str, rows: Iterable[list[Any]]) -> IO[bytes]:
    """The workbook in a temporary file, rewound (the caller streams and closes it)."""
    handle = tempfile.TemporaryFile()
    write_workbook(handle, title, rows)
    handle.seek(0)
    return handle


def workbook_bytes(title: str, rows: Iterable[list[Any]]) -> Iterator[bytes]:
    with spooled(title, rows) as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
