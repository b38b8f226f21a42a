"""Record-level access through the REST API: the matrix, IDOR, mass assignment, shares/teams/denies endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.conftest import ADMIN_PASSWORD, basic_auth

from .conftest import events
from .sharing_fixtures import ALL, EDIT, READ, USERS, Org, build_org, email

API = "/api/v1/records"


@pytest.fixture
def org(app: Any) -> Org:
    platform = app.extensions["metacrm"]

    def apply(document: Any) -> Any:
        return platform.metadata.apply(platform.metadata.plan(document), author="test", confirm=True)

    return build_org(platform, apply)


def as_(who: str) -> dict[str, str]:
    return basic_auth(email(who), ADMIN_PASSWORD)


@pytest.mark.parametrize("who", sorted(USERS))
def test_the_record_matrix_over_http(client: Any, org: Org, who: str) -> None:
    body = client.get(f"{API}/deal?count=1&limit=200", headers=as_(who)).get_json()
    assert {r["title"] for r in body["data"]} == READ[who] and body["total"] == len(READ[who])
    for title in sorted(ALL):
        rid = org.deals[title]
        got = client.get(f"{API}/deal/{rid}", headers=as_(who))
        assert got.status_code == (200 if title in READ[who] else 404), (who, title)
        changed = client.patch(f"{API}/deal/{rid}", json={"region": "EU"}, headers={**as_(who), "If-Match": '"1"'})
        expected = 200 if title in EDIT[who] else (403 if title in READ[who] else 404)
        assert changed.status_code == expected, (who, title, changed.get_json())


def test_idor_answers_404_everywhere_without_leaking(client: Any, org: Org) -> None:
    hidden = org.deals["d3"]  # rep2's deal, linked to the account
    missing = max(org.deals.values()) + 1000
    for rid in (hidden, missing):
        responses = [client.get(f"{API}/deal/{rid}", headers=as_("rep1")),
                     client.patch(f"{API}/deal/{rid}", json={"title": "mine"}, headers={**as_("rep1"), "If-Match": '"1"'}),
                     client.delete(f"{API}/deal/{rid}", headers=as_("rep1")),
                     client.get(f"{API}/deal/{rid}/history", headers=as_("rep1")),
                     client.get(f"{API}/deal/{rid}/shares", headers=as_("rep1")),
                     client.post(f"{API}/deal/{rid}/team", json={"user_id": org.actors["rep1"].id},
                                 headers=as_("rep1")),
                     client.post(f"{API}/deal/{rid}/restore", headers=as_("rep1"))]
        for response in responses:
            assert response.status_code == 404, response.request.path
            problem = response.get_json()
            assert "d3" not in str(problem) and "rep2" not in str(problem)
            assert problem["detail"].startswith(f"Deal #{rid} does not exist")
    # a related list shows only the readable children, and its count agrees
    body = client.get(f"{API}/account/{org.account}/related/deal?count=1", headers=as_("rep1")).get_json()
    assert body["data"] == [] and body["total"] == 0
    body = client.get(f"{API}/account/{org.account}/related/deal?count=1", headers=as_("rep2")).get_json()
    assert [r["title"] for r in body["data"]] == ["d3"] and body["total"] == 1
    hits = client.get("/api/v1/search?q=d", headers=as_("rep1")).get_json()["data"]
    assert {h["title"] for h in hits if h["object"] == "deal"} == {"d1", "d2"}
    groups = client.get(f"{API}/deal?group_by=region&agg=count", headers=as_("rep2")).get_json()["groups"]
    assert groups == [{"region": "US", "count": 1}]


def test_mass_assignment_of_system_fields_is_refused(client: Any, org: Org) -> None:
    rep1, rep2 = org.actors["rep1"], org.actors["rep2"]
    made = client.post(f"{API}/deal", json={"title": "x", "owner": rep2.id}, headers=as_("rep1"))
    assert made.status_code == 403 and "owned by yourself" in made.get_json()["detail"]
    for field, value in (("created_by", rep2.id), ("updated_by", rep2.id), ("version", 7), ("id", 99)):
        made = client.post(f"{API}/deal", json={"title": "x", field: value}, headers=as_("rep1"))
        assert made.status_code == 422, field
    d3 = org.deals["d3"]
    taken = client.patch(f"{API}/deal/{d3}", json={"owner": org.actors["mgr"].id},
                         headers={**as_("mgr"), "If-Match": '"1"'})
    assert taken.status_code == 403 and "transfer" in taken.get_json()["detail"]
    forged = client.patch(f"{API}/deal/{d3}", json={"created_by": rep1.id}, headers={**as_("rep2"), "If-Match": '"1"'})
    assert forged.status_code == 422


def test_shares_and_teams_over_http_are_logged(client: Any, org: Org) -> None:
    d5, rep1 = org.deals["d5"], org.actors["rep1"]
    refused = client.post(f"{API}/deal/{d5}/shares", json={"user_id": rep1.id}, headers=as_("mgr"))
    assert refused.status_code == 404  # the manager cannot see the VP's deal
    made = client.post(f"{API}/deal/{d5}/shares", json={"user_id": rep1.id, "access": "read"}, headers=as_("vp"))
    assert made.status_code == 201
    share_id = made.get_json()["id"]
    assert client.get(f"{API}/deal/{d5}", headers=as_("rep1")).status_code == 200
    listed = client.get(f"{API}/deal/{d5}/shares", headers=as_("rep1")).get_json()["data"]
    assert [(s["user_id"], s["access"]) for s in listed] == [(rep1.id, "read")]
    # a reader may not reshare: managing shares needs edit access
    assert client.post(f"{API}/deal/{d5}/shares", json={"role": "rep"}, headers=as_("rep1")).status_code == 403
    assert client.post(f"{API}/deal/{d5}/shares", json={"user_id": rep1.id}, headers=as_("vp")).status_code == 409
    bad = client.post(f"{API}/deal/{d5}/shares", json={"role": "nope", "access": "all"}, headers=as_("vp"))
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"role", "access"}
    assert client.delete(f"{API}/deal/{d5}/shares/{share_id}", headers=as_("vp")).status_code == 204
    assert client.get(f"{API}/deal/{d5}", headers=as_("rep1")).status_code == 404
    member = client.post(f"{API}/deal/{d5}/team", json={"user_id": rep1.id, "access": "edit", "team_role": "sme"},
                         headers=as_("vp"))
    assert member.status_code == 201
    assert client.patch(f"{API}/deal/{d5}", json={"region": "EU"},
                        headers={**as_("rep1"), "If-Match": '"1"'}).status_code == 200
    logged = [e.event for e in events(org.platform)]
    assert logged.count("share_granted") == 1 and "share_revoked" in logged and "team_member_added" in logged


def test_only_admins_manage_denies_and_a_deny_beats_the_admin(client: Any, org: Org, admin_headers: Any) -> None:
    d1, boss = org.deals["d1"], org.actors["boss"]
    owner_try = client.post(f"{API}/deal/{d1}/denies", json={"user_id": org.actors["mgr"].id}, headers=as_("rep1"))
    assert owner_try.status_code == 403
    walled = client.post(f"{API}/deal/{d1}/denies", json={"user_id": boss.id, "reason": "conflict of interest"},
                         headers=admin_headers)
    assert walled.status_code == 201
    assert client.get(f"{API}/deal/{d1}", headers=as_("boss")).status_code == 404
    body = client.get(f"{API}/deal?count=1", headers=as_("boss")).get_json()
    assert body["total"] == 4 and d1 not in [r["id"] for r in body["data"]]
    assert client.get(f"{API}/deal/{d1}", headers=admin_headers).status_code == 200
    listed = client.get(f"{API}/deal/{d1}/denies", headers=admin_headers).get_json()["data"]
    assert [(d["user_id"], d["reason"]) for d in listed] == [(boss.id, "conflict of interest")]
    assert client.delete(f"{API}/deal/{d1}/denies/{listed[0]['id']}", headers=admin_headers).status_code == 204
    assert client.get(f"{API}/deal/{d1}", headers=as_("boss")).status_code == 200
    assert [e.event for e in events(org.platform) if e.event.startswith("deny")] == ["deny_added", "deny_removed"]
    assert org.platform.records.get(SYSTEM, "deal", d1)["title"] == "d1"


def test_a_purged_record_takes_its_shares_with_it(client: Any, org: Org) -> None:
    p, d4 = org.platform, org.deals["d4"]
    p.sharing.add("shares", "deal", d4, {"user_id": org.actors["rep1"].id}, actor_id=None)
    p.records.delete(SYSTEM, "deal", d4)
    p.records.purge(SYSTEM, "deal", d4)
    assert p.sharing.list("shares", "deal", d4) == []
