"""The lookup type-ahead searches the target as the user (only readable records) and creates from a name."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.records import SYSTEM

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in
from .records_schema import ACCOUNT, CONTACT, apply

SALES = {"name": "sales", "objects": {"account": {"read": True, "create": True}, "contact": {"read": True,
                                                                                            "create": True}}}


@pytest.fixture(autouse=True)
def crm(app: Any) -> None:
    # Accounts are private: a user reads the ones they own (and admins all of them).
    apply(app, {"objects": [{**ACCOUNT, "sharing": "private"}, CONTACT], "roles": [SALES]})


def test_the_type_ahead_returns_matching_records_with_their_titles(app: Any, browser: Any) -> None:
    records = app.extensions["metacrm"].records
    for name in ("Acme", "Acme Labs", "Globex"):
        records.create(SYSTEM, "account", {"name": name})
    body = browser.get("/o/contact/lookup/account?q=acm").get_json()
    assert sorted(r["label"] for r in body["results"]) == ["Acme", "Acme Labs"] and body["can_create"] is True
    assert len(browser.get("/o/contact/lookup/account?q=").get_json()["results"]) == 3
    assert browser.get("/o/contact/lookup/full_name?q=a").status_code == 404  # not a lookup


def test_the_type_ahead_only_offers_records_the_user_may_read(app: Any, client: Any, plain_user: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.users.set_roles(plain_user.id, ["sales"])
    platform.records.create(SYSTEM, "account", {"name": "Acme (someone else's)"})
    mine = platform.records.create(SYSTEM, "account", {"name": "Acme (mine)", "owner": plain_user.id})
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    body = client.get("/o/contact/lookup/account?q=acme").get_json()
    assert [r["id"] for r in body["results"]] == [mine["id"]]


def test_create_new_from_the_lookup_goes_through_the_record_service(app: Any, browser: Any) -> None:
    token = csrf_of(browser.get("/o/contact/new").get_data(as_text=True))
    created = browser.post("/o/contact/lookup/account/new", data={"label": "Initech"},
                           headers={"X-CSRFToken": token})
    assert created.status_code == 201 and created.get_json()["label"] == "Initech"
    record = app.extensions["metacrm"].records.get(SYSTEM, "account", created.get_json()["id"])
    assert record["name"] == "Initech"
    empty = browser.post("/o/contact/lookup/account/new", data={"label": ""}, headers={"X-CSRFToken": token})
    assert empty.status_code == 422 and "Name: is required" in empty.get_json()["message"]
    assert browser.post("/o/contact/lookup/account/new", data={"label": "x"}).status_code == 400  # no CSRF token
