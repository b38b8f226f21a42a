"""Merging a duplicate into its master: chosen values, references moved, the duplicate in the bin, history,
permissions, and one transaction (a refusal leaves everything as it was)."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.duplicates.merge import merge_records
from metacrm.platform.errors import Forbidden
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.records.errors import RecordInvalid, RecordNotFound

from .conftest import Crm, apply_bundle


@pytest.fixture
def pair(crm: Crm) -> dict[str, Any]:
    acme = crm.records.create(SYSTEM, "company", {"name": "Acme"})["id"]
    master = crm.person(crm.rep, first_name="Ada", email="ada@example.com", city="London", company=acme)
    dup = crm.person(crm.rep, first_name="Ada", last_name="Lovelase", phone="555 0100", city="Paris")
    notes = [crm.records.create(crm.rep, "note", {"title": "met", "person": dup["id"]})["id"],
             crm.records.create(crm.rep, "note", {"title": "called", "about": {"object": "person", "id": dup["id"]},
                                                  "person": master["id"]})["id"]]
    report = crm.person(crm.rep, first_name="Charles", last_name="Babbage", manager=dup["id"])
    return {"master": master["id"], "dup": dup["id"], "notes": notes, "report": report["id"], "acme": acme}


def live(crm: Crm, object_name: str, rid: int) -> dict[str, Any]:
    return crm.records.get(SYSTEM, object_name, rid)


def test_the_master_takes_the_chosen_values_and_every_reference(crm: Crm, pair: dict[str, Any]) -> None:
    result = merge_records(crm.records, crm.rep, "person", pair["master"], pair["dup"],
                           {"phone": "duplicate", "city": "master", "last_name": "master"})
    master = live(crm, "person", pair["master"])
    assert (master["phone"], master["city"], master["last_name"], master["email"]) == \
        ("555 0100", "London", "Lovelace", "ada@example.com")
    assert result.master["phone"] == "555 0100"
    assert live(crm, "note", pair["notes"][0])["person"] == pair["master"]
    assert live(crm, "note", pair["notes"][1])["about"] == {"object": "person", "id": pair["master"]}
    assert live(crm, "person", pair["report"])["manager"] == pair["master"]
    assert result.moved == {"note": pair["notes"], "person": [pair["report"]]}
    assert result.deleted == {"person": [pair["dup"]]}
    with pytest.raises(RecordNotFound):
        live(crm, "person", pair["dup"])
    binned = crm.records.reader.list(SYSTEM, "person", {}, deleted="only").records
    assert [r["id"] for r in binned] == [pair["dup"]]


def test_history_shows_the_updates_and_the_delete(crm: Crm, pair: dict[str, Any]) -> None:
    merge_records(crm.records, crm.rep, "person", pair["master"], pair["dup"], {"phone": "duplicate"})
    master = crm.platform.audit.history("person", pair["master"]).entries
    assert master[0]["operation"] == "update" and master[0]["actor_id"] == crm.rep.id
    assert "phone" in master[0]["changes"]
    dup = crm.platform.audit.history("person", pair["dup"]).entries
    assert dup[0]["operation"] == "delete" and dup[0]["actor_id"] == crm.rep.id
    note = crm.platform.audit.history("note", pair["notes"][0]).entries
    assert note[0]["operation"] == "update" and note[0]["actor_id"] == crm.rep.id


def test_a_master_reporting_to_the_duplicate_is_not_left_reporting_to_itself(crm: Crm, pair: dict[str, Any]) -> None:
    crm.records.update(SYSTEM, "person", pair["master"], {"manager": pair["dup"]})
    merge_records(crm.records, crm.rep, "person", pair["master"], pair["dup"], {})
    assert live(crm, "person", pair["master"])["manager"] is None


def snapshot(crm: Crm, pair: dict[str, Any]) -> Any:
    return ({k: v for k, v in live(crm, "person", pair["master"]).items()},
            live(crm, "person", pair["dup"])["version"],
            [live(crm, "note", n)["version"] for n in pair["notes"]], live(crm, "person", pair["report"])["manager"])


def test_a_refusal_leaves_everything_as_it_was(crm: Crm, pair: dict[str, Any]) -> None:
    before = snapshot(crm, pair)
    with pytest.raises(RecordInvalid) as caught:  # a choice that is neither "master" nor "duplicate"
        merge_records(crm.records, crm.rep, "person", pair["master"], pair["dup"], {"first_name": "both"})
    assert caught.value.status == 422
    with pytest.raises(Forbidden):  # the viewer reads every person but may neither update nor delete
        merge_records(crm.records, crm.viewer, "person", pair["master"], pair["dup"], {"phone": "duplicate"})
    assert snapshot(crm, pair) == before


def test_a_late_failure_rolls_back_the_moved_references_and_the_delete(crm: Crm, pair: dict[str, Any],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(crm, pair)
    monkeypatch.setattr(crm.records, "update_in", _failing_on_master(crm.records.update_in, pair["master"]))
    with pytest.raises(RecordInvalid):
        merge_records(crm.records, crm.rep, "person", pair["master"], pair["dup"], {"phone": "duplicate"})
    assert snapshot(crm, pair) == before
    assert crm.platform.audit.history("person", pair["dup"]).entries[0]["operation"] == "create"


def _failing_on_master(update_in: Any, master_id: int) -> Any:
    def wrapped(conn: Any, actor: Any, object_name: str, record_id: Any, changes: Any, **kw: Any) -> Any:
        if object_name == "person" and record_id == master_id:
            raise RecordInvalid("the master refuses", [])
        return update_in(conn, actor, object_name, record_id, changes, **kw)
    return wrapped


def test_records_the_actor_cannot_read_are_404_and_bad_choices_422(crm: Crm, pair: dict[str, Any]) -> None:
    theirs = crm.person(crm.other, first_name="Ada")
    with pytest.raises(RecordNotFound):
        merge_records(crm.records, crm.rep, "person", pair["master"], theirs["id"], {})
    with pytest.raises(RecordInvalid) as caught:
        merge_records(crm.records, crm.rep, "person", pair["master"], pair["dup"], {"nope": "duplicate",
                                                                                     "city": "both"})
    assert {e["field"] for e in caught.value.extra["errors"]} == {"nope", "city"}
    with pytest.raises(RecordInvalid):
        merge_records(crm.records, crm.rep, "person", pair["master"], pair["master"], {})


def test_the_merge_api(app: Any, client: Any, admin_headers: dict[str, str]) -> None:
    platform = apply_bundle(app)
    master = platform.records.create(SYSTEM, "person", {"last_name": "Lovelace", "city": "London"})["id"]
    dup = platform.records.create(SYSTEM, "person", {"last_name": "Lovelace", "city": "Paris"})["id"]
    note = platform.records.create(SYSTEM, "note", {"title": "x", "person": dup})["id"]
    url = f"/api/v1/records/person/{master}/merge"
    bad = client.post(url, json={"duplicate_id": "x"}, headers=admin_headers)
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
    assert client.post(url, json={"duplicate_id": 99999}, headers=admin_headers).status_code == 404
    done = client.post(url, json={"duplicate_id": dup, "fields": {"city": "duplicate"}}, headers=admin_headers)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["city"] == "Paris" and body["merge"] == {"duplicate_id": dup, "moved": {"note": [note]},
                                                         "deleted": {"person": [dup]}}
    assert client.get(f"/api/v1/records/person/{dup}", headers=admin_headers).status_code == 404


def test_a_duplicate_under_legal_hold_is_not_merged(crm: Crm, pair: dict[str, Any]) -> None:
    from metacrm.platform.errors import Conflict

    crm.platform.legal_holds.set("person", pair["dup"], reason="litigation", actor_id=None)
    before = snapshot(crm, pair)
    with pytest.raises(Conflict):
        merge_records(crm.records, crm.rep, "person", pair["master"], pair["dup"], {"phone": "duplicate"})
    assert snapshot(crm, pair) == before
