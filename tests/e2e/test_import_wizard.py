"""A person imports a messy CSV in a real browser: upload, check the mapping, preview the errors, run, download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import fld, make_object

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OBJECTS = {"objects": [
    make_object("account", fld("name", required=True), name_field="name"),
    make_object("contact", fld("full_name", label="Full name", required=True), fld("email", "email"),
                fld("birthday", "date"), fld("account", "lookup", target="account"), name_field="full_name"),
]}
CSV = ("Full name;Email;Birthday;Account\n"
       "Ada Lovelace;ada@example.com;10/12/1815;Acme\n"
       "Grace Hopper;grace(at)example.com;09/12/1906;Acme\n"
       "Alan Turing;alan@example.com;23/06/1912;Initech\n"
       "سارة أحمد;sara@example.com;01/01/1990;Acme\n")


def test_import_wizard_from_upload_to_failed_rows(app: Any, signed_in: Any, live_server: str, tmp_path: Path) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(OBJECTS), author="test", confirm=True)
    from metacrm.platform.records.actor import SYSTEM

    platform.records.create(SYSTEM, "account", {"name": "Acme"})
    source = tmp_path / "contacts.csv"
    source.write_bytes(CSV.encode("utf-8-sig"))
    page = signed_in
    page.goto(f"{live_server}/o/contact")
    page.click("#import-records")
    page.set_input_files("#import-file", str(source))
    page.click("#import-upload-submit")
    page.wait_for_selector("#import-mapping")
    assert page.input_value("#map_0") == "full_name" and page.input_value("#map_3") == "account"
    page.select_option("#map_2", "birthday")
    page.fill("#import-date-format", "%d/%m/%Y")
    page.click("#import-preview-submit")
    page.wait_for_selector("#import-preview")
    assert page.locator("#import-preview tbody tr.table-danger").count() == 2
    assert "no Account has name" in page.inner_text("#import-preview")
    page.screenshot(path=str(SHOTS / "import_preview.png"), full_page=True)
    page.click("#import-run-submit")
    page.wait_for_selector('#import-progress[data-status="done"]', timeout=30_000)
    assert page.inner_text("#count-created") == "2" and page.inner_text("#count-failed") == "2"
    with page.expect_download() as download:
        page.click("#download-failed")
    text = Path(download.value.path()).read_text("utf-8-sig")
    assert text.splitlines()[0] == "Full name,Email,Birthday,Account,import_errors"
    assert "Alan Turing" in text and "line 4" in text
