"""CSV export of a list: ``GET /o/<object>/export.csv`` with the list's own query string.

The export is the list on screen, all of it: the same view, filters, search,
sort and columns, read page by page through :class:`RecordReader` (so hidden
fields and records the user may not read are never written) and streamed,
so a 100,000-row export neither waits for the last row nor holds them all in
memory. Values are written as the list shows them (labels of choices, names
of looked-up records) but numbers and dates stay machine-readable. The file
starts with a UTF-8 byte order mark, which Excel needs to read UTF-8; text a
spreadsheet would run as a formula is prefixed with ``'`` (see ``cells``).

``/o/<object>/export.xlsx`` is the same list as a workbook (openpyxl's write-only
mode into a temporary file, then streamed): numbers and dates are typed cells,
everything else the text the CSV holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any, Iterator

from flask import Blueprint, Response, request, send_file, stream_with_context
from flask_login import login_required

from .lists import cells
from .lists.page import Context, context_for, platform, resolve_names, state_for
from .lists.state import ListState
from .session import current_actor

bp = Blueprint("web_csv", __name__)

BOM = "\ufeff"
PAGE = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/o/<object_name>/export.xlsx")
@login_required
def export_xlsx(object_name: str) -> Response:
    from ..exports.xlsx import spooled  # noqa: PLC0415  (openpyxl only when asked for)

    ctx = context_for(platform(), current_actor(), object_name)
    _views, state = state_for(ctx, request.args)
    state.cursor, state.back = None, []
    label = ctx.obj.definition.plural_label
    filename = f"{label.lower().replace(' ', '-')}-{dt.date.today().isoformat()}.xlsx"
    first = ctx.list(ctx.obj.name, state.query_params(limit=PAGE, count=False))
    handle = spooled(label, rows_typed(ctx, state, first))
    response = send_file(handle, mimetype=XLSX, as_attachment=True, download_name=_ascii(filename))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def rows_typed(ctx: Context, state: ListState, first: Any) -> Iterator[list[Any]]:
    """The list's rows as spreadsheet cells: numbers and dates typed, the rest as the CSV shows it."""
    yield [c.label for c in state.columns]
    formats = cells.cell_formats(ctx.obj, state.columns)
    page = first
    while True:
        names = resolve_names(ctx, state.columns, page.records)
        for record in page.records:
            yield [_typed(record.get(f.column.name), f.export(record, names)) for f in formats]
        if not page.next_cursor:
            return
        state.cursor = page.next_cursor
        page = ctx.list(ctx.obj.name, state.query_params(limit=PAGE, count=False))


def _typed(value: Any, shown: str) -> Any:
    if isinstance(value, bool) or value is None or getattr(value, "masked", False):
        return shown or None
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return shown


@bp.get("/o/<object_name>/export.csv")
@login_required
def export(object_name: str) -> Response:
    ctx = context_for(platform(), current_actor(), object_name)
    _views, state = state_for(ctx, request.args)
    state.cursor, state.back = None, []  # the whole list, from the first row
    filename = f"{ctx.obj.definition.plural_label.lower().replace(' ', '-')}-{dt.date.today().isoformat()}.csv"
    first = ctx.list(ctx.obj.name, state.query_params(limit=PAGE, count=False))  # errors: 400 now
    response = Response(stream_with_context(rows_csv(ctx, state, first)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{_ascii(filename)}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def rows_csv(ctx: Context, state: ListState, first: Any) -> Iterator[str]:
    """The file, one chunk per page of the reader: header, then each record's cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label for c in state.columns])
    yield BOM + _take(buffer)
    formats = cells.cell_formats(ctx.obj, state.columns)
    page = first
    while True:
        names = resolve_names(ctx, state.columns, page.records)
        for record in page.records:
            writer.writerow([f.export(record, names) for f in formats])
        yield _take(buffer)
        if not page.next_cursor:
            return
        state.cursor = page.next_cursor
        page = ctx.list(ctx.obj.name, state.query_params(limit=PAGE, count=False))


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in name)
