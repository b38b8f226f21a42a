"""A consultant installs, upgrades and removes a pack from the admin packs page, in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.admin.test_packs_page import packs_folder, write_pack  # noqa: F401  (the same "mini" pack)
from tests.conftest import fld

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_install_upgrade_and_uninstall_a_pack_in_the_browser(signed_in: Any, live_server: str,
                                                             packs_folder: Path) -> None:
    page = signed_in
    page.click("#user-menu")
    page.click("#setup-link")
    page.get_by_role("link", name="Manage packs").click()
    page.locator('tr[data-pack="mini"]').get_by_role("link", name="Install…").click()
    assert "gadget" in page.locator("#plan").inner_text()
    page.get_by_role("button", name="Install Mini pack").click()
    page.wait_for_selector("text=Installed mini 1.0.0.")
    page.goto(f"{live_server}/")
    assert page.locator("nav").get_by_text("Gadgets").count() >= 1  # the new object is in the navigation

    write_pack(packs_folder, "1.1.0", fld("colour"))
    page.goto(f"{live_server}/admin/packs/")
    page.locator('tr[data-pack="mini"]').get_by_role("link", name="Upgrade to 1.1.0…").click()
    assert "colour" in page.locator("#plan").inner_text()
    page.screenshot(path=str(SHOTS / "admin_pack_upgrade.png"))
    page.get_by_role("button", name="Upgrade Mini pack").click()
    page.wait_for_selector("text=Upgraded mini 1.1.0.")
    page.screenshot(path=str(SHOTS / "admin_packs.png"))

    page.locator('tr[data-pack="mini"]').get_by_role("link", name="Uninstall…").click()
    page.get_by_role("button", name="Uninstall Mini pack").click()
    page.wait_for_selector("text=Uninstalled mini 1.1.0.")
    assert page.locator('tr[data-pack="mini"]').get_by_role("link", name="Install…").count() == 1
