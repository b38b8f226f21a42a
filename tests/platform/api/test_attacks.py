"""Attacks on the API: each must be refused, and leave nothing written or revealed.

Disabled accounts, read-only tokens, mass assignment of system fields,
privilege escalation by non-admins, and a hidden field leaking through any
response — checked in the raw bytes, headers included.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.storage.platform_tables import security_log
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth

from .clinic import NURSE_EMAIL, open_clinic, leaks
from .conftest import Records, assert_problem

METADATA = "/api/v1/metadata"


@pytest.fixture
def clinic(app: Any, records: Records) -> tuple[Records, dict[str, Any]]:
    return open_clinic(app, records)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rows(app: Any, object_name: str) -> list[dict[str, Any]]:
    """Every row of an object's table as stored, deleted ones included."""
    platform = app.extensions["metacrm"]
    live = platform.metadata.current()
    with platform.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(live.tables[object_name])).mappings()]


def test_a_disabled_user_gets_in_neither_by_token_nor_by_password(app: Any, clinic: Any) -> None:
    nurse, _ = clinic
    platform = app.extensions["metacrm"]
    token, _ = platform.tokens.create(platform.users.get_by_email(NURSE_EMAIL).id, "phone", scope="write")
    assert nurse.get("/patient").status_code == 200
    assert nurse.client.get("/api/v1/records/patient", headers=bearer(token)).status_code == 200
    platform.users.disable(NURSE_EMAIL)
    for headers in (nurse.headers, bearer(token)):
        for method, path in (("GET", "/api/v1/records/patient"), ("GET", "/api/v1/openapi.json"),
                             ("POST", "/api/v1/records/visit")):
            response = nurse.client.open(path, method=method, headers=headers, json={"reason": "x"})
            assert_problem(response, 401, "unauthorized")


def test_a_read_token_cannot_write_anywhere(app: Any, records: Records, clinic: Any) -> None:
    nurse, patient = clinic
    platform = app.extensions["metacrm"]
    admin_id = platform.users.get_by_email(ADMIN_EMAIL).id
    token, _ = platform.tokens.create(admin_id, "reporting", scope="read")  # even an admin's
    visit = records.create("visit", reason="to delete")
    assert records.delete(f"/visit/{visit['id']}").status_code == 200
    before = {name: rows(app, name) for name in ("patient", "visit")}
    versions = platform.metadata.history(100)
    attempts = [
        ("POST", "/api/v1/records/visit", {"reason": "x"}),
        ("PATCH", f"/api/v1/records/patient/{patient['id']}", {"name": "y", "version": patient["version"]}),
        ("DELETE", f"/api/v1/records/patient/{patient['id']}", None),
        ("POST", "/api/v1/records/visit/bulk", {"create": [{"reason": "x"}]}),
        ("POST", f"/api/v1/records/visit/{visit['id']}/restore", None),
        ("POST", f"/api/v1/records/visit/{visit['id']}/purge", None),
        ("PUT", f"{METADATA}/objects/visit?confirm=1", {"name": "visit", "fields": [{"name": "r", "type": "text"}]}),
        ("PUT", f"{METADATA}/objects/visit?dry_run=1", {"name": "visit", "fields": [{"name": "r", "type": "text"}]}),
        ("DELETE", f"{METADATA}/objects/payroll?confirm=1", None),
        ("POST", f"{METADATA}/rollback/1?confirm=1", None),
        ("PUT", f"/api/v1/users/{admin_id}/roles", {"roles": ["admin", "nurse"]}),
    ]
    for method, path, body in attempts:
        response = records.client.open(path, method=method, headers=bearer(token), json=body)
        problem = assert_problem(response, 403, "forbidden")
        assert "'read' scope" in problem["detail"], (method, path)
    assert {name: rows(app, name) for name in ("patient", "visit")} == before
    assert platform.metadata.history(100) == versions
    assert records.client.get("/api/v1/records/patient", headers=bearer(token)).status_code == 200


