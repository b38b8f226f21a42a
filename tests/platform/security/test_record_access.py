"""Record-level access through the record service: the predicate decides lists, counts, groups and single records."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.errors import Forbidden, PlatformError
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.records.errors import RecordNotFound
from metacrm.platform.runtime import Platform
from metacrm.platform.security.record_access import subordinate_roles
from metacrm.metadata.loader import load_bundle

from .sharing_fixtures import ALL, DEALS, DOC, EDIT, READ, USERS, Org, build_org


@pytest.fixture
def org(platform: Platform, apply: Any) -> Org:
    return build_org(platform, apply)


def listed(org: Org, who: str, params: dict[str, str] | None = None, **kw: Any) -> tuple[set[str], int | None]:
    page = org.platform.records.reader.list(org.actors[who], "deal", {"count": "1", "limit": "200", **(params or {})},
                                            **kw)
    return {r["title"] for r in page.records}, page.total


def can(org: Org, who: str, action: str, title: str) -> str:
    """"ok", "404" or "403" for one action on one deal."""
    rid, actor, records = org.deals[title], org.actors[who], org.platform.records
    calls = {"read": lambda: records.get(actor, "deal", rid),
             "update": lambda: records.update(actor, "deal", rid, {"amount": DEALS[title][2]}),
             "history": lambda: records.get(actor, "deal", rid, include_deleted=True)}
    try:
        calls[action]()
    except RecordNotFound:
        return "404"
    except Forbidden:
        return "403"
    return "ok"


@pytest.mark.parametrize("who", sorted(USERS))
def test_the_record_matrix_lists_counts_and_single_records(org: Org, who: str) -> None:
    titles, total = listed(org, who)
    assert titles == READ[who] and total == len(READ[who])
    for title in sorted(ALL):
        read = can(org, who, "read", title)
        assert read == ("ok" if title in READ[who] else "404"), (who, title)
        edit = can(org, who, "update", title)
        expected = "ok" if title in EDIT[who] else ("403" if title in READ[who] else "404")
        assert edit == expected, (who, title, edit)


def test_group_totals_and_search_never_count_hidden_records(org: Org) -> None:
    reader = org.platform.records.reader
    page = reader.list(org.actors["rep1"], "deal", {"group_by": "region", "agg": "count,sum:amount", "count": "1"})
    assert {g["region"]: (g["count"], g["sum:amount"]) for g in page.groups} == {"EMEA": (1, 10), "US": (1, 5000)}
    assert page.total == 2
    page = reader.list(org.actors["emea"], "deal", {"agg": "count"})
    assert page.groups == [{"count": 1}]
    hits = reader.search(org.actors["rep2"], "d")
    assert {h["title"] for h in hits if h["object"] == "deal"} == {"d3"}
    assert listed(org, "rep2", {"amount__gte": "1"})[1] == 1
    assert listed(org, "rep2", {"or": "region=EMEA|region=APAC"}) == (set(), 0)


def test_the_recycle_bin_and_restore_obey_the_same_rules(org: Org) -> None:
    records = org.platform.records
    records.delete(SYSTEM, "deal", org.deals["d3"])
    records.delete(SYSTEM, "deal", org.deals["d1"])
    assert listed(org, "rep2", deleted="only") == ({"d3"}, 1)
    assert listed(org, "emea", deleted="only") == ({"d1"}, 1)
    with pytest.raises(RecordNotFound) as info:
        records.restore(org.actors["rep1"], "deal", org.deals["d3"])
    assert info.value.detail == f"Deal #{org.deals['d3']} does not exist in the recycle bin"
    with pytest.raises(Forbidden):  # emea reads d1 through a read-only rule: it may not bring it back
        records.restore(org.actors["emea"], "deal", org.deals["d1"])
    assert records.restore(org.actors["rep2"], "deal", org.deals["d3"])["title"] == "d3"


def test_delete_needs_edit_access_to_the_record(org: Org) -> None:
    records = org.platform.records
    with pytest.raises(RecordNotFound):
        records.delete(org.actors["rep2"], "deal", org.deals["d1"])
    with pytest.raises(Forbidden) as info:
        records.delete(org.actors["emea"], "deal", org.deals["d1"])  # no delete permission on deals
    assert info.value.status == 403
    assert records.delete(org.actors["mgr"], "deal", org.deals["d3"])  # above rep2 in the hierarchy


def test_manual_shares_teams_and_role_shares(org: Org) -> None:
    p, deals = org.platform, org.deals
    p.sharing.add("shares", "deal", deals["d5"], {"user_id": org.actors["rep1"].id}, actor_id=None)
    assert can(org, "rep1", "read", "d5") == "ok" and can(org, "rep1", "update", "d5") == "403"
    p.sharing.add("team", "deal", deals["d1"], {"user_id": org.actors["rep2"].id, "access": "edit",
                                                "team_role": "co-seller"}, actor_id=None)
    assert can(org, "rep2", "update", "d1") == "ok"
    p.sharing.add("shares", "deal", deals["d4"], {"role": "emea_sales", "access": "edit"}, actor_id=None,
                  roles=p.schema.get().compiled.roles)
    assert listed(org, "emea") == ({"d1", "d4"}, 2)
    assert can(org, "emea", "update", "d4") == "ok" and can(org, "emea", "update", "d1") == "403"
    share = p.sharing.list("shares", "deal", deals["d5"])[0]
    p.sharing.remove("shares", "deal", deals["d5"], share.row["id"], actor_id=None)
    assert can(org, "rep1", "read", "d5") == "404"


def test_a_deny_beats_ownership_sharing_and_admin_rights_but_not_the_system(org: Org) -> None:
    p, deals = org.platform, org.deals
    p.sharing.add("denies", "deal", deals["d1"], {"user_id": org.actors["rep1"].id, "reason": "conflict"},
                  actor_id=None)
    p.sharing.add("shares", "deal", deals["d1"], {"user_id": org.actors["rep1"].id, "access": "edit"}, actor_id=None)
    p.sharing.add("denies", "deal", deals["d2"], {"user_id": org.actors["boss"].id}, actor_id=None)
    assert listed(org, "rep1") == ({"d2"}, 1)  # their own d1 is walled off
    assert can(org, "rep1", "read", "d1") == "404" and can(org, "rep1", "update", "d1") == "404"
    assert listed(org, "boss") == (ALL - {"d2"}, 4)
    assert can(org, "boss", "read", "d2") == "404" and can(org, "ops", "read", "d2") == "ok"
    assert p.records.get(SYSTEM, "deal", deals["d1"])["title"] == "d1"
    with pytest.raises(RecordNotFound):
        p.records.delete(org.actors["boss"], "deal", deals["d2"])


def test_ownership_cannot_be_assigned_or_taken_without_the_right(org: Org) -> None:
    records, a = org.platform.records, org.actors
    with pytest.raises(Forbidden, match="owned by yourself"):
        records.create(a["rep1"], "deal", {"title": "x", "owner": a["rep2"].id})
    with pytest.raises(Forbidden):
        records.bulk_create(a["rep1"], "deal", [{"title": "y"}, {"title": "z", "owner": None}])
    mine = records.create(a["rep1"], "deal", {"title": "x", "owner": a["rep1"].id})
    assert mine["owner"] == a["rep1"].id
    with pytest.raises(Forbidden, match="transfer"):  # the manager may edit d3, but only its owner gives it away
        records.update(a["mgr"], "deal", org.deals["d3"], {"owner": a["mgr"].id})
    assert records.update(a["rep1"], "deal", mine["id"], {"owner": a["rep2"].id})["owner"] == a["rep2"].id
    assert records.update(a["ops"], "deal", org.deals["d3"], {"owner": a["ops"].id})["owner"] == a["ops"].id
    for field in ("created_by", "updated_by", "id", "deleted_at"):
        with pytest.raises(PlatformError) as info:
            records.create(a["rep1"], "deal", {"title": "x", field: a["rep2"].id})
        assert info.value.status == 422


def test_portal_users_see_only_their_records_and_portal_fields(org: Org) -> None:
    p, client = org.platform, org.actors["client"]
    page = p.records.reader.list(client, "deal", {"count": "1"})
    assert [r["title"] for r in page.records] == ["d3"] and page.total == 1
    assert set(page.records[0]) == {"id", "title", "created_at", "updated_at", "created_by", "updated_by",
                                    "owner", "version"}
    with pytest.raises(PlatformError) as info:  # a field not shown to the portal cannot be filtered on either
        p.records.reader.list(client, "deal", {"region": "US"})
    assert info.value.status == 400
    assert can(org, "client", "update", "d3") == "403"  # portal access to deals is read-only
    with pytest.raises(RecordNotFound):  # memos declare no portal: invisible whatever the roles say
        p.records.reader.list(client, "memo", {})
    assert p.records.reader.search(client, "Acme") == []


def test_public_read_opens_reading_but_not_editing(org: Org) -> None:
    records, a = org.platform.records, org.actors
    memo = records.create(a["rep1"], "memo", {"body": "hello"})["id"]
    assert records.get(a["rep2"], "memo", memo)["body"] == "hello"
    with pytest.raises(Forbidden, match="ask its owner"):
        records.update(a["rep2"], "memo", memo, {"body": "changed"})
    assert records.update(a["mgr"], "memo", memo, {"body": "by the manager"})["body"] == "by the manager"


def test_the_hierarchy_is_transitive_and_never_includes_peers() -> None:
    roles = load_bundle(DOC).bundle.roles
    assert subordinate_roles(roles, ["sales_vp"]) == {"sales_manager", "rep"}
    assert subordinate_roles(roles, ["sales_manager"]) == {"rep"}
    assert subordinate_roles(roles, ["rep", "emea_sales"]) == frozenset()
