"""Users and their roles over REST: admins only, names checked against metadata, every change logged."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.storage.platform_tables import security_log
from tests.conftest import ADMIN_EMAIL

from .clinic import NURSE_EMAIL, open_clinic
from .conftest import Records, assert_problem

USERS = "/api/v1/users"


@pytest.fixture
def nurse(app: Any, records: Records) -> Records:
    return open_clinic(app, records)[0]


def ids(app: Any) -> dict[str, int]:
    return {u.email: u.id for u in app.extensions["metacrm"].users.list()}


def permission_changes(app: Any) -> list[tuple[Any, str, dict[str, Any]]]:
    with app.extensions["metacrm"].engine.connect() as conn:
        return [(r.actor_id, r.subject, r.detail) for r in conn.execute(
            sa.select(security_log).where(security_log.c.event == "permission_changed").order_by(security_log.c.id))]


def test_admins_list_users_with_their_roles(app: Any, records: Records, nurse: Records) -> None:
    data = records.get(USERS).get_json()["data"]
    assert [(u["email"], u["roles"], u["is_admin"]) for u in data] == [
        (ADMIN_EMAIL, ["admin"], True), (NURSE_EMAIL, ["nurse"], False)]
    assert "password_hash" not in str(data)


def test_roles_are_read_and_replaced_as_one_list(app: Any, records: Records, nurse: Records) -> None:
    uid, admin_id = ids(app)[NURSE_EMAIL], ids(app)[ADMIN_EMAIL]
    assert records.get(f"{USERS}/{uid}/roles").get_json() == {"user_id": uid, "roles": ["nurse"]}
    response = records._call("PUT", f"{USERS}/{uid}/roles", json={"roles": ["admin", "nurse"]})
    assert response.get_json() == {"user_id": uid, "roles": ["admin", "nurse"]}
    assert app.extensions["metacrm"].users.get(uid).is_admin
    assert records._call("PUT", f"{USERS}/{uid}/roles", json={"roles": []}).get_json()["roles"] == []
    assert not app.extensions["metacrm"].users.get(uid).is_admin
    assert permission_changes(app) == [
        (admin_id, NURSE_EMAIL, {"granted": ["admin"], "revoked": []}),
        (admin_id, NURSE_EMAIL, {"granted": [], "revoked": ["nurse", "admin"]})]


def test_unknown_roles_are_refused_with_a_suggestion(app: Any, records: Records, nurse: Records) -> None:
    uid = ids(app)[NURSE_EMAIL]
    body = assert_problem(records._call("PUT", f"{USERS}/{uid}/roles", json={"roles": ["nurce"]}),
                          422, "validation-failed")
    assert 'did you mean "nurse"' in body["detail"] and "roles: admin, nurse" in body["errors"][0]["message"]
    assert app.extensions["metacrm"].users.get(uid).roles == {"nurse"}
    assert permission_changes(app) == []


@pytest.mark.parametrize("body", [{}, {"roles": "nurse"}, {"roles": [1]}, {"roles": [], "is_admin": True}])
def test_a_malformed_body_is_refused(app: Any, records: Records, nurse: Records, body: dict[str, Any]) -> None:
    assert_problem(records._call("PUT", f"{USERS}/{ids(app)[NURSE_EMAIL]}/roles", json=body), 422,
                   "validation-failed")


def test_unknown_users_and_the_last_admin(app: Any, records: Records, nurse: Records) -> None:
    assert_problem(records.get(f"{USERS}/999/roles"), 404, "not-found")
    assert_problem(records._call("PUT", f"{USERS}/999/roles", json={"roles": []}), 404, "not-found")
    last = records._call("PUT", f"{USERS}/{ids(app)[ADMIN_EMAIL]}/roles", json={"roles": ["nurse"]})
    assert "last active administrator" in assert_problem(last, 409, "conflict")["detail"]


def test_only_admins_may(app: Any, nurse: Records) -> None:
    for method, path in (("GET", USERS), ("GET", f"{USERS}/1/roles"), ("PUT", f"{USERS}/1/roles")):
        body = assert_problem(nurse._call(method, path, json={"roles": []}), 403, "forbidden")
        assert body["detail"].startswith("Only administrators can")
