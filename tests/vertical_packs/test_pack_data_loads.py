"""Demo records are a data load: owned by the pack's users, no automations, any state, ids mapped with them;
uninstalling a pack takes its roles from users."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.errors import Unprocessable
from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.packs import PackService, open_pack, registry
from metacrm.platform.records import Actor
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.records.errors import RecordInvalid
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows import data_loads
from tests.conftest import fld, make_object
from tests.helpers import select_all

from .conftest import make_user


def write_ticket_pack(root: Path, tickets: list[dict[str, Any]]) -> Path:
    """A pack whose object has a state machine starting in "New" and a workflow routing new tickets."""
    pack = root / "helpdesk"
    for sub in ("objects", "roles", "demo"):
        (pack / sub).mkdir(parents=True, exist_ok=True)
    (pack / "pack.json").write_text(json.dumps({"name": "helpdesk", "label": "Helpdesk", "version": "1.0.0"}))
    ticket = make_object("ticket", fld("title", required=True), fld("routed", "boolean"),
                         fld("state", "picklist", options=["New", "Open", "Closed"]))
    ticket["state_machines"] = [{"field": "state", "initial": "New",
                                 "transitions": [{"from": "New", "to": "Open"}, {"from": "Open", "to": "Closed"}]}]
    ticket["workflows"] = [{"name": "route", "label": "Route", "trigger": {"type": "created"},
                            "actions": [{"type": "set_field", "fields": {"routed": True}}]}]
    (pack / "objects" / "ticket.json").write_text(json.dumps(ticket))
    (pack / "roles" / "agent.json").write_text(json.dumps({"name": "agent", "label": "Agent", "objects": {"ticket": {"create": True, "read": True, "update": True}}}))
    (pack / "demo" / "010_ticket.json").write_text(json.dumps({"object": "ticket", "records": tickets}))
    return pack


def test_demo_records_skip_automations_and_the_initial_state_and_are_spread_over_the_packs_users(
        platform: Platform, tmp_path: Path) -> None:
    tickets = [{"_id": f"t{i}", "title": f"Ticket {i}", "state": "Closed"} for i in range(4)]
    pack = write_ticket_pack(tmp_path, tickets)
    packs = PackService(platform.metadata, platform.records)
    with open_pack(str(pack)) as source:
        packs.install(source)
        agents = [make_user(platform, f"agent{i}@example.com", "agent") for i in range(2)]
        result = packs.install(source, demo=True)
    assert result.demo.created == {"ticket": 4}
    rows = select_all(platform, "ticket", "state", "routed", "owner")
    assert [(state, routed) for state, routed, _ in rows] == [("Closed", False)] * 4  # no workflow, any state
    assert [owner for _, _, owner in rows] == [agents[0].id, agents[1].id] * 2
    # People's writes still obey the machine and run the workflow.
    with pytest.raises(RecordInvalid):
        platform.records.create(agents[0], "ticket", {"title": "Late", "state": "Closed"})
    made = platform.records.create(agents[0], "ticket", {"title": "Live"})
    assert platform.records.get(agents[0], "ticket", made["id"])["routed"] is True


def test_without_pack_users_the_installing_admin_owns_the_demo(platform: Platform, tmp_path: Path) -> None:
    admin = platform.users.create("admin@example.com", "a long enough password", is_admin=True)
    pack = write_ticket_pack(tmp_path, [{"_id": "t1", "title": "One", "state": "Open"}])
    with open_pack(str(pack)) as source:
        PackService(platform.metadata, platform.records).install(source, demo=True, author="Admin@example.com")
    assert select_all(platform, "ticket", "owner") == [(admin.id,)]


def test_an_invalid_demo_batch_leaves_neither_records_nor_id_map_rows(platform: Platform, tmp_path: Path) -> None:
    pack = write_ticket_pack(tmp_path, [{"_id": "ok", "title": "Fine"}, {"_id": "bad", "title": None}])
    with open_pack(str(pack)) as source:
        with pytest.raises(Unprocessable) as refused:
            PackService(platform.metadata, platform.records).install(source, demo=True)
    assert refused.value.extra["errors"][0]["path"].endswith("records[1].title")
    assert select_all(platform, "ticket", "id") == []
    with platform.engine.connect() as conn:
        assert registry.record_ids(conn, "helpdesk", "ticket") == {}


def test_the_data_load_mark_ends_with_its_transaction(platform: Platform, tmp_path: Path) -> None:
    with open_pack(str(write_ticket_pack(tmp_path, []))) as source:
        PackService(platform.metadata, platform.records).install(source)
    with platform.records.write() as conn:
        data_loads.mark(conn)
        platform.records.create_in(conn, SYSTEM, "ticket", {"title": "Loaded", "state": "Open"})
    with platform.records.write() as conn:
        assert not data_loads.is_data_load(conn)
        platform.records.create_in(conn, SYSTEM, "ticket", {"title": "Made"})
    assert select_all(platform, "ticket", "title", "state", "routed") == [("Loaded", "Open", False),
                                                                        ("Made", "New", True)]


def test_base_crm_demo_routes_no_leads_and_enqueues_no_mail(crm: Platform) -> None:
    reps = [make_user(crm, f"rep{i}@example.com", "sales_rep") for i in range(3)]
    with open_pack("base_crm") as source:
        PackService(crm.metadata, crm.records).install(source, demo=True)
    assert len(select_all(crm, "activity", "id")) == 150  # the demo's own; route_new_lead opened no calls
    with crm.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(job_table)
                            .where(job_table.c.kind.in_(["email.send", "webhook.call"]))).scalar() == 0
    owners = {owner for (owner,) in select_all(crm, "opportunity", "owner")}
    assert owners == {r.id for r in reps}


def test_uninstalling_a_pack_takes_its_roles_from_users(platform: Platform, tmp_path: Path) -> None:
    packs = PackService(platform.metadata, platform.records)
    with open_pack(str(write_ticket_pack(tmp_path, []))) as source:
        packs.install(source)
    agent = make_user(platform, "agent@example.com", "agent")
    planned = packs.uninstall("helpdesk", dry_run=True)
    assert "take role agent from its users" in planned.changes
    packs.uninstall("helpdesk")
    assert platform.users.get(agent.id).roles == frozenset()
    assert Actor.from_user(platform.users.get(agent.id)).roles == frozenset()
