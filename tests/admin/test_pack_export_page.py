"""The packs page's export: a small form, then the admin's customisations as a pack .zip."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from metacrm.platform.packs import PackService, open_pack
from tests.conftest import fld, make_object
from tests.platform.web.conftest import csrf_of


@pytest.fixture
def customised(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    with open_pack("base_crm") as source:
        PackService(platform.metadata, platform.records).install(source)
    opp = platform.schema.get().compiled.bundle.objects["opportunity"].to_json()
    opp.pop("owner")
    opp["fields"].append({"name": "tender_ref", "type": "text"})
    opp["validation_rules"] = [*opp.get("validation_rules", []), {
        "name": "tender_ref_short", "condition": "tender_ref is None or len(tender_ref) <= 20",
        "message": "A tender reference is at most 20 characters"}]
    tender = make_object("tender", fld("title", required=True), fld("account", "lookup", target="account"))
    plan = platform.metadata.plan({"objects": [opp, tender]})
    platform.metadata.apply(plan, author="test", reason="customise", confirm=True)
    return platform


def test_the_packs_page_links_to_the_export(browser: Any) -> None:
    assert 'href="/admin/packs/export"' in browser.get("/admin/packs/").get_data(as_text=True)


def test_the_form_lists_the_admins_items_and_downloads_a_pack(browser: Any, customised: Any) -> None:
    page = browser.get("/admin/packs/export").get_data(as_text=True)
    assert 'value="object:tender"' in page and "Additions to opportunity (fields, validation rules)" in page
    response = browser.post("/admin/packs/export", data={
        "csrf_token": csrf_of(page), "name": "tenders", "version": "1.0.0", "label": "Tenders",
        "items": ["object:opportunity"]})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="tenders-1.0.0.zip"' in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["tenders/extensions/opportunity.json", "tenders/pack.json"]
        manifest = json.loads(archive.read("tenders/pack.json"))
        extension = json.loads(archive.read("tenders/extensions/opportunity.json"))
    assert [f["name"] for f in extension["fields"]] == ["tender_ref"]
    assert [r["name"] for r in extension["validation_rules"]] == ["tender_ref_short"]
    assert manifest["label"] == "Tenders" and list(manifest["requires"]) == ["base_crm"]


def test_a_bad_version_is_shown_with_its_path(browser: Any, customised: Any) -> None:
    page = browser.get("/admin/packs/export").get_data(as_text=True)
    response = browser.post("/admin/packs/export", data={"csrf_token": csrf_of(page), "name": "tenders",
                                                         "version": "first", "items": ["object:tender"]})
    assert response.status_code == 422
    assert 'id="export-problems"' in response.get_data(as_text=True) and "pack.json" in response.get_data(as_text=True)