SYSTEM_VALUES = {"id": 999, "created_by": 1, "created_at": "2000-01-01T00:00:00Z", "updated_by": 1,
                 "updated_at": "2000-01-01T00:00:00Z", "deleted_at": "2000-01-01T00:00:00Z"}


@pytest.mark.parametrize("key", sorted(SYSTEM_VALUES) + ["version", "owner"])
def test_mass_assignment_of_system_fields_is_refused_and_writes_nothing(app: Any, records: Records, clinic: Any,
                                                                         key: str) -> None:
    nurse, _ = clinic
    admin_id = app.extensions["metacrm"].users.get_by_email(ADMIN_EMAIL).id
    value = {**SYSTEM_VALUES, "version": 7, "owner": admin_id}[key]
    mine = nurse.create("visit", reason="mine")
    theirs = records.create("visit", reason="the admin's")  # owned by the admin
    before = rows(app, "visit")
    attempts = [
        ("POST", "/visit", {"reason": "x", key: value}),
        ("POST", "/visit/bulk", {"create": [{"reason": "x", key: value}]}),
        ("POST", "/visit/bulk", {"create": [{"reason": "x"}, {"reason": "y", key: value}], "mode": "partial"}),
    ]
    # A PATCH's version is its lock token, a bulk update's id its target, and an owner may hand over
    # their own record (record-level access decides that): those are not mass assignment.
    if key not in ("version", "id", "owner"):
        attempts += [("PATCH", f"/visit/{mine['id']}", {"reason": "z", key: value, "version": mine["version"]}),
                     ("POST", "/visit/bulk", {"update": [{"id": mine["id"], "version": mine["version"],
                                                         "reason": "z", key: value}]})]
    if key == "id":  # a PATCH body cannot re-aim the change at another record
        attempts.append(("PATCH", f"/visit/{mine['id']}", {"reason": "z", "id": theirs["id"], "version": 1}))
    if key == "owner":  # but claiming a record someone else owns is
        attempts.append(("PATCH", f"/visit/{theirs['id']}", {"owner": nurse_id(app), "version": theirs["version"]}))
    for method, path, body in attempts:
        response = nurse._call(method, path, json=body)
        if response.status_code == 200 and "partial" in str(body):
            assert response.get_json()["errors"], (method, path, body)
            nurse.delete(f"/visit/{response.get_json()['data'][0]['id']}")  # the valid row of a partial bulk
            continue
        assert response.status_code in (403, 404, 422), (method, path, body, response.get_data(as_text=True))
    after = [r for r in rows(app, "visit") if r["deleted_at"] is None or r["id"] in {b["id"] for b in before}]
    assert [r for r in after if r["id"] in {b["id"] for b in before}] == before
    assert {r["id"] for r in after if r["deleted_at"] is None} == {b["id"] for b in before}


def nurse_id(app: Any) -> int:
    return app.extensions["metacrm"].users.get_by_email(NURSE_EMAIL).id


def test_a_non_admin_cannot_escalate(app: Any, records: Records, clinic: Any) -> None:
    nurse, _ = clinic
    me = nurse_id(app)
    company = {"name": "payroll", "fields": [{"name": "employee", "type": "text"}]}
    attempts = [
        ("PUT", f"{METADATA}/objects/payroll?confirm=1", company),
        ("DELETE", f"{METADATA}/objects/payroll?confirm=1", None),
        ("POST", f"{METADATA}/rollback/1?confirm=1", None),
        ("GET", f"{METADATA}/archives", None),
        ("GET", "/api/v1/users", None),
        ("GET", f"/api/v1/users/{me}/roles", None),
        ("PUT", f"/api/v1/users/{me}/roles", {"roles": ["admin"]}),  # not even one's own
        ("PUT", f"/api/v1/users/{me}/roles", {"roles": ["nurse", "admin"]}),
        ("GET", "/api/v1/audit/access", None),
    ]
    for method, path, body in attempts:
        response = nurse._call(method, path, json=body)
        assert_problem(response, 403, "forbidden")
    user = app.extensions["metacrm"].users.get(me)
    assert (user.is_admin, user.roles) == (False, frozenset({"nurse"}))
    with app.extensions["metacrm"].engine.connect() as conn:
        changes = conn.execute(sa.select(security_log).where(security_log.c.event == "permission_changed")).all()
    assert changes == []


