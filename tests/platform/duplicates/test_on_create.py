"""On create: a block rule refuses with a field error (422), a warn rule lets the save go on."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.records.errors import RecordInvalid

from .conftest import Crm, apply_bundle


def test_a_block_rule_refuses_the_create_naming_the_field_and_the_record(crm: Crm) -> None:
    ada = crm.person(first_name="Ada", email="ada@example.com")
    with pytest.raises(RecordInvalid) as caught:
        crm.person(first_name="Augusta", last_name="Byron", email=" ADA@example.com")
    assert caught.value.status == 422
    assert caught.value.extra["errors"] == [{"field": "email", "code": "duplicate",
                                             "message": f"Ada Lovelace (#{ada['id']}) has the same email"}]


def test_a_warn_rule_lets_the_save_go_on(crm: Crm) -> None:
    crm.person(first_name="Ada", phone="555 0100")
    twin = crm.person(first_name="Ada", phone="5550100")
    assert twin["id"]


def test_updates_are_not_blocked(crm: Crm) -> None:
    crm.person(first_name="Ada", email="ada@example.com")
    bob = crm.person(first_name="Bob", last_name="Byron")
    assert crm.records.update(SYSTEM, "person", bob["id"], {"city": "London"})["city"] == "London"


def test_bulk_creates_refuse_only_the_duplicate_rows(crm: Crm) -> None:
    crm.person(first_name="Ada", email="ada@example.com")
    result = crm.records.bulk_create(SYSTEM, "person", [{"last_name": "A", "email": "a@example.com"},
                                                        {"last_name": "B", "email": "ADA@example.com"},
                                                        {"last_name": "C", "phone": "555"}], all_or_nothing=False)
    assert [r["last_name"] for r in result.records] == ["A", "C"]
    assert [(e["index"], e["errors"][0]["field"], e["errors"][0]["code"]) for e in result.errors] == \
        [(1, "email", "duplicate")]


def test_a_record_the_creator_cannot_read_does_not_block_nor_leak(crm: Crm) -> None:
    crm.person(crm.other, first_name="Ada", email="ada@example.com")
    assert crm.person(crm.rep, first_name="Ada", email="ada@example.com")["id"]


def test_the_api_answers_422_problem_details(app: Any, client: Any, admin_headers: dict[str, str]) -> None:
    apply_bundle(app)
    first = client.post("/api/v1/records/person", json={"last_name": "Lovelace", "first_name": "Ada",
                                                       "email": "ada@example.com"}, headers=admin_headers)
    assert first.status_code == 201
    again = client.post("/api/v1/records/person", json={"last_name": "L", "email": "Ada@Example.com"},
                        headers=admin_headers)
    assert again.status_code == 422 and again.content_type == "application/problem+json"
    body = again.get_json()
    assert body["errors"] == [{"field": "email", "code": "duplicate",
                               "message": f"Ada Lovelace (#{first.get_json()['id']}) has the same email"}]
    dupes = client.get(f"/api/v1/records/person/{first.get_json()['id']}/duplicates", headers=admin_headers)
    assert dupes.status_code == 200 and dupes.get_json()["matches"] == []
    warned = client.post("/api/v1/records/person", json={"last_name": "Lovelase", "first_name": "Ada"},
                         headers=admin_headers).get_json()
    dupes = client.get(f"/api/v1/records/person/{warned['id']}/duplicates", headers=admin_headers).get_json()
    assert [(m["rule"], m["id"], m["title"]) for m in dupes["matches"]] == \
        [("same_person", first.get_json()["id"], "Ada Lovelace")]
    assert client.get("/api/v1/records/person/999999/duplicates", headers=admin_headers).status_code == 404
    assert client.get("/api/v1/records/person/1/duplicates").status_code == 401
