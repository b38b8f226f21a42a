"""The security log: one appended row per sign-in, token and account event, with who, what and where."""

from __future__ import annotations

import pytest

from metacrm.platform.runtime import Platform
from metacrm.platform.security import security_log
from metacrm.platform.security.users import User
from tests.conftest import ADMIN_PASSWORD

from .conftest import USER_EMAIL, Clock, events


def test_record_appends_a_row_through_an_engine_or_inside_a_transaction(platform: Platform) -> None:
    security_log.record(platform.engine, "login_failed", subject="x@example.com", ip="1.2.3.4",
                        detail={"reason": "test"})
    with platform.engine.begin() as conn:
        security_log.record(conn, "user_disabled", actor_id=7, subject="y@example.com")
    rows = events(platform)
    assert [(r.event, r.subject, r.ip, r.actor_id, r.detail) for r in rows] == [
        ("login_failed", "x@example.com", "1.2.3.4", None, {"reason": "test"}),
        ("user_disabled", "y@example.com", "", 7, {}),
    ]
    assert all(r.at is not None for r in rows)


def test_an_entry_rolls_back_with_its_transaction(platform: Platform) -> None:
    with pytest.raises(RuntimeError):
        with platform.engine.begin() as conn:
            security_log.record(conn, "user_disabled", subject="y@example.com")
            raise RuntimeError("the change failed")
    assert events(platform) == []


def test_unknown_events_are_a_programming_error(platform: Platform) -> None:
    with pytest.raises(ValueError):
        security_log.record(platform.engine, "user_teleported")


def test_account_changes_are_logged(platform: Platform, alice: User) -> None:
    platform.users.set_password(USER_EMAIL, "another long passphrase")
    platform.users.disable(USER_EMAIL)
    assert [(r.event, r.subject) for r in events(platform)] == [
        ("user_created", USER_EMAIL), ("password_changed", USER_EMAIL), ("user_disabled", USER_EMAIL)]


def test_sign_ins_are_logged_with_the_address(platform: Platform, alice: User, clock: Clock) -> None:
    platform.users.authenticate(USER_EMAIL, "wrong password here", ip="10.0.0.9")
    platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD, ip="10.0.0.9")
    failed, succeeded = events(platform, "login_failed"), events(platform, "login_succeeded")
    assert [(r.subject, r.ip, r.actor_id) for r in failed] == [(USER_EMAIL, "10.0.0.9", None)]
    assert [(r.subject, r.ip, r.actor_id) for r in succeeded] == [(USER_EMAIL, "10.0.0.9", alice.id)]


def test_throttled_attempts_are_logged_as_failures_with_the_reason(platform: Platform, alice: User) -> None:
    for _ in range(6):
        platform.users.authenticate(USER_EMAIL, "wrong password here")
    failed = events(platform, "login_failed")
    assert len(failed) == 6 and failed[-1].detail == {"reason": "throttled"}


def test_token_life_is_logged_without_the_secret(platform: Platform, alice: User) -> None:
    text, info = platform.tokens.create(alice.id, "ci", scope="read")
    platform.tokens.authenticate(text, ip="10.0.0.5")
    platform.tokens.revoke(info.id, alice)
    rows = [r for r in events(platform) if r.event.startswith("token_")]
    assert [r.event for r in rows] == ["token_created", "token_used", "token_revoked"]
    assert rows[0].detail == {"token_id": info.id, "name": "ci", "scope": "read"}
    assert rows[1].ip == "10.0.0.5" and rows[2].actor_id == alice.id
    assert all(text not in str(r) for r in events(platform))
