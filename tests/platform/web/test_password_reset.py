"""Forgotten passwords: a signed, time-limited, single-use link delivered through the outbox."""

from __future__ import annotations

import re
from typing import Any

import pytest

from metacrm.platform import outbox
from metacrm.platform.web import auth_views

from .conftest import USER_EMAIL, USER_PASSWORD, post_form, sign_in

NEW_PASSWORD = "correct battery horse staple two"


def _request_link(app: Any, client: Any, email: str = USER_EMAIL) -> str | None:
    response = post_form(client, "/password/forgot", email=email)
    assert response.status_code == 302
    sent = outbox.messages(app.extensions["metacrm"].engine, to=email)
    if not sent:
        return None
    return re.search(r"http://localhost(/password/reset/\S+)", sent[0].body).group(1)


def test_the_link_sets_a_new_password_once(app: Any, client: Any, plain_user: Any) -> None:
    link = _request_link(app, client)
    assert link
    response = post_form(client, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert sign_in(client, USER_EMAIL, USER_PASSWORD).status_code == 401
    assert sign_in(client, USER_EMAIL, NEW_PASSWORD).status_code == 302
    again = client.get(link)
    assert again.status_code == 302 and again.headers["Location"] == "/password/forgot"


def test_unknown_emails_get_the_same_answer_and_no_mail(app: Any, client: Any, plain_user: Any) -> None:
    known = post_form(client, "/password/forgot", email=USER_EMAIL)
    unknown = post_form(client, "/password/forgot", email="nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert outbox.messages(app.extensions["metacrm"].engine, to="nobody@example.com") == []


def test_an_expired_or_forged_link_is_refused(app: Any, client: Any, plain_user: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    link = _request_link(app, client)
    assert client.get(link[:-3] + "xyz").headers["Location"] == "/password/forgot"
    monkeypatch.setattr(auth_views, "RESET_MAX_AGE", -1)
    assert client.get(link).headers["Location"] == "/password/forgot"


def test_passwords_must_match_and_be_long(app: Any, client: Any, plain_user: Any) -> None:
    link = _request_link(app, client)
    response = post_form(client, link, password="short", confirm="short")
    assert response.status_code == 400
    assert "at least 12" in response.get_data(as_text=True)
    response = post_form(client, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD + "x")
    assert "The two passwords differ" in response.get_data(as_text=True)
