"""Record pages: create with errors beside fields, view with related lists and history, edit, inline edit,
clone, delete with its impact, field-level security in the HTML, and friendly 404/403 pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.records import SYSTEM

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, post_form, sign_in
from .records_schema import CRM, apply


@pytest.fixture(autouse=True)
def crm(app: Any) -> None:
    apply(app, CRM)


def records(app: Any) -> Any:
    return app.extensions["metacrm"].records


def new_account(app: Any, **data: Any) -> dict[str, Any]:
    return records(app).create(SYSTEM, "account", {"name": "Acme", **data})


@pytest.fixture
def sales_user(app: Any, plain_user: Any) -> Any:
    app.extensions["metacrm"].users.set_roles(plain_user.id, ["sales"])
    return plain_user


def test_a_new_record_with_errors_shows_them_beside_the_fields_and_keeps_the_input(browser: Any) -> None:
    page = browser.get("/o/account/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<label class="form-label" for="f-name">Name' in html and 'id="f-name"' in html
    response = post_form(browser, "/o/account/new", name="", website="not a url", revenue="12.345",
                         industry="Tech", code="ACME-1")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="form-errors"' in html and 'href="#f-website"' in html
    assert re.search(r'id="f-website"[^>]*class="form-control is-invalid"|class="form-control is-invalid"[^>]*id="f-website"', html)
    assert 'id="f-website-error"' in html and "must be a web address" in html
    assert 'aria-describedby="f-website-error"' in html
    assert "is required" in html and "at most 2 digits after the point" in html
    assert 'value="not a url"' in html and 'value="ACME-1"' in html  # the input is kept
    assert '<option selected value="Tech">' in html


def test_creating_a_record_redirects_to_its_page(app: Any, browser: Any) -> None:
    response = post_form(browser, "/o/account/new", name="Globex", website="https://globex.example",
                         revenue="1200.50", industry="Retail")
    assert response.status_code == 302
    location = response.headers["Location"]
    html = browser.get(location).get_data(as_text=True)
    assert '<h1 class="h4 mb-0 text-break" id="record-title">Globex</h1>' in html
    assert "$1,200.50" in html and 'href="https://globex.example"' in html
    assert "created this record" in html  # the timeline
    assert 'href="/o/account/' in browser.get("/").get_data(as_text=True)  # a recent item


def test_the_record_page_lists_related_records_with_new_buttons_prefilled(app: Any, browser: Any) -> None:
    acme = new_account(app)
    for i in range(7):
        records(app).create(SYSTEM, "contact", {"full_name": f"Person {i}", "account": acme["id"]})
    records(app).create(SYSTEM, "deal", {"title": "Big deal", "account": acme["id"], "amount": "5000"})
    html = browser.get(f"/o/account/{acme['id']}").get_data(as_text=True)
    assert 'data-related="contact.account"' in html and 'data-related="deal.account"' in html
    assert "Person 6" in html and "Person 1" not in html  # the newest five
    assert f'href="/o/contact?account={acme["id"]}"' in html and "View all 7" in html
    assert f'href="/o/contact/new?account={acme["id"]}"' in html
    new_form = browser.get(f"/o/contact/new?account={acme['id']}").get_data(as_text=True)
    assert f'<option selected value="{acme["id"]}">Acme</option>' in new_form


def test_a_record_page_checks_the_metadata_version_once_and_the_parent_once(app: Any, browser: Any) -> None:
    """Related lists reuse the page's schema and its access check on the parent (the page's speed goal)."""
    acme = new_account(app)
    records(app).create(SYSTEM, "contact", {"full_name": "Person", "account": acme["id"]})
    browser.get(f"/o/account/{acme['id']}")
    statements: list[str] = []
    engine = app.extensions["metacrm"].engine
    listener = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        assert browser.get(f"/o/account/{acme['id']}").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert sum("metacrm_meta_version" in s for s in statements) == 1
    assert sum(s.startswith("SELECT obj_account.id FROM obj_account WHERE") for s in statements) <= 1
    assert [s for s in statements if "count(" in s and "obj_" in s] == []  # one short related list: its rows are its count


def test_history_shows_who_changed_what(app: Any, browser: Any) -> None:
    acme = new_account(app, industry="Tech")
    page = browser.get(f"/o/account/{acme['id']}/edit").get_data(as_text=True)
    response = browser.post(f"/o/account/{acme['id']}/edit", data={
        "csrf_token": csrf_of(page), "version": "1", "name": "Acme Corp", "industry": "Retail"})
    assert response.status_code == 302
    html = browser.get(f"/o/account/{acme['id']}").get_data(as_text=True)
    timeline = html[html.index('id="timeline-title"'):]
    assert "changed 2 fields" in timeline and "Industry" in timeline and "Retail" in timeline
    assert "Acme Corp" in timeline


def test_an_edit_after_someone_else_saved_says_so_and_keeps_the_input(app: Any, browser: Any) -> None:
    acme = new_account(app)
    page = browser.get(f"/o/account/{acme['id']}/edit").get_data(as_text=True)
    records(app).update(SYSTEM, "account", acme["id"], {"name": "Changed meanwhile"})
    response = browser.post(f"/o/account/{acme['id']}/edit", data={
        "csrf_token": csrf_of(page), "version": "1", "name": "My change"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="form-conflict"' in html and "Someone else saved" in html and 'value="My change"' in html
    assert records(app).get(SYSTEM, "account", acme["id"])["name"] == "Changed meanwhile"


def test_inline_edit_saves_one_field_and_swaps_back_the_display(app: Any, browser: Any) -> None:
    acme = new_account(app)
    url = f"/o/account/{acme['id']}/field/website/edit"
    fragment = browser.get(url).get_data(as_text=True)
    assert 'id="field-website"' in fragment and 'name="version" value="1"' in fragment and "<html" not in fragment
    token = csrf_of(fragment)
    bad = browser.post(url, data={"csrf_token": token, "version": "1", "website": "nope"})
    assert bad.status_code == 200 and "must be a web address" in bad.get_data(as_text=True)
    assert 'value="nope"' in bad.get_data(as_text=True)
    good = browser.post(url, data={"csrf_token": token, "version": "1", "website": "https://acme.example"})
    assert good.status_code == 200 and 'href="https://acme.example"' in good.get_data(as_text=True)
    assert "app-field-saved" in good.get_data(as_text=True)
    stale = browser.post(url, data={"csrf_token": token, "version": "1", "website": "https://other.example"})
    assert "Someone else changed this record" in stale.get_data(as_text=True)
    assert records(app).get(SYSTEM, "account", acme["id"])["website"] == "https://acme.example"


def test_clone_prefills_a_new_form_without_unique_and_computed_fields(app: Any, browser: Any) -> None:
    acme = new_account(app, code="UNIQ-1", industry="Tech", website="https://acme.example")
    html = browser.get(f"/o/account/{acme['id']}/clone").get_data(as_text=True)
    assert 'action="/o/account/new"' in html and 'value="https://acme.example"' in html
    assert 'value="Acme"' in html and "UNIQ-1" not in html
    contact = records(app).create(SYSTEM, "contact", {"full_name": "Ann"})
    html = browser.get(f"/o/contact/{contact['id']}/clone").get_data(as_text=True)
    assert "C-0001" not in html and "Assigned when saved" in html


def test_delete_shows_its_impact_then_deletes(app: Any, browser: Any) -> None:
    acme = new_account(app)
    records(app).create(SYSTEM, "deal", {"title": "D1", "account": acme["id"]})
    records(app).create(SYSTEM, "contact", {"full_name": "Ann", "account": acme["id"]})
    page = browser.get(f"/o/account/{acme['id']}/delete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-cascade="deal"' in html and 'data-cleared="contact.account"' in html
    response = browser.post(f"/o/account/{acme['id']}/delete", data={"csrf_token": csrf_of(html), "version": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/o/account"
    assert browser.get(f"/o/account/{acme['id']}").status_code == 404


def test_a_restricted_delete_names_the_blockers(app: Any, browser: Any) -> None:
    apply(app, {"objects": [{"name": "invoice", "fields": [
        {"name": "number", "type": "text"}, {"name": "account", "type": "lookup", "target": "account"}]}]})
    acme = new_account(app)
    inv = records(app).create(SYSTEM, "invoice", {"number": "INV-9", "account": acme["id"]})
    html = browser.get(f"/o/account/{acme['id']}/delete").get_data(as_text=True)
    assert 'id="delete-blocked"' in html and f'href="/o/invoice/{inv["id"]}">INV-9</a>' in html
    assert 'id="confirm-delete" disabled' in html


def test_unknown_and_unreadable_records_get_friendly_pages(app: Any, browser: Any, client: Any,
                                                          plain_user: Any) -> None:
    missing = browser.get("/o/account/999")
    assert missing.status_code == 404 and "We can&#39;t find that page" in missing.get_data(as_text=True)
    assert browser.get("/o/nothing/1").status_code == 404
    acme = new_account(app)
    browser.post("/logout", data={"csrf_token": csrf_of(browser.get("/").get_data(as_text=True))})
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    refused = client.get(f"/o/account/{acme['id']}")
    assert refused.status_code == 403 and "may not read Account records" in refused.get_data(as_text=True)


def test_hidden_fields_never_reach_the_page_and_read_only_ones_are_disabled(app: Any, client: Any,
                                                                           sales_user: Any) -> None:
    acme = new_account(app, secret_notes="TOPSECRET-1", revenue="999")
    records(app).update(SYSTEM, "account", acme["id"], {"secret_notes": "TOPSECRET-42"})  # history of a hidden field
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    for url in (f"/o/account/{acme['id']}", f"/o/account/{acme['id']}/edit", "/o/account/new",
                f"/o/account/{acme['id']}/clone"):
        raw = client.get(url).get_data()
        assert b"secret_notes" not in raw and b"TOPSECRET" not in raw and b"Secret notes" not in raw, url
    edit = client.get(f"/o/account/{acme['id']}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*disabled[^>]*id="f-revenue"|<input[^>]*id="f-revenue"[^>]*disabled', edit)
    forged = client.post(f"/o/account/{acme['id']}/edit", data={
        "csrf_token": csrf_of(edit), "version": "1", "name": "Acme", "revenue": "1"})
    assert forged.status_code == 403 and "cannot be changed here: revenue" in forged.get_data(as_text=True)
    hidden = client.post(f"/o/account/{acme['id']}/edit", data={
        "csrf_token": csrf_of(edit), "version": "1", "name": "Acme", "secret_notes": "x"})
    assert hidden.status_code == 403
    stored = records(app).get(SYSTEM, "account", acme["id"])
    assert str(stored["revenue"]) == "999.00" and stored["secret_notes"] == "TOPSECRET-42"
    assert client.get(f"/o/account/{acme['id']}/field/revenue/edit").status_code == 403
    assert client.get(f"/o/account/{acme['id']}/field/secret_notes/edit").status_code == 403



def test_a_new_record_form_shows_the_fields_literal_defaults(app: Any, browser: Any) -> None:
    from tests.conftest import fld, make_object

    platform = app.extensions["metacrm"]
    doc = {"objects": [make_object("ticket", fld("subject", required=True),
                                   fld("status", "picklist", options=["New", "Open", "Closed"], default="Open",
                                       required=True),
                                   fld("urgent", "boolean", default=True),
                                   fld("due", "date", default="=today() + days(3)"))]}
    platform.metadata.apply(platform.metadata.plan(doc), author="test", confirm=True)

    def selected(html: str) -> list[str]:
        return re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', html)

    html = browser.get("/o/ticket/new").get_data(as_text=True)
    assert [a or b for a, b in selected(html)] == ["Open"]
    assert re.search(r'<input[^>]*checked[^>]*id="f-urgent"|<input[^>]*id="f-urgent"[^>]*checked', html)
    assert re.search(r'<input[^>]*id="f-due"[^>]*>', html) and "today()" not in html  # expressions: the service's
    html = browser.get("/o/ticket/new?status=Closed").get_data(as_text=True)
    assert [a or b for a, b in selected(html)] == ["Closed"]  # the query string wins
