"""A small CRM with duplicate rules: companies, people (block on email, warn on similar names) and notes."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher

from metacrm.platform.records.actor import SYSTEM, Actor
from metacrm.platform.runtime import Platform
from metacrm.platform.security import users

RULES = [{"name": "same_email", "fields": ["email"], "action": "block"},
         {"name": "same_phone", "fields": ["phone"], "action": "warn"},
         {"name": "same_person", "fields": ["first_name", "last_name", "company"], "match": "fuzzy"}]
REP_ROLE = {"name": "rep", "label": "Rep", "objects": {
    "company": {"read": True, "create": True, "update": True},
    "person": {"read": True, "create": True, "update": True, "delete": True},
    "note": {"read": True, "create": True, "update": True}}}
VIEWER_ROLE = {"name": "viewer", "label": "Viewer", "objects": {
    "company": {"read": True}, "person": {"read": True, "create": True, "view_all": True}, "note": {"read": True}}}

BUNDLE = {"objects": [
    {"name": "company", "sharing": "public_read", "duplicate_rules": [
        {"name": "similar_name", "fields": ["name"], "match": "fuzzy"}],
     "fields": [{"name": "name", "type": "text", "required": True}]},
    {"name": "person", "name_field": "last_name", "sharing": "private", "duplicate_rules": RULES,
     "fields": [{"name": "first_name", "type": "text"}, {"name": "last_name", "type": "text", "required": True},
                {"name": "email", "type": "email"}, {"name": "phone", "type": "phone"},
                {"name": "city", "type": "text"},
                {"name": "company", "type": "lookup", "target": "company"},
                {"name": "manager", "type": "lookup", "target": "person"}]},
    {"name": "note", "sharing": "public_read_write",
     "fields": [{"name": "title", "type": "text"},
                {"name": "person", "type": "master_detail", "target": "person"},
                {"name": "about", "type": "polymorphic_lookup", "targets": ["person", "company"]}]},
], "roles": [REP_ROLE, VIEWER_ROLE]}


class Crm:
    def __init__(self, platform: Platform):
        self.platform = platform
        self.records = platform.records
        self.rep = self.user("rep@example.com", "rep")
        self.other = self.user("other@example.com", "rep")
        self.viewer = self.user("viewer@example.com", "viewer")

    def user(self, email: str, role: str) -> Actor:
        u = self.platform.users.create(email, "correct horse battery staple", name=email.split("@")[0])
        self.platform.users.set_roles(u.id, [role])
        return Actor(id=u.id, email=email, roles=frozenset({role}))

    def person(self, actor: Actor = SYSTEM, **values: Any) -> dict[str, Any]:
        values.setdefault("last_name", "Lovelace")
        return self.records.create(actor, "person", values)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def crm(platform: Platform, apply: Any) -> Crm:
    apply(BUNDLE)
    return Crm(platform)


def apply_bundle(app: Any) -> Platform:
    """The bundle applied to a Flask app's platform (for API and web tests)."""
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(BUNDLE), author="test", confirm=True)
    return platform
