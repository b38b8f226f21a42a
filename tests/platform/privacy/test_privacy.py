"""Legal hold blocks delete, purge and erasure; a person's data exports completely; erasure anonymises the
person and scrubs their history while related records and amounts stay."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.storage.platform_tables import security_log
from tests.conftest import basic_auth, fld, make_object

BUNDLE = {"objects": [
    make_object("person", fld("first_name"), fld("last_name", required=True), fld("email", "email"),
                fld("phone", "phone"), fld("ssn", sensitive=True), fld("city"), name_field="last_name",
                personal_data=True),
    make_object("deal", fld("title", required=True), fld("amount", "currency"),
                fld("person", "lookup", target="person")),
    make_object("company", fld("name")),
]}


@pytest.fixture
def people(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(BUNDLE), author="test", confirm=True)
    ada = platform.records.create(SYSTEM, "person", {"first_name": "Ada", "last_name": "Lovelace",
                                                     "email": "ada@example.com", "phone": "+44 20 7946 0000",
                                                     "ssn": "123-45-6789", "city": "London"})
    platform.records.update(SYSTEM, "person", ada["id"], {"email": "ada@engine.example"})
    platform.records.create(SYSTEM, "deal", {"title": "Engine", "amount": "1000.00", "person": ada["id"]})
    platform.records.create(SYSTEM, "deal", {"title": "Notes", "amount": "250.50", "person": ada["id"]})
    return platform, ada["id"]


def test_legal_hold_blocks_delete_and_purge_until_cleared(client: Any, people: Any, admin_headers: Any) -> None:
    platform, pid = people
    company = platform.records.create(SYSTEM, "company", {"name": "Evidence Ltd"})["id"]
    url = f"/api/v1/records/company/{company}/legal-hold"
    placed = client.post(url, json={"reason": "case 42"}, headers=admin_headers)
    assert placed.status_code == 200 and placed.get_json()["legal_hold"]["reason"] == "case 42"
    refused = client.delete(f"/api/v1/records/company/{company}", headers=admin_headers)
    assert refused.status_code == 409
    assert "legal hold" in refused.get_json()["detail"] and "case 42" in refused.get_json()["detail"]
    assert client.delete(url, headers=admin_headers).get_json()["cleared"] is True
    assert client.delete(f"/api/v1/records/company/{company}", headers=admin_headers).status_code in (200, 204)
    platform.legal_holds.set("company", company, reason="late hold")  # a hold on a binned record
    with pytest.raises(Exception, match="legal hold"):
        platform.records.purge(SYSTEM, "company", company)


def test_only_admins_place_holds(client: Any, people: Any) -> None:
    platform, pid = people
    platform.users.create("rep@example.com", "a long enough passphrase")
    response = client.post(f"/api/v1/records/person/{pid}/legal-hold",
                           headers=basic_auth("rep@example.com", "a long enough passphrase"))
    assert response.status_code == 403


def test_a_data_subject_export_holds_everything_about_the_person(client: Any, people: Any,
                                                                 admin_headers: Any) -> None:
    platform, pid = people
    platform.records.get(SYSTEM, "person", pid, purpose="support call")  # a sensitive read: access log
    document = client.get(f"/api/v1/privacy/person/{pid}/export", headers=admin_headers).get_json()
    assert document["record"]["email"] == "ada@engine.example" and document["record"]["ssn"] == "123-45-6789"
    assert sorted(d["title"] for d in document["related"]["deal"]) == ["Engine", "Notes"]
    assert [h["operation"] for h in document["field_history"]] == ["create", "update"]
    assert any(pid in entry["record_ids"] for entry in document["access_log"])
    zipped = client.get(f"/api/v1/privacy/person/{pid}/export?format=zip", headers=admin_headers)
    assert zipped.mimetype == "application/zip"
    with platform.engine.connect() as conn:
        logged = list(conn.execute(sa.select(security_log.c.event, security_log.c.subject)))
    assert ("personal_data_exported", f"person#{pid}") in logged  # the request itself is on record


def test_erasure_anonymises_scrubs_history_and_keeps_aggregates(client: Any, people: Any,
                                                                admin_headers: Any) -> None:
    platform, pid = people
    response = client.post(f"/api/v1/privacy/person/{pid}/erase", json={"reason": "GDPR art. 17"},
                           headers=admin_headers)
    assert response.status_code == 200, response.get_json()
    person = platform.records.get(SYSTEM, "person", pid)
    assert person["last_name"] == f"Erased person #{pid}"
    assert person["first_name"] is None and person["email"] is None and person["phone"] is None
    assert person["ssn"] is None and person["city"] == "London"  # not personal by its definition
    deals = platform.records.reader.list(SYSTEM, "deal", {"person": str(pid)}).records
    assert sorted(str(d["amount"]) for d in deals) == ["1000.00", "250.50"]  # aggregates intact
    history = client.get(f"/api/v1/records/person/{pid}/history", headers=admin_headers).get_data(as_text=True)
    for secret in ("Lovelace", "ada@example.com", "ada@engine.example", "123-45-6789", "Ada"):
        assert secret not in history


def test_erasure_is_refused_under_legal_hold_and_for_non_personal_objects(client: Any, people: Any,
                                                                          admin_headers: Any) -> None:
    platform, pid = people
    platform.legal_holds.set("person", pid, reason="subpoena")
    refused = client.post(f"/api/v1/privacy/person/{pid}/erase", headers=admin_headers)
    assert refused.status_code == 409 and "legal hold" in refused.get_json()["detail"]
    assert platform.records.get(SYSTEM, "person", pid)["last_name"] == "Lovelace"
    company = platform.records.create(SYSTEM, "company", {"name": "Acme"})["id"]
    assert client.post(f"/api/v1/privacy/company/{company}/erase", headers=admin_headers).status_code == 422


def test_privacy_tools_need_an_admin_or_a_privacy_officer(client: Any, people: Any) -> None:
    platform, pid = people
    platform.users.create("rep@example.com", "a long enough passphrase")
    response = client.get(f"/api/v1/privacy/person/{pid}/export",
                          headers=basic_auth("rep@example.com", "a long enough passphrase"))
    assert response.status_code == 403
