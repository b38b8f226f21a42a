"""Web fixtures (a signed-in browser, cheap hashing) shared with the list-page tests."""

from tests.platform.web.conftest import browser, cheap_password_hashing, plain_user  # noqa: F401
