"""Browser tests: a real MetaCRM server in a thread and Debian's headless chromium driven by Playwright.

Playwright cannot download its own browsers here, so it drives the system
``chromium``; a missing browser fails the run with the command that installs it.
"""

from __future__ import annotations

import shutil
import threading
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is needed for browser tests: apt-get install chromium (scripts/test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, base_url: str, email: str, password: str, *, next_: str = "") -> None:
    """Sign in through the real form, as a person would, and wait for the app shell."""
    page.goto(f"{base_url}/login" + (f"?next={next_}" if next_ else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#user-menu")


@pytest.fixture
def signed_in(page: Any, live_server: str) -> Any:
    """A 1280×800 page signed in as the admin through the real sign-in form."""
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    return page
