"""Reading files as people save them: any common encoding and delimiter, and clear errors with a line."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from metacrm.platform.imports import ImportFileError, register_import_format
from metacrm.platform.imports.formats import SourceRow, SourceTable, format_of, read
from metacrm.platform.imports.xlsx_reader import read_xlsx

TEXT = "name,city\nÉlodie,Zürich\nسارة,القاهرة\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_encodings_with_and_without_a_bom(encoding: str) -> None:
    table = read(TEXT.encode(encoding), "csv")
    assert table.columns == ["name", "city"]
    assert [r.values for r in table.rows] == [["Élodie", "Zürich"], ["سارة", "القاهرة"]]


def test_windows_1256_arabic() -> None:
    text = "الاسم,المدينة\n" + "".join(f"سارة أحمد {i},القاهرة الجديدة\n" for i in range(20))
    table = read(text.encode("cp1256"), "csv")
    assert table.columns == ["الاسم", "المدينة"]
    assert table.rows[0].values == ["سارة أحمد 0", "القاهرة الجديدة"]
    assert table.notes["encoding"] in ("cp1256", "windows-1256")


@pytest.mark.parametrize("delimiter,name", [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_delimiters_are_detected(delimiter: str, name: str) -> None:
    data = f"name{delimiter}amount{delimiter}note\nA{delimiter}1,5{delimiter}x\nB{delimiter}2{delimiter}y\n"
    if delimiter == ",":
        data = 'name,amount,note\nA,"1,5",x\nB,2,y\n'
    table = read(data.encode(), "csv")
    assert table.notes["delimiter"] == name
    assert table.rows[0].values == ["A", "1,5", "x"]


def test_quoted_newlines_keep_line_numbers_true_and_blank_lines_are_not_rows() -> None:
    table = read(b'name,note\nA,"two\nlines"\n\nB,ok\n', "csv")
    assert [(r.number, r.line) for r in table.rows] == [(1, 2), (2, 5)]


def test_a_malformed_file_is_refused_with_its_line() -> None:
    with pytest.raises(ImportFileError) as err:
        read(b'name,note\nA,ok\nB,"never closed\nC,x\n', "csv")
    assert err.value.line == 3 and "line 3" in err.value.detail


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(ImportFileError) as err:
        read(b"name\nA\x00B\n", "csv")
    assert err.value.line == 2


def test_xlsx_is_streamed_from_the_first_sheet() -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Born", "Count", None])
    sheet.append(["Ada", dt.datetime(1815, 12, 10), 3.0])
    sheet.append([None, None, None])
    sheet.append(["Grace", "1906-12-09", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_xlsx(buffer.getvalue())
    assert table.columns == ["Name", "Born", "Count"]
    assert [(r.line, r.values) for r in table.rows] == [(2, ["Ada", "1815-12-10", "3"]), (4, ["Grace", "1906-12-09", "2"])]


def test_a_broken_workbook_gets_a_clear_error() -> None:
    with pytest.raises(ImportFileError, match="not a readable Excel workbook"):
        read(b"PK\x03\x04 not really", "xlsx")


def test_packs_register_their_own_formats() -> None:
    def reso(data: bytes) -> SourceTable:
        return SourceTable(["ListingId"], [SourceRow(1, 1, [data.decode()])])

    register_import_format("reso_test", reso)
    assert read(b"L-1", "reso_test").rows[0].values == ["L-1"]
    assert format_of("feed.reso_test") == "reso_test" and format_of("a.XLSX") == "xlsx" and format_of("a.txt") == "csv"
    with pytest.raises(ImportFileError, match="known formats: .*csv"):
        read(b"x", "nope")
