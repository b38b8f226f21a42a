"""The packs page: what is installed and available, and install/upgrade/uninstall with a preview first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from metacrm.platform.packs import source
from tests.conftest import fld, make_object
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in


def write_pack(root: Path, version: str, *fields: dict[str, Any]) -> None:
    pack = root / "mini"
    (pack / "objects").mkdir(parents=True, exist_ok=True)
    (pack / "pack.json").write_text(json.dumps({"name": "mini", "label": "Mini pack", "version": version,
                                                "description": "Gadgets for tests"}))
    (pack / "objects" / "gadget.json").write_text(json.dumps(make_object("gadget", fld("name", required=True),
                                                                         *fields)))


@pytest.fixture
def packs_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "packs"
    write_pack(folder, "1.0.0")
    before = list(source._PLUGIN_DIRS)
    source.add_pack_folder(folder)
    yield folder
    source._PLUGIN_DIRS[:] = before


def confirm(browser: Any, url: str, **data: Any) -> Any:
    page = browser.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    return browser.post(url, data={"csrf_token": csrf_of(page.get_data(as_text=True)), **data})


def test_the_page_lists_available_packs_with_versions(browser: Any, packs_folder: Path) -> None:
    html = browser.get("/admin/packs/").get_data(as_text=True)
    assert 'data-pack="base_crm"' in html and 'data-pack="mini"' in html
    assert "Gadgets for tests" in html and "/admin/packs/mini/install" in html


def test_install_shows_the_plan_first_then_applies_it(browser: Any, app: Any, packs_folder: Path) -> None:
    preview = browser.get("/admin/packs/mini/install").get_data(as_text=True)
    assert 'id="plan"' in preview and "gadget" in preview
    assert app.extensions["metacrm"].metadata.current().compiled.object("gadget") is None  # nothing yet
    done = confirm(browser, "/admin/packs/mini/install")
    assert done.status_code == 302 and done.headers["Location"] == "/admin/packs/"
    assert app.extensions["metacrm"].metadata.current().compiled.object("gadget") is not None
    html = browser.get("/admin/packs/").get_data(as_text=True)
    assert "Installed mini 1.0.0." in html and "/admin/packs/mini/uninstall" in html
    history = app.extensions["metacrm"].metadata.history()
    assert history[0].author == "admin@example.com" and "install pack mini" in history[0].reason


def test_upgrade_applies_only_the_difference(browser: Any, app: Any, packs_folder: Path) -> None:
    confirm(browser, "/admin/packs/mini/install")
    write_pack(packs_folder, "1.1.0", fld("colour"))
    assert "Upgrade to 1.1.0" in browser.get("/admin/packs/").get_data(as_text=True)
    preview = browser.get("/admin/packs/mini/upgrade").get_data(as_text=True)
    assert "colour" in preview and "1.0.0 → 1.1.0" in preview
    assert confirm(browser, "/admin/packs/mini/upgrade").status_code == 302
    assert app.extensions["metacrm"].metadata.current().compiled.object("gadget").fields.get("colour")


def test_uninstall_keeps_data_unless_asked(browser: Any, app: Any, packs_folder: Path) -> None:
    confirm(browser, "/admin/packs/mini/install")
    preview = browser.get("/admin/packs/mini/uninstall").get_data(as_text=True)
    assert "remove" in preview.lower() and 'name="purge"' in preview
    assert confirm(browser, "/admin/packs/mini/uninstall").status_code == 302
    assert app.extensions["metacrm"].metadata.current().compiled.object("gadget") is None
    assert any(a.object == "gadget" for a in app.extensions["metacrm"].metadata.archives())  # archived, not gone


def test_actions_that_do_not_apply_go_back_with_a_message(browser: Any, packs_folder: Path) -> None:
    response = browser.get("/admin/packs/mini/upgrade")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/packs/"
    assert "Mini pack is not installed." in browser.get("/admin/packs/").get_data(as_text=True)
    assert browser.get("/admin/packs/nothing/install").status_code == 404
    assert browser.get("/admin/packs/mini/explode").status_code == 404


def test_a_post_without_the_csrf_token_changes_nothing(browser: Any, app: Any, packs_folder: Path) -> None:
    assert browser.post("/admin/packs/mini/install", data={}).status_code == 400
    assert app.extensions["metacrm"].metadata.current().compiled.object("gadget") is None


def test_only_admins_reach_the_builder(app: Any, client: Any, plain_user: Any) -> None:
    assert client.get("/admin/packs/").headers["Location"].startswith("/login")
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    for url in ("/admin/", "/admin/packs/", "/admin/packs/base_crm/install"):
        assert client.get(url).status_code == 403
    assert 'id="setup-link"' not in client.get("/").get_data(as_text=True)


def test_admins_find_setup_in_the_user_menu(browser: Any) -> None:
    html = browser.get("/").get_data(as_text=True)
    assert 'id="setup-link"' in html
    assert "Manage packs" in browser.get("/admin/").get_data(as_text=True)
