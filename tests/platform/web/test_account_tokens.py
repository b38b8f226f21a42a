"""API tokens made on the account page: shown once, usable at once, revocable."""

from __future__ import annotations

import re
from typing import Any

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, post_form, sign_in


def test_a_token_is_shown_once_and_works_until_revoked(app: Any, browser: Any) -> None:
    page = post_form(browser, "/account/tokens", name="reporting script", scope="read", expires_in_days="30")
    html = page.get_data(as_text=True)
    token = re.search(r'id="new-token-text">(mcrm_[^<]+)<', html).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert browser.get("/api/v1/metadata/objects", headers=headers).status_code == 200
    listing = browser.get("/account/tokens").get_data(as_text=True)
    assert token not in listing and "reporting script" in listing
    token_id = app.extensions["metacrm"].tokens.list(1)[0].id
    response = post_form(browser, "/account/tokens", f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert browser.get("/api/v1/metadata/objects", headers=headers).status_code == 401


def test_someone_elses_token_cannot_be_revoked(app: Any, client: Any, plain_user: Any) -> None:
    _, info = app.extensions["metacrm"].tokens.create(1, "admin's", scope="read")
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    token = csrf_of(client.get("/account/tokens").get_data(as_text=True))
    response = client.post(f"/account/tokens/{info.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 404
    assert app.extensions["metacrm"].tokens.list(1)[0].revoked_at is None
