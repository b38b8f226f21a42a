"""Notifications for users: the API (each user sees only theirs) and the bell and page of the app shell."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.notifications import store
from tests.conftest import ADMIN_EMAIL, basic_auth

from .conftest import USER_EMAIL, USER_PASSWORD, post_form


@pytest.fixture
def notes(app: Any, plain_user: Any) -> dict[str, Any]:
    """Three notifications for the admin, one for the plain user."""
    platform = app.extensions["metacrm"]
    admin_id = platform.users.get_by_email(ADMIN_EMAIL).id
    with platform.engine.begin() as conn:
        ids = [store.add(conn, [admin_id], f"Message {n}", object_name="deal", record_id=n)[0] for n in (1, 2, 3)]
        theirs = store.add(conn, [plain_user.id], "Yours only")[0]
    return {"admin": admin_id, "ids": ids, "theirs": theirs}


def test_the_api_lists_marks_read_and_reads_all(client: Any, admin_headers: dict[str, str],
                                                notes: dict[str, Any]) -> None:
    listed = client.get("/api/v1/notifications", headers=admin_headers).get_json()
    assert [n["message"] for n in listed["data"]] == ["Message 3", "Message 2", "Message 1"]
    assert listed["unread"] == 3
    marked = client.post(f"/api/v1/notifications/{notes['ids'][0]}/read", headers=admin_headers).get_json()
    assert marked["read_at"] is not None
    unread = client.get("/api/v1/notifications?unread=1", headers=admin_headers).get_json()
    assert [n["message"] for n in unread["data"]] == ["Message 3", "Message 2"]
    assert client.post("/api/v1/notifications/read-all", headers=admin_headers).get_json() == {"marked": 2}
    assert client.get("/api/v1/notifications?unread=1", headers=admin_headers).get_json()["data"] == []


def test_each_user_sees_only_their_own(client: Any, admin_headers: dict[str, str], notes: dict[str, Any]) -> None:
    user = basic_auth(USER_EMAIL, USER_PASSWORD)
    assert [n["message"] for n in client.get("/api/v1/notifications", headers=user).get_json()["data"]] == ["Yours only"]
    stolen = client.post(f"/api/v1/notifications/{notes['ids'][0]}/read", headers=user)
    assert stolen.status_code == 404 and stolen.mimetype == "application/problem+json"
    assert client.post("/api/v1/notifications/read-all", headers=user).get_json() == {"marked": 1}
    assert client.get("/api/v1/notifications?unread=1", headers=admin_headers).get_json()["unread"] == 3
    assert client.get("/api/v1/notifications").status_code == 401


def test_the_email_preference(client: Any, admin_headers: dict[str, str]) -> None:
    assert client.get("/api/v1/notifications/preferences", headers=admin_headers).get_json() == {"email": False}
    assert client.put("/api/v1/notifications/preferences", json={"email": True},
                      headers=admin_headers).get_json() == {"email": True}
    assert client.put("/api/v1/notifications/preferences", json={"email": "yes"},
                      headers=admin_headers).status_code == 422


def test_the_shell_polls_the_bell_which_shows_the_unread_count(browser: Any, notes: dict[str, Any]) -> None:
    home = browser.get("/").get_data(as_text=True)
    assert 'hx-get="/notifications/bell"' in home and 'hx-trigger="load, every 60s"' in home
    bell = browser.get("/notifications/bell").get_data(as_text=True)
    assert 'id="unread-count">3<' in bell


def test_the_page_lists_them_and_opening_one_marks_it_read_and_goes_to_the_record(
        browser: Any, notes: dict[str, Any]) -> None:
    page = browser.get("/notifications").get_data(as_text=True)
    assert page.index("Message 3") < page.index("Message 1") and "Yours only" not in page
    opened = post_form(browser, "/notifications", f"/notifications/{notes['ids'][1]}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/o/deal/2")
    assert 'id="unread-count">2<' in browser.get("/notifications/bell").get_data(as_text=True)
    post_form(browser, "/notifications", "/notifications/read-all")
    assert "unread-count" not in browser.get("/notifications/bell").get_data(as_text=True)
