"""Metadata history: versions with author, reason and a readable diff; restore one through its plan."""

from __future__ import annotations

from typing import Any

from tests.admin.builder_steps import add_field, apply, create_object


def test_history_lists_versions_with_author_reason_and_changes(browser: Any) -> None:
    create_object(browser, "Property", "property")
    add_field(browser, "property", "integer", label="Bedrooms", name="bedrooms")
    html = browser.get("/admin/history/").get_data(as_text=True)
    assert html.count('data-version="') >= 2
    assert "admin@example.com" in html and "testing the builder" in html
    assert "bedrooms" in html and 'class="badge text-bg-primary">current' in html


def test_restoring_an_earlier_version_removes_the_later_field_from_form_and_api(browser: Any, app: Any) -> None:
    metadata = app.extensions["metacrm"].metadata
    create_object(browser, "Property", "property")
    before = metadata.history(1)[0].id
    add_field(browser, "property", "integer", label="Bedrooms", name="bedrooms")
    assert 'name="bedrooms"' in browser.get("/o/property/new").get_data(as_text=True)
    history = browser.get("/admin/history/").get_data(as_text=True)
    assert f"/admin/history/{before}/restore" in history
    preview = browser.get(f"/admin/history/{before}/restore")
    html = preview.get_data(as_text=True)
    assert "bedrooms" in html and "destructive" in html
    assert metadata.current().compiled.object("property").fields.get("bedrooms") is not None  # not yet
    done = apply(browser, preview, confirm="y")
    assert done.status_code == 302 and done.headers["Location"] == "/admin/history/"
    assert metadata.current().compiled.object("property").fields.get("bedrooms") is None
    assert 'name="bedrooms"' not in browser.get("/o/property/new").get_data(as_text=True)
    head = metadata.history(1)[0]
    assert (head.kind, head.restored_from, head.author) == ("rollback", before, "admin@example.com")
    # the restore is itself a version: restoring the one before it brings the field back
    again = apply(browser, browser.get(f"/admin/history/{head.id - 1}/restore"), confirm="y")
    assert again.status_code == 302
    assert metadata.current().compiled.object("property").fields.get("bedrooms") is not None


def test_restoring_an_unknown_version_explains_itself(browser: Any) -> None:
    response = browser.get("/admin/history/999/restore")
    assert response.status_code == 404 and "999" in response.get_data(as_text=True)
