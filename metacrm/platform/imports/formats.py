"""Import file formats: what a reader returns, and the registry packs and plugins add formats to.

A reader turns the uploaded bytes into a :class:`SourceTable` (column headers
and data rows, each with the line or sheet row it came from), so everything
after reading (mapping, conversion, writing, the failed-rows report) is the same
for CSV, Excel and a pack's own format (``register_import_format("reso", ...)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import Unprocessable


class ImportFileError(Unprocessable):
    """The file cannot be read; ``line`` says where (1-based, as an editor shows it)."""

    type_slug = "import-file-invalid"

    def __init__(self, message: str, *, line: int | None = None):
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{message}", line=line)
        self.line = line


@dataclass
class SourceRow:
    number: int           # 1-based data row (the header is not counted)
    line: int             # where it starts in the file (CSV line, sheet row)
    values: list[str]


@dataclass
class SourceTable:
    columns: list[str]
    rows: list[SourceRow]
    #: What the reader found out (encoding, delimiter, sheet), shown to the user.
    notes: dict[str, str] = field(default_factory=dict)


#: A reader: the file's bytes and the options (``date_format`` etc.) → the table.
Reader = Callable[[bytes], SourceTable]

_FORMATS: dict[str, Reader] = {}


def register_import_format(name: str, reader: Reader) -> None:
    """Add (or replace) an import format: ``metacrm import OBJECT FILE --format NAME`` and the wizard use it."""
    if not name or not name.replace("_", "").isalnum():
        raise ValueError("an import format name is letters, digits and underscores")
    _FORMATS[name.lower()] = reader


def _builtin() -> None:
    """CSV and Excel, registered on first use (their libraries load only when an import needs them)."""
    if "csv" not in _FORMATS:
        from .csv_reader import read_csv  # noqa: PLC0415
        from .xlsx_reader import read_xlsx  # noqa: PLC0415

        _FORMATS.setdefault("csv", read_csv)
        _FORMATS.setdefault("xlsx", read_xlsx)


def reader_for(name: str) -> Reader:
    _builtin()
    try:
        return _FORMATS[name.lower()]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise ImportFileError(f'there is no import format "{name}"; known formats: {known}') from None


def known_formats() -> list[str]:
    _builtin()
    return sorted(_FORMATS)


def format_of(file_name: str) -> str:
    """The format a file name suggests (``.xlsx`` → xlsx, anything else → csv)."""
    _builtin()
    lower = file_name.lower()
    for name in _FORMATS:
        if lower.endswith("." + name):
            return name
    return "xlsx" if lower.endswith((".xlsx", ".xlsm")) else "csv"


def read(data: bytes, format_name: str) -> SourceTable:
    table = reader_for(format_name)(data)
    if not table.columns:
        raise ImportFileError("the file has no header row", line=1)
    return table
