"""A lookup cannot be used to learn whether a record the user may not read exists."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.records import Actor
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.records.errors import RecordInvalid
from tests.conftest import ADMIN_PASSWORD, fld, make_object

CRUD = {"create": True, "read": True, "update": True, "delete": True}


def test_an_unreadable_target_answers_like_a_missing_one(platform: Any, apply: Any) -> None:
    apply({"objects": [make_object("matter", fld("title"), sharing="private"),
                       make_object("note", fld("body"), fld("matter", "lookup", target="matter"))],
           "roles": [{"name": "clerk", "objects": {"matter": CRUD, "note": CRUD}}]})
    clerk = platform.users.create("clerk@example.com", ADMIN_PASSWORD, roles=["clerk"])
    partner = platform.users.create("partner@example.com", ADMIN_PASSWORD, roles=["clerk"])
    actor = Actor.from_user(clerk)
    own = platform.records.create(SYSTEM, "matter", {"title": "Mine", "owner": clerk.id})
    secret = platform.records.create(SYSTEM, "matter", {"title": "Privileged", "owner": partner.id})

    assert platform.records.create(actor, "note", {"body": "ok", "matter": own["id"]})["matter"] == own["id"]
    messages = []
    for target in (secret["id"], secret["id"] + 1000):
        with pytest.raises(RecordInvalid) as failure:
            platform.records.create(actor, "note", {"body": "probe", "matter": target})
        messages.append([(e.field, e.code, e.message.replace(str(target), "N")) for e in failure.value.field_errors])
    assert messages[0] == messages[1] == [("matter", "not_found", "no Matter with id N exists")]
