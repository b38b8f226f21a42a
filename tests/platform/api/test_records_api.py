"""One record over HTTP: create, read, change with optimistic locking, delete, restore, purge.

Every error is an RFC 9457 problem that says what to fix; nothing a client
sends can make the API answer 500.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Records, assert_problem


def test_records_need_credentials(records: Records) -> None:
    response = records.client.get("/api/v1/records/company")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert records.client.post("/api/v1/records/company", json={"name": "Acme"}).status_code == 401


def test_creating_a_record_answers_201_with_its_location_and_etag(records: Records) -> None:
    response = records.post("/company", json={"name": "Acme", "industry": "Tech"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["name"], body["industry"], body["version"]) == ("Acme", "Tech", 1)
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/records/company/{body['id']}"
    assert records.get(response.headers["Location"]).get_json() == body


def test_an_invalid_record_lists_every_invalid_field(records: Records) -> None:
    response = records.post("/deal", json={"title": "", "amount": "abc", "stage": "Lost",
                                           "close_on": "someday", "bogus": 1})
    body = assert_problem(response, 422, "record-invalid")
    assert {e["field"]: e["code"] for e in body["errors"]} == {
        "title": "required", "amount": "invalid_number", "stage": "invalid_choice",
        "close_on": "invalid_date", "bogus": "unknown_field"}
    assert all(e["message"] for e in body["errors"])
    assert records.ids("/deal") == []


def test_money_sent_as_a_json_number_stays_exact(records: Records) -> None:
    response = records.post("/deal", data='{"title": "Tiny", "amount": 0.1}', content_type="application/json")
    assert response.status_code == 201
    assert response.get_json()["amount"] == "0.10"
    big = records.post("/deal", data='{"title": "Big", "amount": 12345678901234.57}',
                       content_type="application/json")
    assert big.get_json()["amount"] == "12345678901234.57"


def test_an_unknown_object_is_not_found(records: Records) -> None:
    assert "nothing" in assert_problem(records.get("/nothing"), 404, "record-not-found")["detail"]
    assert_problem(records.post("/nothing", json={"name": "x"}), 404, "record-not-found")


def test_an_unknown_id_is_not_found(records: Records) -> None:
    assert_problem(records.get("/company/999"), 404, "record-not-found")
    assert_problem(records.patch("/company/999", json={"name": "x", "version": 1}), 404, "record-not-found")
    assert_problem(records.delete("/company/999"), 404, "record-not-found")


@pytest.mark.parametrize("record_id", ["abc", "1.5", "-1", "%20"])
def test_an_id_that_is_not_a_whole_number_is_a_not_found_problem(records: Records, record_id: str) -> None:
    assert_problem(records.get(f"/company/{record_id}"), 404, "not-found")


def test_a_change_must_say_which_version_it_changes(records: Records) -> None:
    acme = records.create("company", name="Acme")
    body = assert_problem(records.patch(f"/company/{acme['id']}", json={"name": "Acme Ltd"}), 428,
                          "precondition-required")
    assert "If-Match" in body["detail"]
    assert records.get(f"/company/{acme['id']}").get_json()["name"] == "Acme"


def test_a_change_to_a_stale_version_conflicts(records: Records) -> None:
    acme = records.create("company", name="Acme")
    response = records.patch(f"/company/{acme['id']}", json={"name": "Acme Ltd"}, headers={"If-Match": '"7"'})
    assert assert_problem(response, 409, "version-conflict")["current_version"] == 1
    assert records.get(f"/company/{acme['id']}").get_json()["name"] == "Acme"


def test_a_change_with_the_current_etag_succeeds_and_returns_the_next_one(records: Records) -> None:
    created = records.post("/company", json={"name": "Acme"})
    path = created.headers["Location"]
    response = records.patch(path, json={"industry": "Tech"}, headers={"If-Match": created.headers["ETag"]})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert (response.get_json()["industry"], response.get_json()["version"]) == ("Tech", 2)
    stale = records.patch(path, json={"industry": "Retail"}, headers={"If-Match": created.headers["ETag"]})
    assert_problem(stale, 409, "version-conflict")


def test_the_version_may_come_in_the_body_instead_of_if_match(records: Records) -> None:
    acme = records.create("company", name="Acme")
    response = records.patch(f"/company/{acme['id']}", json={"name": "Acme Ltd", "version": 1})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Acme Ltd"
    assert_problem(records.patch(f"/company/{acme['id']}", json={"name": "Old", "version": 1}), 409,
                   "version-conflict")


def test_reading_an_unchanged_record_again_answers_304(records: Records) -> None:
    created = records.post("/company", json={"name": "Acme"})
    path, etag = created.headers["Location"], created.headers["ETag"]
    unchanged = records.get(path, headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.data, unchanged.headers["ETag"]) == (304, b"", etag)
    records.patch(path, json={"industry": "Tech"}, headers={"If-Match": etag})
    changed = records.get(path, headers={"If-None-Match": etag})
    assert (changed.status_code, changed.headers["ETag"]) == (200, '"2"')


def test_deleting_moves_a_record_to_the_recycle_bin_until_restored(records: Records) -> None:
    acme, bolt = records.create("company", name="Acme"), records.create("company", name="Bolt")
    response = records.delete(f"/company/{acme['id']}")
    assert response.status_code == 200
    assert response.get_json()["deleted"] == {"company": [acme["id"]]}
    assert records.ids("/company") == [bolt["id"]]
    assert records.ids("/company/recycle-bin") == [acme["id"]]
    assert_problem(records.get(f"/company/{acme['id']}"), 404, "record-not-found")

    restored = records.post(f"/company/{acme['id']}/restore")
    assert restored.status_code == 200
    assert restored.get_json()["name"] == "Acme"
    assert sorted(records.ids("/company")) == [acme["id"], bolt["id"]]
    assert records.ids("/company/recycle-bin") == []


def test_purging_removes_a_deleted_record_for_good(records: Records) -> None:
    acme = records.create("company", name="Acme")
    assert_problem(records.post(f"/company/{acme['id']}/purge"), 404, "record-not-found")  # not in the bin yet
    records.delete(f"/company/{acme['id']}")
    response = records.post(f"/company/{acme['id']}/purge")
    assert response.status_code == 200
    assert response.get_json()["purged"] == {"company": [acme["id"]]}
    assert records.ids("/company/recycle-bin") == []
    assert_problem(records.post(f"/company/{acme['id']}/restore"), 404, "record-not-found")


def test_a_restricted_delete_lists_the_records_still_pointing_at_it(records: Records) -> None:
    acme = records.create("company", name="Acme")
    deal = records.create("deal", title="Big one", company=acme["id"])
    body = assert_problem(records.delete(f"/company/{acme['id']}"), 409, "delete-restricted")
    assert body["referencing"] == [{"object": "deal", "id": deal["id"], "field": "company"}]
    assert records.ids("/company") == [acme["id"]]


def test_bulk_create_is_all_or_nothing_with_errors_per_row(records: Records) -> None:
    rows = [{"title": "Good"}, {"title": ""}, {"title": "Odd", "stage": "Lost"}]
    body = assert_problem(records.post("/deal/bulk", json={"create": rows}), 422, "record-invalid")
    assert [(r["index"], [e["field"] for e in r["errors"]]) for r in body["rows"]] == [
        (1, ["title"]), (2, ["stage"])]
    assert records.ids("/deal") == []


def test_bulk_create_of_valid_rows_creates_them_all(records: Records) -> None:
    response = records.post("/deal/bulk", json={"create": [{"title": "A"}, {"title": "B"}]})
    assert response.status_code == 201
    assert [r["title"] for r in response.get_json()["data"]] == ["A", "B"]
    assert response.get_json()["errors"] == []


def test_bulk_create_in_partial_mode_saves_the_valid_rows_and_reports_the_rest(records: Records) -> None:
    rows = [{"title": "A"}, {"title": ""}, {"title": "C"}]
    response = records.post("/deal/bulk", json={"mode": "partial", "create": rows})
    assert response.status_code == 200
    body = response.get_json()
    assert [r["title"] for r in body["data"]] == ["A", "C"]
    assert [(e["index"], e["errors"][0]["field"]) for e in body["errors"]] == [(1, "title")]
    assert len(records.ids("/deal")) == 2


def test_bulk_update_changes_each_row_at_its_version(records: Records) -> None:
    a, b = records.create("deal", title="A"), records.create("deal", title="B")
    updates = [{"id": a["id"], "version": 1, "stage": "Won"}, {"id": b["id"], "version": 1, "stage": "New"}]
    response = records.post("/deal/bulk", json={"update": updates})
    assert response.status_code == 200
    assert [(r["stage"], r["version"]) for r in response.get_json()["data"]] == [("Won", 2), ("New", 2)]


def test_bulk_requests_are_limited_to_1000_rows(records: Records) -> None:
    body = assert_problem(records.post("/deal/bulk", json={"create": [{"title": "x"}] * 1001}), 422,
                          "validation-failed")
    assert body["errors"][0]["field"] == "create"
    assert records.ids("/deal") == []


@pytest.mark.parametrize("request_body", [{}, {"create": []}, {"create": {"title": "x"}},
                                          {"create": [{"title": "x"}], "update": []},
                                          {"create": [{"title": "x"}], "mode": "sometimes"}])
def test_a_malformed_bulk_request_is_refused(records: Records, request_body: dict[str, Any]) -> None:
    assert assert_problem(records.post("/deal/bulk", json=request_body), 422, "validation-failed")["errors"]


def test_malformed_json_is_a_400_saying_where_it_breaks(records: Records) -> None:
    body = assert_problem(records.post("/company", data='{"name": ', content_type="application/json"), 400,
                          "bad-request")
    assert "not valid JSON" in body["detail"]


@pytest.mark.parametrize("payload", [b"\xff\xfe\xfa", b"[1, 2]", b"null", b'"Acme"'])
def test_a_body_that_is_not_a_json_object_is_refused_without_a_500(records: Records, payload: bytes) -> None:
    response = records.post("/company", data=payload, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_a_body_that_is_not_json_is_415(records: Records) -> None:
    response = records.post("/company", data="name=Acme", content_type="application/x-www-form-urlencoded")
    assert "application/json" in assert_problem(response, 415, "unsupported-media-type")["detail"]


def test_an_oversized_body_is_413(app: Any, records: Records) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 64
    assert_problem(records.post("/company", json={"name": "x" * 200}), 413, "request-entity-too-large")
    assert_problem(records.post("/deal/bulk", json={"create": [{"title": "x"}] * 20}), 413,
                   "request-entity-too-large")


@pytest.mark.parametrize("owner", [2**63, -(2**70), 0, "me"])
def test_an_owner_that_cannot_be_a_user_id_is_a_422_not_a_500(records: Records, owner: Any) -> None:
    body = assert_problem(records.post("/company", json={"name": "Acme", "owner": owner}), 422, "record-invalid")
    assert [e["field"] for e in body["errors"]] == ["owner"]


@pytest.mark.parametrize("title", ["nul\u0000byte", "lone \ud800 surrogate"])
def test_text_no_database_can_store_is_a_422_not_a_500(records: Records, title: str) -> None:
    body = assert_problem(records.post("/deal", json={"title": title}), 422, "record-invalid")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("title", "invalid_text")]
