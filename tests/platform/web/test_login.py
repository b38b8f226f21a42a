"""Signing in and out of the web app: CSRF, safe redirects, cookie flags, fixation, throttling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, post_form, sign_in


def test_pages_need_a_signed_in_user_and_come_back_after_login(client: Any) -> None:
    response = client.get("/account/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account/tokens")
    response = sign_in(client, next_="/account/tokens")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/tokens"
    assert client.get("/account/tokens").status_code == 200


def test_login_form_has_the_fields_and_a_csrf_token(client: Any) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html
    assert csrf_of(html)
    assert '<label class="form-label" for="email">' in html  # labels bound to inputs


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_next_never_leaves_the_site(client: Any, target: str) -> None:
    response = sign_in(client, next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_form_post_without_csrf_token_is_refused(client: Any) -> None:
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in


def test_a_token_from_another_session_is_refused(app: Any, client: Any) -> None:
    stranger = app.test_client()
    token = csrf_of(stranger.get("/login").get_data(as_text=True))
    client.get("/login")
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
    assert response.status_code == 400


def test_wrong_password_and_unknown_email_look_the_same(client: Any, plain_user: Any) -> None:
    wrong = sign_in(client, USER_EMAIL, "not the password at all")
    unknown = sign_in(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    message = "The email or password is wrong"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert 'value="user@example.com"' in wrong.get_data(as_text=True)  # the input is kept
    assert "another long passphrase" not in wrong.get_data(as_text=True)


def test_repeated_failures_lock_the_email_even_for_the_right_password(client: Any, plain_user: Any) -> None:
    for _ in range(5):
        assert sign_in(client, USER_EMAIL, "wrong password, again").status_code == 401
    assert sign_in(client, USER_EMAIL, USER_PASSWORD).status_code == 401


def test_session_cookie_flags(client: Any) -> None:
    response = sign_in(client)
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_signing_in_empties_what_was_in_the_session_before(client: Any) -> None:
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith("1:")


def test_logout_is_a_post_with_csrf(browser: Any) -> None:
    assert browser.get("/logout").status_code == 405
    assert browser.post("/logout").status_code == 400
    response = post_form(browser, "/", "/logout")
    assert response.status_code == 302
    assert browser.get("/").status_code == 302


def test_a_disabled_user_is_signed_out_on_the_next_request(app: Any, client: Any, plain_user: Any) -> None:
    assert sign_in(client, USER_EMAIL, USER_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    app.extensions["metacrm"].users.disable(USER_EMAIL)
    assert client.get("/").status_code == 302


def test_a_password_change_ends_other_sessions(app: Any, client: Any, plain_user: Any) -> None:
    assert sign_in(client, USER_EMAIL, USER_PASSWORD).status_code == 302
    app.extensions["metacrm"].users.set_password(USER_EMAIL, "a brand new passphrase")
    assert client.get("/").status_code == 302


def test_api_requests_need_no_csrf_token_and_ignore_the_session(browser: Any) -> None:
    """The API authenticates by header only: a signed-in browser session grants nothing there."""
    assert browser.get("/api/v1/metadata/objects").status_code == 401