def test_a_hidden_field_never_appears_in_any_response(app: Any, records: Records, clinic: Any) -> None:
    nurse, patient = clinic
    pid = patient["id"]
    records.patch(f"/patient/{pid}", json={"hiv_status": "xyzzy-negative", "version": patient["version"]})
    created = nurse.create("patient", name="Bob")
    responses = [
        nurse.get(f"/patient/{pid}"),
        nurse.get("/patient"),
        nurse.get("/patient?count=1&sort=-name"),
        nurse.get("/patient?q=xyzzy"),
        nurse.get("/patient?hiv_statu=1"),  # a typo near the hidden name: no "did you mean" for it
        nurse.get("/patient?fields=name,hiv_statu"),
        nurse.get("/patient?group_by=ward&agg=count"),
        nurse.get(f"/patient/{pid}/history"),
        nurse.get(f"/patient/{pid}/related/visit"),
        nurse.get("/api/v1/search?q=xyzzy"),
        nurse.get("/api/v1/search?q=Ann"),
        nurse.get("/api/v1/openapi.json"),
        nurse.get(f"{METADATA}/objects"),
        nurse.get(f"{METADATA}/objects/patient"),
        nurse.get(f"{METADATA}/history"),
        nurse.post("/patient", json={"name": "Cy", "hiv_statu": "x"}),
        nurse.patch(f"/patient/{created['id']}", json={"name": "Bo", "version": created["version"]}),
        nurse.patch(f"/patient/{pid}", json={"hiv_statu": "x", "version": 99}),
        nurse.post("/patient/bulk", json={"create": [{"name": "Dee"}, {"nme": "x"}], "mode": "partial"}),
        nurse.get("/patient/999999"),
    ]
    for response in responses:
        assert response.status_code < 500
        assert leaks(response) == [], (response.request.path, response.get_data(as_text=True)[:500])
    record = nurse.get(f"/patient/{pid}").get_json()
    assert record["ssn"] == "•••• 6789" and "hiv_status" not in record


def test_field_history_hides_and_masks_like_the_record(app: Any, records: Records, clinic: Any) -> None:
    nurse, patient = clinic
    pid = patient["id"]
    changed = records.patch(f"/patient/{pid}", json={"hiv_status": "xyzzy-negative", "version": patient["version"]})
    records.patch(f"/patient/{pid}", json={"ssn": "999-99-0000", "version": changed.get_json()["version"]})
    admin_view = records.get(f"/patient/{pid}/history").get_json()["data"]
    nurse_view = nurse.get(f"/patient/{pid}/history").get_json()["data"]
    assert [e["operation"] for e in admin_view] == ["update", "update", "create"]
    assert [e["operation"] for e in nurse_view] == ["update", "create"]  # the hidden-only change is left out
    assert nurse_view[0]["changes"] == {"ssn": ["•••• 6789", "•••• 0000"]}
    assert nurse_view[1]["changes"]["ssn"] == [None, "•••• 6789"] and "hiv_status" not in nurse_view[1]["changes"]


def test_an_unreadable_object_is_absent_from_the_users_document(clinic: Any) -> None:
    nurse, _ = clinic
    paths = nurse.get("/api/v1/openapi.json").get_json()["paths"]
    assert not any("payroll" in p for p in paths)
    assert not any(p.startswith("/api/v1/users") for p in paths)
    assert nurse.get("/payroll").status_code == 403


def test_a_wrong_password_is_not_a_way_around_the_throttle(clinic: Any) -> None:
    nurse, _ = clinic
    wrong = basic_auth(NURSE_EMAIL, "not the password at all")
    for _ in range(5):
        assert nurse.client.get("/api/v1/records/patient", headers=wrong).status_code == 401
    right = basic_auth(NURSE_EMAIL, ADMIN_PASSWORD)
    assert nurse.client.get("/api/v1/records/patient", headers=right).status_code == 401  # locked for the window
