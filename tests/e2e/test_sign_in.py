"""Signing in, the app shell and the account pages in real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, fld, make_object

from .conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_sign_in_lands_on_the_page_asked_for_and_sign_out_ends_it(app: Any, live_server: str, page: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(make_object("deal", fld("title"), icon="briefcase")),
                            author="test", confirm=True)
    page.goto(f"{live_server}/account/")
    assert "/login?next=/account/" in page.url
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill("wrong password entirely")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".invalid-feedback").inner_text().startswith("The email or password is wrong")
    assert page.get_by_label("Email").input_value() == ADMIN_EMAIL
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sign_in_error.png"))

    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/account/")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"

    page.goto(f"{live_server}/")
    assert page.locator('#object-nav a[data-object="deal"]').is_visible()
    page.screenshot(path=str(SCREENSHOTS / "home.png"))
    page.locator("#user-menu").click()
    page.locator("#sign-out").click()
    page.wait_for_url(f"{live_server}/login")
    page.goto(f"{live_server}/")
    assert "/login" in page.url


def test_the_shell_works_at_phone_width_and_right_to_left(app: Any, live_server: str, browser: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(make_object("deal", fld("title"))), author="test", confirm=True)
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="ar")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        assert page.locator("html").get_attribute("dir") == "rtl"
        sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
        nav_link = page.locator('#object-nav a[data-object="deal"]')
        assert not nav_link.is_visible()  # the sidebar folds away on a phone
        page.get_by_role("button", name="Open navigation").click()
        nav_link.wait_for(state="visible")
        page.screenshot(path=str(SCREENSHOTS / "home_phone.png"))
    finally:
        context.close()
