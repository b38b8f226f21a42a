"""Every metadata change is a security event: apply, rollback and purge each write a security-log row."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.errors import ConfirmationRequired
from metacrm.platform.runtime import Platform
from tests.conftest import ADMIN_PASSWORD, fld, make_object

from .conftest import events

DEAL = make_object("deal", fld("title"), fld("margin", "integer"))


def test_apply_rollback_and_purge_are_logged_with_who_version_and_reason(platform: Platform, apply: Any) -> None:
    boss = platform.users.create("boss@example.com", ADMIN_PASSWORD, is_admin=True)
    plan = platform.metadata.plan(DEAL)
    platform.metadata.apply(plan, author="boss@example.com", reason="track deals")
    apply(make_object("deal", fld("title")), author="cli")  # removes margin: archived
    platform.metadata.rollback(1, author="cli", confirm=True)
    apply(make_object("deal", fld("title")), author="cli")
    (archive, *_) = platform.metadata.archives()
    platform.metadata.purge(archive.id, author="boss@example.com", reason="GDPR request")
    logged = events(platform, "metadata_changed")
    assert [(r.actor_id, r.subject, r.detail["version"], r.detail["kind"]) for r in logged] == [
        (boss.id, "boss@example.com", 1, "apply"), (None, "cli", 2, "apply"), (None, "cli", 3, "rollback"),
        (None, "cli", 4, "apply"), (boss.id, "boss@example.com", 4, "purge")]
    assert logged[0].detail["reason"] == "track deals" and logged[0].detail["operations"] == ["create object deal with 2 field(s)"]
    assert logged[2].detail["restored_from"] == 1
    assert logged[4].detail["reason"] == "GDPR request" and logged[4].detail["purged"] == ["deal.margin"]


def test_a_refused_change_logs_nothing(platform: Platform, apply: Any) -> None:
    apply(DEAL)
    plan = platform.metadata.plan(make_object("deal", fld("title")))
    with pytest.raises(ConfirmationRequired):
        platform.metadata.apply(plan, author="cli")  # destructive without confirmation
    assert len(events(platform, "metadata_changed")) == 1
