"""A small sales org for the script tests: deals (private, with a hidden field), tasks, two reps and an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest
from argon2 import PasswordHasher

from metacrm.platform.records.actor import Actor
from metacrm.platform.runtime import Platform
from metacrm.platform.security import users
from tests.conftest import ADMIN_PASSWORD, fld, make_object

REP_ROLE = {"name": "rep", "label": "Sales rep",
            "objects": {"deal": {"create": True, "read": True, "update": True},
                        "task": {"create": True, "read": True, "update": True},
                        "account": {"read": True}},
            "fields": {"deal": {"secret": "hidden"}}}
VIEWER_ROLE = {"name": "viewer", "label": "Viewer", "objects": {"deal": {"read": True}, "task": {"read": True}}}


def objects(deal_scripts: tuple[dict[str, Any], ...] = (), task_scripts: tuple[dict[str, Any], ...] = (),
            account_scripts: tuple[dict[str, Any], ...] = ()) -> list[dict[str, Any]]:
    return [
        make_object("account", fld("name", required=True), fld("tier", "integer"), sharing="public_read",
                    scripts=list(account_scripts)),
        make_object("deal", fld("title", required=True), fld("amount", "currency"),
                    fld("stage", "picklist", options=["Open", "Won", "Lost"]), fld("secret"),
                    fld("account", "lookup", target="account", on_delete="set_null"), fld("touches", "integer"),
                    sharing="private", scripts=list(deal_scripts)),
        make_object("task", fld("subject", required=True), fld("deal", "lookup", target="deal", on_delete="set_null"),
                    fld("due", "date"), scripts=list(task_scripts)),
    ]


def bundle(**scripts: Any) -> dict[str, Any]:
    return {"objects": objects(**scripts), "roles": [REP_ROLE, VIEWER_ROLE]}


@dataclass
class Org:
    platform: Platform
    admin: Actor
    rep1: Actor
    rep2: Actor
    viewer: Actor

    def deal(self, who: Actor, **values: Any) -> dict[str, Any]:
        return self.platform.records.create(who, "deal", values)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def build_org(platform: Platform, apply: Callable[..., Any], **scripts: Any) -> Org:
    apply(bundle(**scripts))

    def user(email: str, **kw: Any) -> Actor:
        return Actor.from_user(platform.users.create(email, ADMIN_PASSWORD, **kw))
    return Org(platform, user("boss@example.com", is_admin=True), user("rep1@example.com", roles=["rep"]),
               user("rep2@example.com", roles=["rep"]), user("viewer@example.com", roles=["viewer"]))


def api_script(name: str, code: str, **settings: Any) -> dict[str, Any]:
    return {"name": name, "event": "api", "code": code, **settings}


def after_save(name: str, code: str) -> dict[str, Any]:
    return {"name": name, "event": "after_save", "code": code}
