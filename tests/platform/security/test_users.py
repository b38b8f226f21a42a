"""Users: sign-in throttling, disabling, passwords and roles."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.errors import Conflict, NotFound, Unprocessable
from metacrm.platform.runtime import Platform
from metacrm.platform.security import users
from metacrm.platform.security.users import MAX_FAILED_LOGINS, User
from metacrm.platform.storage.platform_tables import login_attempt, user
from tests.conftest import ADMIN_PASSWORD

from .conftest import USER_EMAIL, Clock

WRONG = "not the right password"
NEW_PASSWORD = "a much better passphrase"


def fail(platform: Platform, times: int, email: str = USER_EMAIL) -> None:
    for _ in range(times):
        assert platform.users.authenticate(email, WRONG, ip="10.0.0.1") is None


def test_the_right_password_signs_in_and_records_the_attempt(platform: Platform, alice: User) -> None:
    signed_in = platform.users.authenticate(USER_EMAIL.upper(), ADMIN_PASSWORD, ip="10.0.0.1")
    assert signed_in == alice
    with platform.engine.connect() as conn:
        attempt = conn.execute(sa.select(login_attempt)).one()
        assert conn.execute(sa.select(user.c.last_login_at)).scalar() is not None
    assert (attempt.email, attempt.ip, attempt.succeeded) == (USER_EMAIL, "10.0.0.1", True)


def test_after_five_failures_even_the_right_password_is_refused(platform: Platform, alice: User) -> None:
    fail(platform, MAX_FAILED_LOGINS)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) is None


def test_four_failures_do_not_lock_the_user_out(platform: Platform, alice: User) -> None:
    fail(platform, MAX_FAILED_LOGINS - 1)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice


def test_the_password_is_not_checked_while_throttled(platform: Platform, alice: User,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fail(platform, MAX_FAILED_LOGINS)

    class NoVerifying:
        def verify(self, *args: object) -> None:
            raise AssertionError("password checked while throttled")

    monkeypatch.setattr(users, "_hasher", NoVerifying())
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) is None


def test_throttled_attempts_do_not_extend_the_lockout(platform: Platform, alice: User, clock: Clock) -> None:
    fail(platform, MAX_FAILED_LOGINS)
    clock.advance(minutes=10)
    fail(platform, 3)  # refused unchecked, and not counted
    clock.advance(minutes=5, seconds=1)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice


def test_failures_older_than_fifteen_minutes_do_not_count(platform: Platform, alice: User, clock: Clock) -> None:
    fail(platform, MAX_FAILED_LOGINS - 1)
    clock.advance(minutes=16)
    fail(platform, MAX_FAILED_LOGINS - 1)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice


def test_a_success_resets_the_count(platform: Platform, alice: User, clock: Clock) -> None:
    fail(platform, MAX_FAILED_LOGINS - 1)
    clock.advance(seconds=1)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice
    clock.advance(seconds=1)
    fail(platform, MAX_FAILED_LOGINS - 1)
    clock.advance(seconds=1)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice


def test_throttling_is_per_email(platform: Platform, alice: User) -> None:
    platform.users.create("bob@example.com", ADMIN_PASSWORD)
    fail(platform, MAX_FAILED_LOGINS, "bob@example.com")
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice


def test_repeated_successes_within_a_minute_write_once(platform: Platform, alice: User, clock: Clock) -> None:
    for _ in range(3):
        assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice
    clock.advance(minutes=2)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) == alice
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(login_attempt)).scalar() == 2


def test_a_disabled_user_cannot_sign_in(platform: Platform, alice: User) -> None:
    platform.users.disable(USER_EMAIL)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) is None
    assert platform.users.get_by_email(USER_EMAIL).is_active is False  # type: ignore[union-attr]


def test_disabling_an_unknown_user_is_not_found(platform: Platform) -> None:
    with pytest.raises(NotFound):
        platform.users.disable("nobody@example.com")


def test_set_password_replaces_the_old_one(platform: Platform, alice: User) -> None:
    with platform.engine.connect() as conn:
        before = conn.execute(sa.select(user.c.password_changed_at)).scalar()
    platform.users.set_password(USER_EMAIL, NEW_PASSWORD)
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD) is None
    assert platform.users.authenticate(USER_EMAIL, NEW_PASSWORD) == alice
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(user.c.password_changed_at)).scalar() >= before


def test_set_password_keeps_the_minimum_length(platform: Platform, alice: User) -> None:
    with pytest.raises(Unprocessable):
        platform.users.set_password(USER_EMAIL, "short")


@pytest.fixture
def defined_roles(apply: Any) -> None:
    """Roles are metadata: a user may only be given a role the metadata defines."""
    apply({"objects": [], "roles": [{"name": "sales"}, {"name": "support"}]})


@pytest.mark.usefixtures("defined_roles")
def test_roles_are_replaced_as_a_set_and_travel_with_the_user(platform: Platform, alice: User) -> None:
    assert alice.roles == frozenset()
    platform.users.set_roles(alice.id, ["sales", "support"])
    assert platform.users.roles(alice.id) == {"sales", "support"}
    platform.users.set_roles(alice.id, ["support"])
    assert platform.users.roles(alice.id) == {"support"}
    assert platform.users.authenticate(USER_EMAIL, ADMIN_PASSWORD).roles == {"support"}  # type: ignore[union-attr]
    assert platform.users.get_by_email(USER_EMAIL).roles == {"support"}  # type: ignore[union-attr]


@pytest.mark.usefixtures("defined_roles")
def test_roles_can_be_given_at_creation_and_are_listed(platform: Platform) -> None:
    platform.users.create("bob@example.com", ADMIN_PASSWORD, roles=["sales"])
    platform.users.create("amy@example.com", ADMIN_PASSWORD, is_admin=True)
    listed = platform.users.list()
    assert [(u.email, u.roles, u.is_admin) for u in listed] == [
        ("amy@example.com", frozenset(), True), ("bob@example.com", frozenset({"sales"}), False)]
    assert (listed[0].locale, listed[0].time_zone, listed[0].is_portal) == ("en", "UTC", False)


@pytest.mark.usefixtures("defined_roles")
def test_roles_for_an_unknown_user_or_a_blank_role_are_refused(platform: Platform, alice: User) -> None:
    with pytest.raises(NotFound):
        platform.users.set_roles(alice.id + 100, ["sales"])
    with pytest.raises(Unprocessable):
        platform.users.set_roles(alice.id, [" "])


def test_an_email_is_used_once(platform: Platform, alice: User) -> None:
    with pytest.raises(Conflict):
        platform.users.create(USER_EMAIL.upper(), ADMIN_PASSWORD)


def test_the_old_positional_constructor_still_works() -> None:
    assert User(1, "a@b.c", "A", True, False).roles == frozenset()
