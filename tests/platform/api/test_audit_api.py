"""The audit over HTTP: record history for readers, the access log for admins, and nothing that edits either."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.storage.platform_tables import access_log, field_history
from tests.conftest import fld, make_object

from .conftest import USER_EMAIL, Api, Records, assert_problem

PATIENT = make_object("patient", fld("name", required=True), fld("diagnosis", sensitive=True))
ACCESS = "/api/v1/audit/access"


ALL = {"create": True, "read": True, "update": True, "delete": True}
STAFF = {"roles": [{"name": "staff", "objects": {name: ALL for name in ("company", "deal", "patient")}}]}


@pytest.fixture
def user(app: Any, records: Records, user_api: Api) -> Records:
    """A signed-in user without the admin role, over the same companies, deals and patients."""
    assert user_api.put(PATIENT).status_code == 403  # cannot change metadata...
    assert records.client.put("/api/v1/metadata/objects/patient", json=PATIENT,
                              headers=records.headers).status_code == 201
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(STAFF), author="test", confirm=True)
    platform.users.set_roles(platform.users.get_by_email(USER_EMAIL).id, ["staff"])
    return Records(records.client, user_api.headers)  # ...but reads and writes records with the staff role


def counts(app: Any) -> tuple[int, int]:
    with app.extensions["metacrm"].engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()  # type: ignore[return-value]
                     for t in (field_history, access_log))


def test_history_lists_changes_newest_first(records: Records) -> None:
    deal = records.create("deal", title="Big", amount="10.50")
    assert records.patch(f"/deal/{deal['id']}", json={"amount": "99.99", "version": 1}).status_code == 200
    response = records.get(f"/deal/{deal['id']}/history")
    assert response.status_code == 200
    body = response.get_json()
    assert [e["operation"] for e in body["data"]] == ["update", "create"]
    assert body["data"][0]["changes"] == {"amount": ["10.50", "99.99"]}
    assert set(body["data"][0]) == {"id", "operation", "version", "actor_id", "at", "changes"}
    assert body["next_cursor"] is None


def test_history_pages_with_the_cursor(records: Records) -> None:
    deal = records.create("deal", title="v1")
    for version in (1, 2, 3):
        records.patch(f"/deal/{deal['id']}", json={"title": f"v{version + 1}", "version": version})
    first = records.get(f"/deal/{deal['id']}/history?limit=3").get_json()
    assert [e["version"] for e in first["data"]] == [4, 3, 2]
    rest = records.get(f"/deal/{deal['id']}/history?limit=3&before={first['next_cursor']}").get_json()
    assert [e["version"] for e in rest["data"]] == [1] and rest["next_cursor"] is None


def test_history_of_a_deleted_record_is_still_readable(records: Records) -> None:
    deal = records.create("deal", title="Gone")
    assert records.delete(f"/deal/{deal['id']}").status_code == 200
    assert [e["operation"] for e in records.get(f"/deal/{deal['id']}/history").get_json()["data"]] == [
        "delete", "create"]


def test_history_of_unknown_records_is_404(records: Records) -> None:
    assert_problem(records.get("/deal/999/history"), 404, "record-not-found")
    assert_problem(records.get("/nothing/1/history"), 404, "record-not-found")
    deal = records.create("deal", title="Purged")
    records.delete(f"/deal/{deal['id']}")
    records.post(f"/deal/{deal['id']}/purge")
    assert_problem(records.get(f"/deal/{deal['id']}/history"), 404, "record-not-found")


def test_history_refuses_a_bad_limit(records: Records) -> None:
    deal = records.create("deal", title="x")
    for query in ("limit=0", "limit=201", "limit=ten", "before=-1"):
        assert_problem(records.get(f"/deal/{deal['id']}/history?{query}"), 422, "validation-failed")


def test_history_needs_a_signed_in_reader(records: Records) -> None:
    deal = records.create("deal", title="x")
    assert_problem(records.client.get(f"/api/v1/records/deal/{deal['id']}/history"), 401, "unauthorized")


def test_sensitive_reads_are_logged_with_the_purpose_header(records: Records, user: Records) -> None:
    patient = records.create("patient", name="Ann", diagnosis="flu")
    purpose = {"X-MetaCRM-Purpose": "claim 17"}
    assert user.get(f"/patient/{patient['id']}", headers=purpose).status_code == 200
    assert user.get("/patient", headers=purpose).status_code == 200
    assert user.get("/api/v1/search?q=Ann").status_code == 200  # no purpose given
    assert user.get("/deal").status_code == 200  # not sensitive
    rows = records.get(f"{ACCESS}?object=patient").get_json()["data"]
    assert [(r["action"], r["record_ids"], r["fields"], r["purpose"]) for r in rows] == [
        ("search", [patient["id"]], ["diagnosis"], ""),
        ("list", [patient["id"]], ["diagnosis"], "claim 17"),
        ("view", [patient["id"]], ["diagnosis"], "claim 17")]
    assert len({r["actor_id"] for r in rows}) == 1 and rows[0]["actor_id"] is not None  # the reader


def test_the_access_log_is_for_admins_only(records: Records, user: Records) -> None:
    assert_problem(user.get(ACCESS), 403, "forbidden")
    assert_problem(records.client.get(ACCESS), 401, "unauthorized")
    response = records.get(f"{ACCESS}?limit=1")
    assert response.status_code == 200 and response.get_json() == {"data": [], "next_cursor": None}
    assert_problem(records.get(f"{ACCESS}?limit=0"), 422, "validation-failed")


def test_audit_tables_are_append_only_through_the_api(app: Any, records: Records, user: Records) -> None:
    deal = records.create("deal", title="Kept")
    patient = records.create("patient", name="Ann", diagnosis="flu")
    user.get(f"/patient/{patient['id']}")
    before = counts(app)
    assert before[0] >= 2 and before[1] == 1
    history = f"/deal/{deal['id']}/history"
    for caller in (user, records):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert caller._call(method, history, json={}).status_code == 405
            assert caller._call(method, ACCESS, json={}).status_code == 405
            assert caller._call(method, f"{history}/1", json={}).status_code in (404, 405)
        # the platform's own tables are not objects: the records API does not know them
        for table in ("metacrm_field_history", "metacrm_access_log", "field_history", "access_log"):
            assert caller.get(f"/{table}").status_code == 404
            assert caller.post(f"/{table}", json={"object": "deal"}).status_code == 404
            assert caller.patch(f"/{table}/1", json={"changes": {}, "version": 1}).status_code == 404
            assert caller.delete(f"/{table}/1").status_code == 404
            assert caller.post(f"/{table}/1/purge").status_code == 404
    assert counts(app) == before
