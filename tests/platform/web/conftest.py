"""Fixtures for the web app: a browser-like client that signs in through the real form, CSRF included."""

from __future__ import annotations

import re
from typing import Any

import pytest
from argon2 import PasswordHasher

from metacrm.platform.security import users
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

USER_EMAIL = "user@example.com"
USER_PASSWORD = "another long passphrase"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2 with the smallest work factors: sign-ins dominate these tests otherwise."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


def sign_in(client: Any, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, *, next_: str | None = None,
            **extra: Any) -> Any:
    """Open the sign-in page, then post the form with its CSRF token, as a browser does."""
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    token = csrf_of(client.get(url).get_data(as_text=True))
    return client.post(url, data={"email": email, "password": password, "csrf_token": token, **extra})


def post_form(client: Any, page: str, action: str | None = None, **data: Any) -> Any:
    """Post a form found on ``page`` (to ``action``, default the page itself) with the page's CSRF token."""
    token = csrf_of(client.get(page).get_data(as_text=True))
    return client.post(action or page, data={"csrf_token": token, **data})


@pytest.fixture
def browser(client: Any) -> Any:
    """A client signed in as the admin."""
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def plain_user(app: Any) -> Any:
    return app.extensions["metacrm"].users.create(USER_EMAIL, USER_PASSWORD, name="Pat User")
