"""Excel (.xlsx): the first sheet, streamed with openpyxl's read-only mode.

Cells are turned into the text a user sees (dates as ISO dates, whole numbers
without ``.0``), so conversion works the same as for CSV.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from .formats import ImportFileError, SourceRow, SourceTable


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes) -> SourceTable:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"the file is not a readable Excel workbook (.xlsx): {exc}") from None
    try:
        sheet = book.worksheets[0]
        columns: list[str] = []
        rows: list[SourceRow] = []
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [cell_text(v) for v in cells]
            if not columns:
                if any(values):
                    columns = [v.strip() for v in values]
                    while columns and not columns[-1]:
                        columns.pop()
                continue
            if any(v.strip() for v in values):
                rows.append(SourceRow(len(rows) + 1, line, values[:len(columns)] + [""] * (len(columns) - len(values))))
        return SourceTable(columns, rows, {"sheet": sheet.title})
    finally:
        book.close()
