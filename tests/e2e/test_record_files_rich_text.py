"""File upload and rich text in real Chromium: upload in the form, the upload survives an error on another field,
download it from the record page, and bold text typed in the Trix editor shows bold on the record page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from metacrm.platform.records import SYSTEM
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, fld, make_object

from .conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n" + b"0" * 3000
NOTE = make_object("note", fld("title", required=True), fld("email", "email"), fld("body", "rich_text"),
                   fld("attachment", "file"), icon="journal-text", name_field="title")


def test_upload_keep_download_and_bold_rich_text(app: Any, live_server: str, page: Any, tmp_path: Path) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan({"objects": [NOTE]}), author="admin", confirm=True)
    sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"{live_server}/o/note/new")
    editor = page.locator("trix-editor#f-body")
    editor.wait_for()
    assert page.locator('input[type="hidden"][name="body"]').count() == 1  # Trix replaced the text area

    editor.click()
    page.keyboard.type("Plain then ")
    expect(page.locator('input[name="body"]')).to_have_value("<p>Plain then&nbsp;</p>")
    bold = page.locator('trix-toolbar button[data-trix-attribute="bold"]')
    bold.click()  # the toolbar button, as a person would (the shortcut races the editor on a busy machine)
    expect(bold).to_have_class(re.compile(r"trix-active"))
    page.keyboard.type("bold words")
    # Trix syncs its hidden input after each keystroke; wait for it rather than read it once.
    expect(page.locator('input[name="body"]')).to_have_value("<p>Plain then&nbsp;<strong>bold words</strong></p>")
    document = tmp_path / "Quarterly report.pdf"
    document.write_bytes(PDF)
    page.set_input_files("#f-attachment", str(document))
    page.get_by_label("Email").fill("not an email")
    page.screenshot(path=str(SCREENSHOTS / "record_form_file_rich_text.png"))
    page.get_by_role("button", name="Save", exact=True).click()

    page.locator("#form-errors").wait_for()  # title is required, the email is invalid
    page.locator("trix-editor#f-body").wait_for()
    current = page.locator("#f-attachment-current")
    assert "Quarterly report.pdf" in current.inner_text() and "(3 KB)" in current.inner_text()
    assert page.locator("trix-editor#f-body strong").inner_text() == "bold words"  # the text came back too

    page.get_by_label("Title").fill("Q3 review")
    page.get_by_label("Email").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#record-title")
    assert page.locator("#record-title").inner_text() == "Q3 review"
    assert page.locator("#field-body .app-rich-text strong").inner_text() == "bold words"
    link = page.locator("#field-attachment a.app-file-link")
    assert "Quarterly report.pdf" in link.inner_text()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Quarterly report.pdf"
    assert Path(download.path()).read_bytes() == PDF
    record = platform.records.get(SYSTEM, "note", int(page.url.rsplit("/", 1)[1]))
    assert record["body"] == "<p>Plain then <strong>bold words</strong></p>"  # Trix emits the allowed tags
