"""Object and field permissions from roles, through the record service and the REST API alike."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.errors import Forbidden
from metacrm.platform.records import Actor
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from tests.conftest import ADMIN_PASSWORD, basic_auth, fld, make_object

ROLES = {
    "objects": [make_object("deal", fld("title"), fld("stage"), fld("margin", "integer")),
                make_object("lead", fld("name"))],
    "roles": [
        {"name": "sales", "objects": {"deal": {"create": True, "read": True, "update": True},
                                      "lead": {"read": True}},
         "fields": {"deal": {"margin": "hidden", "stage": "read_only"}}},
        {"name": "marketing", "objects": {"lead": {"create": True, "read": True, "update": True, "delete": True}}},
    ],
}
#: (role, object) → the actions it may take.
MATRIX = {("sales", "deal"): {"create", "read", "update"}, ("sales", "lead"): {"read"},
          ("marketing", "deal"): set(), ("marketing", "lead"): {"create", "read", "update", "delete"}}


@pytest.fixture
def crm(platform: Platform, apply: Any) -> Platform:
    apply(ROLES)
    return platform


def user(platform: Platform, email: str, *roles: str) -> Actor:
    return Actor.from_user(platform.users.create(email, ADMIN_PASSWORD, roles=roles))


def attempt(platform: Platform, actor: Actor, obj: str, action: str) -> bool:
    """Try one action as ``actor`` on a fresh record (made by the system); True when allowed."""
    rid = platform.records.create(SYSTEM, obj, {"title" if obj == "deal" else "name": "x"})["id"]
    calls = {"create": lambda: platform.records.create(actor, obj, {}),
             "read": lambda: platform.records.get(actor, obj, rid),
             "update": lambda: platform.records.update(actor, obj, rid, {}),
             "delete": lambda: platform.records.delete(actor, obj, rid)}
    try:
        calls[action]()
    except Forbidden:
        return False
    return True


@pytest.mark.parametrize("role,obj", sorted(MATRIX))
def test_the_permission_matrix_through_the_service(crm: Platform, role: str, obj: str) -> None:
    actor = user(crm, f"{role}@example.com", role)
    allowed = {a for a in ("create", "read", "update", "delete") if attempt(crm, actor, obj, a)}
    assert allowed == MATRIX[(role, obj)]


def test_admins_the_system_and_no_role_users(crm: Platform) -> None:
    admin = Actor.from_user(crm.users.create("boss@example.com", ADMIN_PASSWORD, is_admin=True))
    for action in ("create", "read", "update", "delete"):
        assert attempt(crm, admin, "deal", action) and attempt(crm, SYSTEM, "deal", action)
    nobody = user(crm, "nobody@example.com")  # secure by default: no role, no access
    assert not any(attempt(crm, nobody, "lead", a) for a in ("create", "read", "update", "delete"))
    # A role name the metadata does not define (say, removed since it was granted) grants nothing.
    ghost = Actor(id=None, email="ghost@example.com", roles=frozenset({"undefined_role"}))
    assert not attempt(crm, ghost, "lead", "read")
    assert crm.records.get(admin, "deal", crm.records.create(admin, "deal", {"margin": 5})["id"])["margin"] == 5


def test_denials_say_what_to_do(crm: Platform) -> None:
    sales = user(crm, "s@example.com", "sales")
    rid = crm.records.create(SYSTEM, "deal", {"title": "x"})["id"]
    with pytest.raises(Forbidden) as info:
        crm.records.delete(sales, "deal", rid)
    assert info.value.status == 403
    assert info.value.detail.startswith("your roles (sales) may not delete Deal records; ask an admin")
    crm.records.delete(SYSTEM, "deal", rid)
    with pytest.raises(Forbidden):
        crm.records.restore(sales, "deal", rid)


def test_field_permissions_through_the_service(crm: Platform) -> None:
    sales = user(crm, "s@example.com", "sales")
    deal = crm.records.create(sales, "deal", {"title": "Big"})
    assert "margin" not in deal and deal["title"] == "Big"
    crm.records.update(SYSTEM, "deal", deal["id"], {"margin": 42, "stage": "won"})
    got = crm.records.get(sales, "deal", deal["id"])
    assert "margin" not in got and got["stage"] == "won"  # read-only is still visible
    assert "margin" not in crm.records.update(sales, "deal", deal["id"], {"title": "Bigger"})
    for field in ("stage", "margin"):
        with pytest.raises(Forbidden) as info:
            crm.records.update(sales, "deal", deal["id"], {field: 1 if field == "margin" else "lost"})
        assert info.value.extra["fields"] == [field] and "42" not in info.value.detail
        with pytest.raises(Forbidden):
            crm.records.create(sales, "deal", {"title": "t", field: 1 if field == "margin" else "lost"})
    page = crm.records.reader.list(sales, "deal", {})
    assert page.records and all("margin" not in r for r in page.records)
    assert all("margin" not in hit["record"] for hit in crm.records.reader.search(sales, "Bigger"))


def test_a_field_is_visible_when_any_role_shows_it(crm: Platform, apply: Any) -> None:
    apply({"roles": [{"name": "finance", "objects": {"deal": {"read": True}}}]})
    both = user(crm, "both@example.com", "sales", "finance")
    rid = crm.records.create(SYSTEM, "deal", {"title": "x", "margin": 7})["id"]
    assert crm.records.get(both, "deal", rid)["margin"] == 7
    # finance grants no update, so sales' read-only stage stays read-only for updates
    with pytest.raises(Forbidden):
        crm.records.update(both, "deal", rid, {"stage": "won"})


def test_a_role_cannot_outlive_the_field_it_names(crm: Platform, apply: Any) -> None:
    plan = crm.metadata.plan(make_object("deal", fld("title"), fld("stage")))
    assert any('roles["sales"].fields["deal"]["margin"]' == i.path for i in plan.issues)


# --- the REST API -------------------------------------------------------------------------

@pytest.fixture
def http(app: Any, client: Any) -> Any:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(ROLES), author="test", confirm=True)
    for role in ("sales", "marketing"):
        platform.users.create(f"{role}@example.com", ADMIN_PASSWORD, roles=[role])
    return client


def call(client: Any, role: str, method: str, path: str, **kwargs: Any) -> Any:
    return client.open(f"/api/v1/records{path}", method=method,
                       headers=basic_auth(f"{role}@example.com", ADMIN_PASSWORD), **kwargs)


@pytest.mark.parametrize("role,obj", sorted(MATRIX))
def test_the_permission_matrix_through_the_api(app: Any, http: Any, admin_headers: Any, role: str, obj: str) -> None:
    name = "title" if obj == "deal" else "name"
    allowed = set()
    for action, method, body in (("create", "POST", {name: "n"}), ("read", "GET", None),
                                 ("update", "PATCH", {name: "m", "version": 1}), ("delete", "DELETE", None)):
        made = http.post(f"/api/v1/records/{obj}", json={name: "x"}, headers=admin_headers).get_json()
        path = f"/{obj}" if action == "create" else f"/{obj}/{made['id']}"
        response = call(http, role, method, path, json=body) if body else call(http, role, method, path)
        assert response.status_code in (200, 201, 204, 403), response.get_data(as_text=True)
        if response.status_code == 403:
            assert response.get_json(force=True)["type"] == "urn:metacrm:problem:forbidden"
        else:
            allowed.add(action)
    assert allowed == MATRIX[(role, obj)]


def test_hidden_fields_are_absent_from_api_json(http: Any, admin_headers: Any) -> None:
    # a value no timestamp or id in the response can contain by chance (microseconds have 6 digits)
    made = http.post("/api/v1/records/deal", json={"title": "Hush", "margin": 7123456, "stage": "open"},
                     headers=admin_headers).get_json()
    assert made["margin"] == 7123456
    got = call(http, "sales", "GET", f"/deal/{made['id']}")
    assert got.status_code == 200 and "margin" not in got.get_json() and got.get_json()["stage"] == "open"
    listed = call(http, "sales", "GET", "/deal").get_json()["data"]
    assert listed and all("margin" not in r for r in listed)
    found = http.get("/api/v1/search?q=Hush", headers=basic_auth("sales@example.com", ADMIN_PASSWORD))
    assert found.status_code == 200 and "7123456" not in found.get_data(as_text=True)
    refused = call(http, "sales", "PATCH", f"/deal/{made['id']}", json={"stage": "won", "version": 1})
    assert refused.status_code == 403 and "stage" in refused.get_json(force=True)["detail"]


@pytest.mark.parametrize("query", ["margin=99", "margin__gt=1", "sort=-margin", "fields=title,margin",
                                   "group_by=margin&agg=count", "agg=sum:margin", "or=margin=99|title=x"])
def test_a_hidden_field_cannot_be_filtered_sorted_or_aggregated_on(http: Any, admin_headers: Any, query: str) -> None:
    http.post("/api/v1/records/deal", json={"title": "Hush", "margin": 99}, headers=admin_headers)
    response = call(http, "sales", "GET", f"/deal?{query}")
    assert response.status_code == 400 and "margin" in response.get_data(as_text=True)
    assert call(http, "marketing", "GET", f"/deal?{query}").status_code == 403
    assert http.get(f"/api/v1/records/deal?{query}", headers=admin_headers).status_code == 200

