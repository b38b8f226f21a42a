"""Metadata as JSON: export all or chosen objects; import a bundle through its plan."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.admin.builder_steps import apply, submit
from tests.conftest import fld, make_object


@pytest.fixture
def metadata(app: Any) -> Any:
    service = app.extensions["metacrm"].metadata
    service.apply(service.plan({"objects": [make_object("company", fld("name")),
                                            make_object("deal", fld("title"))]}), author="test")
    return service


def test_export_everything_or_chosen_objects(browser: Any, metadata: Any) -> None:
    page = browser.get("/admin/metadata/export").get_data(as_text=True)
    assert 'value="company"' in page and 'value="deal"' in page
    everything = browser.get("/admin/metadata/export?download=1")
    assert everything.headers["Content-Disposition"].startswith("attachment")
    assert {o["name"] for o in everything.get_json()["objects"]} >= {"company", "deal"}
    part = browser.get("/admin/metadata/export?download=1&objects=deal").get_json()
    assert [o["name"] for o in part["objects"]] == ["deal"]


def test_import_previews_the_plan_then_applies(browser: Any, metadata: Any) -> None:
    bundle = {"objects": [make_object("deal", fld("title"), fld("amount", "currency")),
                          make_object("ticket", fld("subject"))]}
    preview = submit(browser, "/admin/metadata/import", text=json.dumps(bundle))
    html = preview.get_data(as_text=True)
    assert 'id="plan"' in html and "ticket" in html and "amount" in html
    assert metadata.current().compiled.object("ticket") is None
    assert apply(browser, preview).status_code == 302
    assert metadata.current().compiled.object("ticket") is not None
    assert metadata.current().compiled.object("company") is not None  # an upsert: others are kept


def test_import_an_uploaded_file_of_one_object(browser: Any, metadata: Any) -> None:
    from tests.platform.web.conftest import csrf_of  # noqa: PLC0415
    token = csrf_of(browser.get("/admin/metadata/import").get_data(as_text=True))
    upload = (io.BytesIO(json.dumps(make_object("ticket", fld("subject"))).encode()), "ticket.json")
    preview = browser.post("/admin/metadata/import", data={"csrf_token": token, "upload": upload},
                           content_type="multipart/form-data")
    assert "ticket" in preview.get_data(as_text=True)
    assert apply(browser, preview).status_code == 302
    assert metadata.current().compiled.object("ticket") is not None


def test_a_broken_bundle_is_explained_before_any_plan(browser: Any, metadata: Any) -> None:
    not_json = submit(browser, "/admin/metadata/import", text="{objects: ")
    assert not_json.status_code == 422 and "not valid JSON" in not_json.get_data(as_text=True)
    invalid = submit(browser, "/admin/metadata/import",
                     text=json.dumps({"objects": [make_object("deal", fld("title", "nonsense"))]}))
    html = invalid.get_data(as_text=True)
    assert invalid.status_code == 422 and "fields" in html and 'id="apply-form"' not in html


def test_an_exported_object_round_trips_through_import(browser: Any, metadata: Any) -> None:
    exported = browser.get("/admin/metadata/export?download=1&objects=deal").get_data(as_text=True)
    preview = submit(browser, "/admin/metadata/import", text=exported)
    assert "No change to the metadata." in preview.get_data(as_text=True)
