"""The import wizard: upload → map → preview → run as a job → progress → failed rows, for users allowed to."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

BUNDLE = {
    "objects": [make_object("company", fld("name", required=True), fld("email", "email"), fld("since", "date"),
                            name_field="name")],
    "roles": [{"name": "viewer", "objects": {"company": {"read": True}}}],
}
CSV = "Name;E-mail;Since\nAcme;hello@acme.test;31/01/2024\nBroken;not-an-email;01/02/2024\nGlobex;;\n"


@pytest.fixture
def companies(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(BUNDLE), author="test", confirm=True)
    return platform


def _upload(browser: Any, data: bytes, name: str = "companies.csv") -> Any:
    token = csrf_of(browser.get("/o/company/import").get_data(as_text=True))
    return browser.post("/o/company/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def _mapping_form(browser: Any, url: str) -> dict[str, str]:
    html = browser.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_of(html)}
    for name in ("file", "format"):
        form[name] = re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
    for i, selected in re.findall(r'id="map_(\d+)".*?<option value="([^"]*)" selected', html, re.S):
        form[f"map_{i}"] = selected
    return form


def test_the_list_page_offers_import_and_the_wizard_runs_to_a_summary(browser: Any, companies: Any) -> None:
    assert 'id="import-records"' in browser.get("/o/company").get_data(as_text=True)
    uploaded = _upload(browser, CSV.encode("utf-8-sig"))
    assert uploaded.status_code == 302 and "/o/company/import/map?file=" in uploaded.location
    mapping_html = browser.get(uploaded.location).get_data(as_text=True)
    assert "3 rows" in mapping_html and "delimiter semicolon" in mapping_html
    form = _mapping_form(browser, uploaded.location)
    assert (form["map_0"], form["map_1"]) == ("name", "email")  # auto-mapped by name and label
    form.update(map_2="since", date_format="%d/%m/%Y", mode="insert")
    preview = browser.post("/o/company/import/preview", data=form)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="import-preview"' in html
    assert "must be an email address" in html and html.count("table-danger") == 1
    assert companies.records.reader is not None and _count(companies) == 0  # the preview saved nothing
    started = browser.post("/o/company/import/run", data=form)
    assert started.status_code == 302 and started.location.startswith("/imports/")
    _finish(companies, started.location)
    page = browser.get(started.location + "/progress").get_data(as_text=True)
    assert 'data-status="done"' in page and 'id="count-created">2<' in page and 'id="count-failed">1<' in page
    failed = browser.get(started.location + "/failed.csv")
    text = failed.get_data(as_text=True)
    assert failed.mimetype == "text/csv" and text.startswith("\ufeffName,E-mail,Since,import_errors")
    assert "Broken,not-an-email,01/02/2024,line 3: email:" in text
    assert _count(companies) == 2


def _finish(platform: Any, location: str) -> None:
    """Run the import's job here (the in-process worker thread may have taken it: then wait for it)."""
    import time

    from metacrm.platform.imports.service import ImportService

    run_id = int(location.rsplit("/", 1)[1])
    for _ in range(200):
        platform.jobs.run_pending()
        if ImportService(platform).get(run_id)["status"] == "done":
            return
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def _count(platform: Any) -> int:
    import sqlalchemy as sa

    table = platform.schema.get().tables["company"]
    with platform.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_mapping_problems_are_shown_on_the_mapping_page(browser: Any, companies: Any) -> None:
    form = _mapping_form(browser, _upload(browser, CSV.encode()).location)
    form.update(mode="update")
    refused = browser.post("/o/company/import/preview", data=form)
    assert refused.status_code == 422 and "needs a key field" in refused.get_data(as_text=True)


def test_malformed_and_empty_files_are_refused_with_a_line(browser: Any, companies: Any) -> None:
    bad = _upload(browser, b'name\n"never closed\n')
    assert bad.status_code == 422 and "line 2" in bad.get_data(as_text=True)
    assert _upload(browser, b"").status_code == 422


def test_users_without_create_or_update_rights_get_no_wizard(app: Any, client: Any, companies: Any) -> None:
    companies.users.create(USER_EMAIL, USER_PASSWORD, roles=["viewer"])
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    assert client.get("/o/company/import").status_code == 403
    assert 'id="import-records"' not in client.get("/o/company").get_data(as_text=True)


def test_someone_elses_import_is_not_found(browser: Any, app: Any, client: Any, companies: Any) -> None:
    companies.users.create(USER_EMAIL, USER_PASSWORD, is_admin=False, roles=["viewer"])
    form = _mapping_form(browser, _upload(browser, CSV.encode()).location)
    started = browser.post("/o/company/import/run", data=form)
    _finish(companies, started.location)
    other = app.test_client()
    sign_in(other, USER_EMAIL, USER_PASSWORD)
    assert other.get(started.location).status_code == 404
    assert other.get(started.location + "/failed.csv").status_code == 404
