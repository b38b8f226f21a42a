"""Web-to-lead in real Chromium: the base CRM's public form embedded in another site's page, filled in and sent;
an admin then finds the lead, and an account's Customer 360 page shows its figures, sections and timeline."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from metacrm.platform.packs.service import PackService
from metacrm.platform.packs.source import open_pack
from metacrm.platform.records import SYSTEM
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

from .conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def host_site(live_server: str) -> Iterator[str]:
    """Another site (its own origin) whose page embeds the form, as a customer's web site would."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = (f"<!doctype html><title>Example Corp</title><body style='font-family:sans-serif;margin:2rem'>"
                    f"<h1>Example Corp — talk to us</h1><iframe id='crm-form' src='{live_server}/f/lead/web_to_lead' "
                    "width='640' height='1120' style='border:1px solid #ccc'></iframe></body>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def base_crm(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    with open_pack("base_crm") as source:
        PackService(platform.metadata, platform.records).install(source, demo=True)
    platform.jobs.stop()  # the demo data's queued jobs (SLA timers, say) are not this test's; SQLite has one writer
    platform.users.create("rep@example.com", "a long enough passphrase", name="Rita Rep", roles=["sales_rep"])
    return platform


def allow_embedding(platform: Any, origin: str) -> None:
    """The admin adds the customer's site to the form's allowed origins (a safe metadata change)."""
    lead = platform.schema.get().compiled.bundle.objects["lead"].to_json()
    lead["public_forms"][0]["allowed_origins"] = [origin]
    plan = platform.metadata.plan(lead)
    assert not any(op.destructive for op in plan.operations)
    platform.metadata.apply(plan, author="admin", confirm=True)


def test_a_visitor_sends_the_embedded_form_and_an_admin_sees_the_lead(
        app: Any, base_crm: Any, live_server: str, host_site: str, page: Any) -> None:
    allow_embedding(base_crm, host_site)
    page.goto(host_site)
    form = page.frame_locator("#crm-form")
    form.get_by_label("First name").fill("Grace")
    form.get_by_label("Last name").fill("Hopper <b>RN</b>")
    form.get_by_label("Company").fill("Compilers Inc")
    form.get_by_label("Email").fill("grace@example.com")
    form.get_by_label("Description").fill("We need a CRM for 40 people.")
    page.wait_for_timeout(2200)  # a person takes a few seconds: faster is refused as a script
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "web_to_lead.png"), full_page=True)
    form.get_by_role("button", name="Send").click()
    form.locator("#public-message").wait_for()
    assert "A sales representative will contact you shortly" in form.locator("#public-message").inner_text()

    lead = base_crm.records.reader.list(SYSTEM, "lead", {"email": "grace@example.com"}).records[0]
    assert (lead["lead_source"], lead["status"]) == ("Web", "Open - Not Contacted")
    assert lead["owner"] == base_crm.users.get_by_email("rep@example.com").id
    sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"{live_server}/o/lead/{lead['id']}")
    assert page.locator("#record-title").inner_text() == "Hopper <b>RN</b>"  # text, never markup


def test_the_account_360_page(app: Any, base_crm: Any, live_server: str, page: Any) -> None:
    best = base_crm.records.reader.list(SYSTEM, "account", {"sort": "-lifetime_value", "limit": "1"}).records[0]
    sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{live_server}/o/account/{best['id']}")
    kpis = page.locator("#record-kpis")
    assert "Lifetime value" in kpis.inner_text() and "Open pipeline" in kpis.inner_text()
    for title in ("Contacts", "Open opportunities", "Open cases", "Activity timeline"):
        assert page.get_by_role("heading", name=title).count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "account_360.png"), full_page=True)
