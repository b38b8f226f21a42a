"""The builder's tests sign in through the real form, like the web app's (CSRF included)."""

from tests.platform.web.conftest import browser, cheap_password_hashing, plain_user  # noqa: F401
