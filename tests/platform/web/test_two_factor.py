"""Optional TOTP second factor: turned on by proving the app holds the key, then asked at every sign-in."""

from __future__ import annotations

import re
from typing import Any

import pyotp

from .conftest import USER_EMAIL, USER_PASSWORD, post_form, sign_in


def _turn_on(client: Any) -> str:
    html = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret" class="fs-5">([A-Z2-7]+)<', html).group(1)
    response = post_form(client, "/account/two-factor", code=pyotp.TOTP(secret).now())
    assert response.status_code == 302
    return secret


def test_sign_in_asks_for_the_code_once_turned_on(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    secret = _turn_on(client)
    assert "On:" in client.get("/account/").get_data(as_text=True)
    post_form(client, "/", "/logout")

    response = sign_in(client, USER_EMAIL, USER_PASSWORD, next_="/account/")
    assert response.headers["Location"] == "/login/verify"
    assert client.get("/").status_code == 302  # the password alone does not sign in
    wrong = post_form(client, "/login/verify", code="000000")
    assert wrong.status_code == 401
    right = post_form(client, "/login/verify", code=pyotp.TOTP(secret).now())
    assert right.status_code == 302 and right.headers["Location"] == "/account/"
    assert client.get("/").status_code == 200


def test_a_wrong_code_does_not_turn_it_on(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    response = post_form(client, "/account/two-factor", code="123456")
    assert response.status_code == 200
    assert "does not match" in response.get_data(as_text=True)
    assert "Off." in client.get("/account/").get_data(as_text=True)


def test_five_wrong_codes_send_back_to_the_password(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    _turn_on(client)
    post_form(client, "/", "/logout")
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    for _ in range(4):
        assert post_form(client, "/login/verify", code="000000").status_code == 401
    response = post_form(client, "/login/verify", code="000000")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
