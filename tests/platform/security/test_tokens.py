"""API tokens: shown once, stored as a hash, refused when revoked, expired, unknown or disabled; Bearer over HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.errors import NotFound, Unprocessable
from metacrm.platform.runtime import Platform
from metacrm.platform.security.users import User
from metacrm.platform.storage.platform_tables import api_token
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.platform.api.conftest import API, CRM_COMPANY, RECORDS, assert_problem

from .conftest import USER_EMAIL, Clock, events


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_and_only_its_hash_is_stored(platform: Platform, alice: User) -> None:
    text, info = platform.tokens.create(alice.id, "laptop script")
    assert text.startswith(f"mcrm_{info.prefix}_") and len(text) > 40
    assert (info.name, info.scope, info.user_id) == ("laptop script", "write", alice.id)
    with platform.engine.connect() as conn:
        row = conn.execute(sa.select(api_token)).one()
    assert row.token_hash == hashlib.sha256(text.encode()).hexdigest()
    assert text not in [str(v) for v in row]
    assert text not in repr(platform.tokens.list(alice.id))


def test_two_tokens_never_share_a_secret(platform: Platform, alice: User) -> None:
    first, _ = platform.tokens.create(alice.id, "a")
    second, _ = platform.tokens.create(alice.id, "a")
    assert first != second


def test_a_token_signs_in_as_its_user(platform: Platform, alice: User) -> None:
    text, info = platform.tokens.create(alice.id, "ci", scope="read")
    signed_in, used = platform.tokens.authenticate(text)  # type: ignore[misc]
    assert signed_in == alice
    assert (used.id, used.scope) == (info.id, "read")
    assert platform.tokens.list(alice.id)[0].last_used_at is not None


@pytest.mark.parametrize("text", ["", "mcrm_", "mcrm_deadbeef_notatoken", ADMIN_PASSWORD])
def test_unknown_tokens_are_refused(platform: Platform, alice: User, text: str) -> None:
    platform.tokens.create(alice.id, "ci")
    assert platform.tokens.authenticate(text) is None


def test_a_revoked_token_is_refused(platform: Platform, alice: User) -> None:
    text, info = platform.tokens.create(alice.id, "ci")
    revoked = platform.tokens.revoke(info.id, alice)
    assert revoked.revoked_at is not None
    assert platform.tokens.authenticate(text) is None
    assert platform.tokens.revoke(info.id, alice).revoked_at == revoked.revoked_at  # twice is harmless


def test_an_expired_token_is_refused(platform: Platform, alice: User, clock: Clock) -> None:
    text, _ = platform.tokens.create(alice.id, "ci", expires_at=clock.now + dt.timedelta(days=1))
    assert platform.tokens.authenticate(text) is not None
    clock.advance(days=1)
    assert platform.tokens.authenticate(text) is None


def test_a_token_cannot_be_created_already_expired_or_with_an_unknown_scope(platform: Platform, alice: User) -> None:
    with pytest.raises(Unprocessable):
        platform.tokens.create(alice.id, "ci", expires_at=dt.datetime.now(dt.timezone.utc))
    with pytest.raises(Unprocessable):
        platform.tokens.create(alice.id, "ci", scope="admin")
    with pytest.raises(Unprocessable):
        platform.tokens.create(alice.id, " ")
    with pytest.raises(NotFound):
        platform.tokens.create(alice.id + 100, "ci")


def test_a_disabled_users_tokens_stop_working(platform: Platform, alice: User) -> None:
    text, _ = platform.tokens.create(alice.id, "ci")
    platform.users.disable(USER_EMAIL)
    assert platform.tokens.authenticate(text) is None


def test_only_the_owner_or_an_admin_may_revoke(platform: Platform, alice: User) -> None:
    bob = platform.users.create("bob@example.com", ADMIN_PASSWORD)
    admin = platform.users.create("boss@example.com", ADMIN_PASSWORD, is_admin=True)
    _, info = platform.tokens.create(alice.id, "ci")
    with pytest.raises(NotFound):  # like a missing token: ids are not a way to probe
        platform.tokens.revoke(info.id, bob)
    assert platform.tokens.revoke(info.id, admin).revoked_at is not None


def test_last_used_is_written_at_most_once_a_minute(platform: Platform, alice: User, clock: Clock) -> None:
    text, _ = platform.tokens.create(alice.id, "ci")
    for _ in range(3):
        platform.tokens.authenticate(text)
    first = platform.tokens.list(alice.id)[0].last_used_at
    clock.advance(seconds=61)
    platform.tokens.authenticate(text)
    assert platform.tokens.list(alice.id)[0].last_used_at > first  # type: ignore[operator]
    assert len(events(platform, "token_used")) == 2


# --- over HTTP ---------------------------------------------------------------------------------------------


@pytest.fixture
def admin_token(app: Any) -> Any:
    """(write token, read token) of the admin, with the company object in place."""
    p: Platform = app.extensions["metacrm"]
    admin = p.users.get_by_email(ADMIN_EMAIL)
    write, _ = p.tokens.create(admin.id, "write")  # type: ignore[union-attr]
    read, _ = p.tokens.create(admin.id, "read", scope="read")  # type: ignore[union-attr]
    return write, read


def test_bearer_works_on_the_metadata_and_records_apis(client: Any, admin_token: Any) -> None:
    write, read = admin_token
    assert client.put(f"{API}/objects/company", json=CRM_COMPANY, headers=bearer(write)).status_code == 201
    created = client.post(f"{RECORDS}/company", json={"name": "Acme"}, headers=bearer(write))
    assert created.status_code == 201, created.get_data(as_text=True)
    listed = client.get(f"{RECORDS}/company", headers=bearer(read))
    assert [r["name"] for r in listed.get_json()["data"]] == ["Acme"]
    assert client.get(f"{API}/objects", headers=bearer(read)).status_code == 200


def test_a_read_token_cannot_write(client: Any, admin_token: Any) -> None:
    write, read = admin_token
    assert client.put(f"{API}/objects/company", json=CRM_COMPANY, headers=bearer(write)).status_code == 201
    body = assert_problem(client.post(f"{RECORDS}/company", json={"name": "Acme"}, headers=bearer(read)),
                          403, "forbidden")
    assert "read" in body["detail"] and "write" in body["detail"]
    assert_problem(client.put(f"{API}/objects/company", json=CRM_COMPANY, headers=bearer(read)), 403, "forbidden")
    assert client.head(f"{RECORDS}/company", headers=bearer(read)).status_code == 200


def test_a_bad_or_disabled_token_is_challenged_for_both_schemes(app: Any, client: Any, admin_token: Any) -> None:
    p: Platform = app.extensions["metacrm"]
    alice = p.users.create(USER_EMAIL, ADMIN_PASSWORD)
    text, _ = p.tokens.create(alice.id, "ci")
    assert client.get(f"{API}/objects", headers=bearer(text)).status_code == 200
    p.users.disable(USER_EMAIL)
    for token in (text, "mcrm_00000000_nope"):
        response = client.get(f"{API}/objects", headers=bearer(token))
        assert_problem(response, 401, "unauthorized")
        challenge = response.headers["WWW-Authenticate"]
        assert challenge.startswith("Basic ") and "Bearer " in challenge
