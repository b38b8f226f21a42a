"""CSV: the encoding and the delimiter are found, not asked for.

Spreadsheets save CSV as UTF-8 with or without a byte-order mark, UTF-16
(Excel's "Unicode text"), or a Windows code page (Windows-1256 for Arabic);
and with commas, semicolons (European locales) or tabs. Byte-order marks decide
first, strict UTF-8 next, then charset-normalizer guesses. A malformed file (an
unclosed quote, a NUL byte) is refused as a whole, naming the line, before any
row is written.
"""

from __future__ import annotations

import codecs
import csv
import io

from charset_normalizer import from_bytes

from .formats import ImportFileError, SourceRow, SourceTable

DELIMITERS = ",;\t|"
SNIFF_CHARS = 64 * 1024


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:SNIFF_CHARS * 4]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        line = data[:getattr(exc, "start", 0)].count(b"\n") + 1
        raise ImportFileError(f"the file's text encoding could not be recognised (tried {encoding})",
                              line=line) from None


def sniff_delimiter(text: str) -> str:
    sample = text[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def read_csv(data: bytes, *, delimiter: str | None = None) -> SourceTable:
    text, encoding = decode(data)
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise ImportFileError("the file contains a NUL byte: it is not a text (CSV) file", line=line)
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[SourceRow] = []
    columns: list[str] = []
    start = 1
    try:
        for values in reader:
            if not columns:
                columns = [c.strip() for c in values]
            elif any(v.strip() for v in values):  # blank lines are not rows
                rows.append(SourceRow(len(rows) + 1, start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"the CSV is malformed ({exc}); check the quotes from this line on",
                              line=start) from None
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    return SourceTable(columns, rows, {"encoding": encoding, "delimiter": names.get(delimiter, delimiter)})
