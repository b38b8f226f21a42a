"""The files API: upload, attach by saving the reference, download through the record; tokens and security."""

from __future__ import annotations

import io
from typing import Any

import pytest

from metacrm.platform.records import SYSTEM
from tests.conftest import basic_auth, fld, make_object

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n"
READER = {"name": "reader", "objects": {"contact": {"read": True}}, "fields": {"contact": {"secret": "hidden"}}}
CRM = {"objects": [make_object("contact", fld("name", required=True), fld("photo", "file"), fld("secret", "file"))],
       "roles": [READER]}


@pytest.fixture(autouse=True)
def crm(app: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(CRM), author="test", confirm=True)


def upload(client: Any, headers: dict[str, str], data: bytes = PNG, name: str = "me.png") -> Any:
    return client.post("/api/v1/files", headers=headers, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_attach_and_download(client: Any, admin_headers: dict[str, str]) -> None:
    response = upload(client, admin_headers)
    assert response.status_code == 201
    ref = response.get_json()
    assert ref["name"] == "me.png" and ref["size"] == len(PNG) and ref["content_type"] == "image/png"
    created = client.post("/api/v1/records/contact", headers=admin_headers, json={"name": "Ann", "photo": ref})
    assert created.status_code == 201 and created.get_json()["photo"] == ref
    record_id = created.get_json()["id"]
    download = client.get(f"/api/v1/records/contact/{record_id}/files/photo", headers=admin_headers)
    assert download.status_code == 200 and download.data == PNG and download.mimetype == "image/png"
    assert download.headers["Content-Disposition"] == "inline; filename=me.png"  # a raster image
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(f"/api/v1/records/contact/{record_id}/files/photo", headers={
        **admin_headers, "If-None-Match": download.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_anything_but_a_raster_image_downloads_as_an_attachment(client: Any, admin_headers: dict[str, str]) -> None:
    ref = upload(client, admin_headers, b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
                 "x.svg").get_json()
    assert ref["content_type"] == "image/svg+xml"
    record = client.post("/api/v1/records/contact", headers=admin_headers, json={"name": "A", "photo": ref}).get_json()
    download = client.get(f"/api/v1/records/contact/{record['id']}/files/photo", headers=admin_headers)
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_a_read_token_cannot_upload_and_a_missing_part_is_a_clear_422(app: Any, client: Any,
                                                                    admin_headers: dict[str, str]) -> None:
    token, _ = app.extensions["metacrm"].tokens.create(1, "reporting", scope="read")
    refused = upload(client, {"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and "read" in refused.get_json()["detail"]
    assert upload(client, {}).status_code == 401
    empty = client.post("/api/v1/files", headers=admin_headers, data={"other": "x"}, content_type="multipart/form-data")
    assert empty.status_code == 422 and empty.get_json()["errors"][0]["field"] == "file"


def test_a_mismatched_or_too_large_upload_is_refused(app: Any, client: Any, admin_headers: dict[str, str]) -> None:
    lying = upload(client, admin_headers, PDF, "photo.png")
    assert lying.status_code == 422 and lying.mimetype == "application/problem+json"
    assert "application/pdf" in lying.get_json()["detail"]
    app.extensions["metacrm"].files.max_bytes = 10
    too_big = upload(client, admin_headers)
    assert too_big.status_code == 413 and "upload limit" in too_big.get_json()["detail"]


def test_someone_elses_unattached_upload_cannot_be_attached(app: Any, client: Any,
                                                            admin_headers: dict[str, str]) -> None:
    platform = app.extensions["metacrm"]
    other = platform.users.create("other@example.com", "a long enough passphrase", is_admin=True)
    ref = upload(client, basic_auth("other@example.com", "a long enough passphrase")).get_json()
    response = client.post("/api/v1/records/contact", headers=admin_headers, json={"name": "Ann", "photo": ref})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": "photo", "code": "file_not_found",
                                              "message": response.get_json()["errors"][0]["message"]}]
    assert other.id != 1


def test_downloads_need_the_record_and_the_field(app: Any, client: Any) -> None:
    platform = app.extensions["metacrm"]
    user = platform.users.create("reader@example.com", "a long enough passphrase")
    headers = basic_auth("reader@example.com", "a long enough passphrase")
    photo, secret = (platform.files.put(SYSTEM, n, PNG).reference() for n in ("a.png", "b.png"))
    record = platform.records.create(SYSTEM, "contact", {"name": "Ann", "photo": photo, "secret": secret})
    url = f"/api/v1/records/contact/{record['id']}/files/"
    no_role = client.get(url + "photo", headers=headers)
    assert no_role.status_code in (403, 404) and PNG not in no_role.data
    platform.users.set_roles(user.id, ["reader"])
    assert client.get(url + "photo", headers=headers).data == PNG
    hidden = client.get(url + "secret", headers=headers)
    assert hidden.status_code == 404 and PNG not in hidden.data
    assert client.get(url + "name", headers=headers).status_code == 404


def test_the_openapi_document_describes_both_endpoints(app: Any, client: Any, admin_headers: dict[str, str]) -> None:
    platform = app.extensions["metacrm"]
    user = platform.users.create("reader@example.com", "a long enough passphrase")
    platform.users.set_roles(user.id, ["reader"])
    doc = client.get("/api/v1/openapi.json", headers=admin_headers).get_json()
    assert doc["paths"]["/api/v1/files"]["post"]["operationId"] == "upload_file"
    download = doc["paths"]["/api/v1/records/contact/{id}/files/{field}"]["get"]
    assert download["parameters"][1]["schema"]["enum"] == ["photo", "secret"]
    assert "FileReference" in doc["components"]["schemas"]
    mine = client.get("/api/v1/openapi.json", headers=basic_auth("reader@example.com", "a long enough passphrase"))
    params = mine.get_json()["paths"]["/api/v1/records/contact/{id}/files/{field}"]["get"]["parameters"]
    assert params[1]["schema"]["enum"] == ["photo"]  # the hidden field is not named
