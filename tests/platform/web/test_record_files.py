"""File fields in the web app: upload with the form, keep the upload when another field fails, replace and
remove, download through the record (record- and field-level security), and what refusals look like."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from metacrm.platform.records import SYSTEM
from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n" + b"0" * 2000
VIEWER = {"name": "viewer", "objects": {"contact": {"read": True, "create": True, "update": True}},
          "fields": {"contact": {"contract": "hidden"}}}
CRM = {"objects": [make_object("contact", fld("full_name", required=True), fld("email", "email"),
                               fld("cv", "file"), fld("contract", "file"), name_field="full_name")],
       "roles": [VIEWER]}


@pytest.fixture(autouse=True)
def crm(app: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(CRM), author="test", confirm=True)


def post_with_files(client: Any, page: str, action: str | None = None, **data: Any) -> Any:
    token = csrf_of(client.get(page).get_data(as_text=True))
    return client.post(action or page, data={"csrf_token": token, **data}, content_type="multipart/form-data")


def stored(app: Any, record_id: int) -> dict[str, Any]:
    return app.extensions["metacrm"].records.get(SYSTEM, "contact", record_id)


def test_the_form_posts_multipart_and_the_uploaded_file_is_saved_with_the_record(app: Any, browser: Any) -> None:
    page = browser.get("/o/contact/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and re.search(r'<input[^>]*id="f-cv"[^>]*type="file"', page)
    response = post_with_files(browser, "/o/contact/new", full_name="Ann", cv=(io.BytesIO(PDF), "Ann CV.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)
    record_id = int(response.headers["Location"].rsplit("/", 1)[1])
    cv = stored(app, record_id)["cv"]
    assert cv["name"] == "Ann CV.pdf" and cv["size"] == len(PDF) and cv["content_type"] == "application/pdf"
    view = browser.get(f"/o/contact/{record_id}").get_data(as_text=True)
    assert f'href="/o/contact/{record_id}/file/cv"' in view and "Ann CV.pdf</a>" in view and "(2 KB)" in view
    download = browser.get(f"/o/contact/{record_id}/file/cv")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == 'attachment; filename="Ann CV.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff" and download.mimetype == "application/pdf"


def test_an_error_on_another_field_keeps_the_upload_until_the_form_is_saved(app: Any, browser: Any) -> None:
    response = post_with_files(browser, "/o/contact/new", full_name="", email="not an email",
                               cv=(io.BytesIO(PDF), "cv.pdf"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is required" in html and "Current file:" in html and "cv.pdf" in html and "(2 KB)" in html
    key = re.search(r'name="cv__keep" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    again = browser.post("/o/contact/new", data={"csrf_token": csrf_of(html), "full_name": "Ann", "cv__keep": key},
                         content_type="multipart/form-data")
    assert again.status_code == 302, again.get_data(as_text=True)
    assert stored(app, int(again.headers["Location"].rsplit("/", 1)[1]))["cv"]["key"] == key


def test_edit_shows_the_current_file_and_can_replace_or_remove_it(app: Any, browser: Any) -> None:
    created = post_with_files(browser, "/o/contact/new", full_name="Ann", cv=(io.BytesIO(PDF), "old.pdf"))
    record_id = int(created.headers["Location"].rsplit("/", 1)[1])
    edit = f"/o/contact/{record_id}/edit"
    html = browser.get(edit).get_data(as_text=True)
    assert "Current file:" in html and "old.pdf" in html and 'name="cv__remove"' in html
    assert "cv__keep" not in html  # the stored file needs no key in the page
    unchanged = post_with_files(browser, edit, full_name="Ann B.")
    assert unchanged.status_code == 302 and stored(app, record_id)["cv"]["name"] == "old.pdf"
    post_with_files(browser, edit, full_name="Ann", cv=(io.BytesIO(b"new words"), "new.txt"))
    assert stored(app, record_id)["cv"]["name"] == "new.txt"
    post_with_files(browser, edit, full_name="Ann", cv__remove="1")
    assert stored(app, record_id)["cv"] is None


def test_a_refused_upload_is_an_error_beside_its_field(app: Any, browser: Any) -> None:
    app.extensions["metacrm"].files.max_bytes = 100
    too_big = post_with_files(browser, "/o/contact/new", full_name="Ann", cv=(io.BytesIO(PDF), "cv.pdf"))
    assert too_big.status_code == 422 and "upload limit" in too_big.get_data(as_text=True)
    assert 'id="f-cv-error"' in too_big.get_data(as_text=True)
    lying = post_with_files(browser, "/o/contact/new", full_name="Ann", cv=(io.BytesIO(b"%PDF-1.4 x"), "me.png"))
    assert lying.status_code == 422 and "its content is application/pdf" in lying.get_data(as_text=True)


def test_a_key_of_someone_elses_upload_cannot_be_slipped_into_the_form(app: Any, browser: Any) -> None:
    platform = app.extensions["metacrm"]
    other = platform.users.create("other@example.com", "a long enough passphrase", name="Other")
    from metacrm.platform.records import Actor
    theirs = platform.files.put(Actor(id=other.id, email=other.email), "theirs.pdf", PDF)
    response = post_with_files(browser, "/o/contact/new", full_name="Ann", cv__keep=theirs.key)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "is not a file you uploaded" in html and 'id="f-cv-error"' in html
    assert "theirs.pdf" not in html  # not even its name is shown


def test_downloads_follow_record_and_field_security(app: Any, client: Any, plain_user: Any) -> None:
    platform = app.extensions["metacrm"]
    ref = platform.files.put(SYSTEM, "contract.pdf", PDF).reference()
    cv = platform.files.put(SYSTEM, "cv.pdf", PDF).reference()
    record = platform.records.create(SYSTEM, "contact", {"full_name": "Ann", "contract": ref, "cv": cv})
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    no_role = client.get(f"/o/contact/{record['id']}/file/cv")
    assert no_role.status_code in (403, 404) and PDF not in no_role.data
    platform.users.set_roles(plain_user.id, ["viewer"])
    assert client.get(f"/o/contact/{record['id']}/file/cv").data == PDF
    hidden = client.get(f"/o/contact/{record['id']}/file/contract")
    assert hidden.status_code == 404 and PDF not in hidden.data
    page = client.get(f"/o/contact/{record['id']}").get_data(as_text=True)
    assert "contract.pdf" not in page and "/file/contract" not in page
    assert client.get(f"/o/contact/{record['id']}/file/full_name").status_code == 404  # not a file field
    assert client.get("/o/contact/999999/file/cv").status_code == 404


def test_a_read_only_file_field_cannot_be_uploaded_to(app: Any, client: Any, plain_user: Any) -> None:
    platform = app.extensions["metacrm"]
    role = {"name": "viewer", "objects": {"contact": {"read": True, "create": True, "update": True}},
            "fields": {"contact": {"cv": "read_only"}}}
    platform.metadata.apply(platform.metadata.plan({**CRM, "roles": [role]}), author="test", confirm=True)
    platform.users.set_roles(plain_user.id, ["viewer"])
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    page = client.get("/o/contact/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*disabled[^>]*id="f-cv"|<input[^>]*id="f-cv"[^>]*disabled', page)
    forged = post_with_files(client, "/o/contact/new", full_name="Ann", cv=(io.BytesIO(PDF), "cv.pdf"))
    assert forged.status_code == 403


def test_file_fields_are_not_edited_inline(app: Any, browser: Any) -> None:
    record = app.extensions["metacrm"].records.create(SYSTEM, "contact", {"full_name": "Ann"})
    page = browser.get(f"/o/contact/{record['id']}").get_data(as_text=True)
    assert f'/o/contact/{record["id"]}/field/cv/edit' not in page
    assert browser.get(f"/o/contact/{record['id']}/field/cv/edit").status_code == 403
