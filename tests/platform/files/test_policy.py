"""Upload policy: the size limit from the environment, clean file names, and types the bytes must agree with."""

from __future__ import annotations

import pytest

from metacrm.platform.files import policy
from metacrm.platform.files.policy import FileRejected, clean_name, content_type, disposition, max_upload_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
ZIP = b"PK\x03\x04" + b"\x00" * 40


def test_the_upload_limit_defaults_to_10_mb_and_follows_the_environment() -> None:
    assert max_upload_bytes({}) == 10 * 1024 * 1024
    assert max_upload_bytes({"METACRM_MAX_UPLOAD_MB": "2"}) == 2 * 1024 * 1024
    assert max_upload_bytes({"METACRM_MAX_UPLOAD_MB": "0.5"}) == 512 * 1024


@pytest.mark.parametrize("bad", ["ten", "0", "-1"])
def test_a_bad_upload_limit_is_a_configuration_error_naming_the_variable(bad: str) -> None:
    with pytest.raises(ValueError, match="METACRM_MAX_UPLOAD_MB"):
        max_upload_bytes({"METACRM_MAX_UPLOAD_MB": bad})


@pytest.mark.parametrize(("raw", "clean"), [
    ("report.pdf", "report.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ann\\Desktop\\notes.txt", "notes.txt"),
    ("in\u202egpj.exe", "ingpj.exe"),  # a right-to-left override would show "exe.jpg"
    ("tab\tand\nnewline.txt", "tabandnewline.txt"),
    ('what?<b>"*|:.txt', "what__b_____.txt"),
    ("  ...  ", "file"),
    ("", "file"),
    ("Überweisung März.pdf", "Überweisung März.pdf"),
    ("عقد.pdf", "عقد.pdf"),
])
def test_file_names_are_cleaned_but_keep_their_letters(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_long_names_are_shortened_keeping_the_extension() -> None:
    name = clean_name("x" * 500 + ".docx")
    assert len(name) <= policy.MAX_NAME and name.endswith(".docx")


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("photo.png", PNG, "image/png"),
    ("scan.pdf", PDF, "application/pdf"),
    ("no extension", PDF, "application/pdf"),
    ("notes.txt", b"plain words\n", "text/plain"),
    ("table.csv", b"a,b\n1,2\n", "text/csv"),
    ("letter.docx", ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("blob", b"\x01\x02\x03", "application/octet-stream"),
])
def test_the_type_is_sniffed_from_the_bytes_and_agrees_with_the_name(name: str, data: bytes, expected: str) -> None:
    assert content_type(name, data) == expected


@pytest.mark.parametrize(("name", "data"), [
    ("photo.png", PDF),  # a PDF renamed as an image
    ("photo.png", b"<svg onload=alert(1)>"),  # named as an image, not one
    ("invoice.pdf", b"MZ\x90\x00 not a pdf"),
    ("readme.txt", PNG),  # an image hiding behind .txt
    ("readme.txt", b"text\x00with a NUL"),
])
def test_content_that_does_not_match_its_name_is_refused(name: str, data: bytes) -> None:
    with pytest.raises(FileRejected) as caught:
        content_type(name, data)
    assert caught.value.status == 422 and name in caught.value.detail


def test_only_raster_images_are_shown_inline_everything_else_downloads() -> None:
    assert disposition("image/png") == "inline" and disposition("image/jpeg") == "inline"
    for active in ("image/svg+xml", "text/html", "application/pdf", "application/xhtml+xml", "text/plain"):
        assert disposition(active) == "attachment"
