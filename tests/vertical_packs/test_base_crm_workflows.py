"""The base CRM pack's automations end to end: base_crm installed (no demo) in a fresh database, records
created by its users, jobs drained by hand; and the upgrade from 1.0.0 that brings them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.jobs import Jobs
from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.logic import helpers
from metacrm.platform.packs import BUILTIN_DIR, PackService, open_pack
from metacrm.platform.records import Actor
from metacrm.platform.errors import Unprocessable
from metacrm.platform.records.errors import RecordInvalid
from metacrm.platform.runtime import Platform
from metacrm.platform.storage.platform_tables import outbox

from .conftest import make_user

TODAY = dt.date(2026, 11, 23)
VERSION = json.loads((BUILTIN_DIR / "base_crm" / "pack.json").read_text("utf-8"))["version"]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "clock", lambda: dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc))


def sent_mail(platform: Platform) -> list[tuple[str, str]]:
    with platform.engine.connect() as conn:
        return [(r.to_address, r.subject) for r in conn.execute(sa.select(outbox).order_by(outbox.c.id))]


def make_due(platform: Platform, jobs: Jobs, key: str) -> None:
    """Move a planned time-trigger job to now, as the passing of time would."""
    [job] = [j for j in jobs.list() if j.key == key]
    with platform.engine.begin() as conn:
        conn.execute(sa.update(job_table).where(job_table.c.id == job.id)
                     .values(run_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))


def test_a_new_lead_goes_round_robin_to_the_sales_reps_with_a_first_call_due_tomorrow(crm: Platform) -> None:
    reps = [make_user(crm, f"rep{i}@example.com", "sales_rep") for i in range(2)]
    marketer = make_user(crm, "mkt@example.com", "marketing")
    leads = [crm.records.create(marketer, "lead", {"last_name": f"Lead {i}", "rating": "Hot" if i else "Cold"})
             for i in range(3)]
    owners = [crm.records.get(marketer, "lead", lead["id"])["owner"] for lead in leads]
    assert owners == [reps[0].id, reps[1].id, reps[0].id]
    calls = crm.records.reader.list(marketer, "activity", {"sort": "id"}).records
    assert [(c["subject"], c["type"], c["due_date"], c["who"], c["owner"], c["priority"]) for c in calls] == [
        (f"Call  Lead {i}", "Call", TODAY + dt.timedelta(days=1), {"object": "lead", "id": leads[i]["id"]},
         owners[i], "High" if i else "Normal") for i in range(3)]


def test_stage_metadata_follows_the_stage(crm: Platform, rep: Actor) -> None:
    opp = crm.records.create(rep, "opportunity", {"name": "Globex", "stage": "Negotiation/Review",
                                                  "close_date": TODAY})
    got = crm.records.get(rep, "opportunity", opp["id"])
    assert (got["probability"], got["forecast_category"], got["is_closed"], got["is_won"]) == \
        (90, "Commit", False, False)
    crm.records.update(rep, "opportunity", opp["id"], {"stage": "Closed Lost"})
    got = crm.records.get(rep, "opportunity", opp["id"])
    assert (got["probability"], got["forecast_category"], got["is_closed"], got["is_won"]) == \
        (0, "Omitted", True, False)
    kept = crm.records.create(rep, "opportunity", {"name": "Initech", "close_date": TODAY, "probability": 35})
    assert crm.records.get(rep, "opportunity", kept["id"])["probability"] == 35  # given on create: kept


def test_an_open_opportunity_past_its_close_date_reminds_its_owner(crm: Platform, rep: Actor, jobs: Jobs) -> None:
    opp = crm.records.create(rep, "opportunity", {"name": "Globex", "close_date": TODAY + dt.timedelta(days=5)})
    closed = crm.records.create(rep, "opportunity", {"name": "Umbrella", "stage": "Closed Won",
                                                     "close_date": TODAY + dt.timedelta(days=5)})
    [job] = [j for j in jobs.list() if j.key == f"wf:opportunity:stale_opportunity:{opp['id']}"]
    assert job.run_at.date() == TODAY + dt.timedelta(days=8)
    jobs.run_pending()
    assert sent_mail(crm) == []  # not due yet
    make_due(crm, jobs, f"wf:opportunity:stale_opportunity:{opp['id']}")
    make_due(crm, jobs, f"wf:opportunity:stale_opportunity:{closed['id']}")
    jobs.run_pending()
    jobs.run_pending()  # the email the run enqueued
    assert sent_mail(crm) == [("rep@example.com", "Globex is past its close date")]


def test_a_case_past_its_sla_is_escalated_and_the_managers_told(crm: Platform, jobs: Jobs) -> None:
    boss = make_user(crm, "boss@example.com", "sales_manager")
    agent = make_user(crm, "agent@example.com", "support_agent", manager=boss.id)
    due = dt.datetime(2026, 11, 23, 17, tzinfo=dt.timezone.utc)
    case = crm.records.create(agent, "support_case", {"subject": "Printer on fire", "sla_due_at": due})
    done = crm.records.create(agent, "support_case", {"subject": "Solved", "sla_due_at": due, "status": "Closed"})
    for c in (case, done):
        make_due(crm, jobs, f"wf:support_case:sla_escalation:{c['id']}")
    jobs.run_pending()
    jobs.run_pending()
    got = crm.records.get(agent, "support_case", case["id"])
    assert (got["status"], got["priority"], got["is_escalated"]) == ("Escalated", "High", True)
    assert crm.records.get(agent, "support_case", done["id"])["is_escalated"] is False
    number = got["case_number"]
    assert sorted(sent_mail(crm)) == [("agent@example.com", f"Case {number} missed its SLA"),
                                      ("boss@example.com", f"Case {number} missed its SLA")]


def test_a_won_opportunity_opens_an_onboarding_case_and_tells_the_manager(crm: Platform, jobs: Jobs) -> None:
    boss = make_user(crm, "boss@example.com", "sales_manager")
    rep = make_user(crm, "rep@example.com", "sales_rep", manager=boss.id)
    account = crm.records.create(rep, "account", {"name": "Acme"})
    opp = crm.records.create(rep, "opportunity", {"name": "Acme renewal", "account": account["id"],
                                                  "amount": "1200", "close_date": TODAY})
    crm.records.update(rep, "opportunity", opp["id"], {"stage": "Closed Won"})
    [case] = crm.records.reader.list(boss, "support_case", {}).records
    assert (case["subject"], case["type"], case["account"], case["opportunity"], case["owner"]) == \
        ("Onboard Acme renewal", "Onboarding", account["id"], opp["id"], rep.id)
    jobs.run_pending()
    assert sent_mail(crm) == [("boss@example.com", "rep@example.com won Acme renewal")]


def test_a_campaign_response_moves_an_open_lead_to_working(crm: Platform, rep: Actor) -> None:
    marketer = make_user(crm, "mkt@example.com", "marketing")
    campaign = crm.records.create(marketer, "campaign", {"name": "Webinar"})
    lead = crm.records.create(marketer, "lead", {"last_name": "Lovelace"})
    member = crm.records.create(marketer, "campaign_member", {"campaign": campaign["id"], "lead": lead["id"],
                                                              "status": "Sent"})
    crm.records.update(marketer, "campaign_member", member["id"], {"status": "Responded"})
    assert crm.records.get(rep, "lead", lead["id"])["status"] == "Working - Contacted"
    got = crm.records.get(marketer, "campaign_member", member["id"])
    assert (got["has_responded"], got["first_responded_date"]) == (True, TODAY)


def _previous_release(tmp_path: Path) -> Path:
    """base_crm 1.0.0: this version without what 1.1.0 added (conversion, automations, case fields)."""
    old = tmp_path / "base_crm"
    shutil.copytree(BUILTIN_DIR / "base_crm", old, ignore=shutil.ignore_patterns("demo"))
    manifest = json.loads((old / "pack.json").read_text())
    (old / "pack.json").write_text(json.dumps({**manifest, "version": "1.0.0"}))
    for path in (old / "objects").glob("*.json"):
        doc = json.loads(path.read_text())
        doc.pop("workflows", None)
        doc.pop("conversions", None)
        if doc["name"] == "support_case":
            doc["fields"] = [f for f in doc["fields"] if f["name"] not in ("opportunity", "is_escalated")]
            for f in doc["fields"]:
                if f["name"] == "type":
                    f["options"] = [o for o in f["options"] if o != "Onboarding"]
        path.write_text(json.dumps(doc))
    return old


def test_upgrading_from_1_0_0_brings_the_automations_and_keeps_the_admins_changes(
        platform: Platform, tmp_path: Path, apply: Any) -> None:
    packs = PackService(platform.metadata, platform.records)
    with open_pack(str(_previous_release(tmp_path))) as source:
        packs.install(source)
    lead = platform.schema.get().compiled.bundle.objects["lead"].to_json()
    lead.pop("owner")  # an admin's edit: it does not take the object over
    lead["label"] = "Prospect"
    lead["fields"].append({"name": "referral_code", "type": "text"})
    apply({"objects": [lead]})
    with open_pack("base_crm") as source:
        result = packs.upgrade(source, confirm=True)
    assert result.action == "upgraded" and result.conflicts == []
    bundle = platform.schema.get().compiled.bundle
    lead_def = bundle.objects["lead"]
    assert lead_def.label == "Prospect" and lead_def.field("referral_code").owner == "admin"
    assert [c.name for c in lead_def.conversions] == ["convert"]
    assert [w.name for w in bundle.objects["opportunity"].workflows] == ["stage_defaults", "stale_opportunity",
                                                                        "won_onboarding"]
    assert bundle.objects["support_case"].field("is_escalated") is not None
    assert lead_def.owner == f"pack:base_crm@{VERSION}"


def test_the_stage_machine_guards_closing_and_locks_won_deals(crm: Platform, rep: Actor) -> None:
    opp = crm.records.create(rep, "opportunity", {"name": "Hooli", "stage": "Qualification",  # any open stage
                                                  "close_date": TODAY, "amount": "500"})
    with pytest.raises(RecordInvalid) as refused:
        crm.records.update(rep, "opportunity", opp["id"], {"stage": "Closed Won"})
    assert refused.value.extra["errors"] == [{"field": "stage", "code": "transition_condition", "message":
                                              "A won opportunity needs an account (its onboarding case is opened "
                                              "for it)"}]
    crm.records.update(rep, "opportunity", opp["id"], {"stage": "Closed Lost"})
    crm.records.update(rep, "opportunity", opp["id"], {"stage": "Negotiation/Review"})  # a lost deal revived
    account = crm.records.create(rep, "account", {"name": "Hooli"})
    crm.records.update(rep, "opportunity", opp["id"], {"stage": "Closed Won", "account": account["id"]})
    got = crm.records.get(rep, "opportunity", opp["id"])
    assert (got["stage"], got["is_won"], got["is_closed"], got["probability"], got["forecast_category"]) == \
        ("Closed Won", True, True, 100, "Closed")  # the state's on_enter writes the locked record
    with pytest.raises(Unprocessable) as locked:
        crm.records.update(rep, "opportunity", opp["id"], {"amount": "900"})
    assert "is locked (state Closed Won)" in str(locked.value)


def _release_1_1_0(tmp_path: Path) -> Path:
    """base_crm 1.1.0: without the stage machine, routing only leads people create."""
    old = tmp_path / "base_crm_1_1"
    shutil.copytree(BUILTIN_DIR / "base_crm", old, ignore=shutil.ignore_patterns("demo"))
    manifest = json.loads((old / "pack.json").read_text())
    (old / "pack.json").write_text(json.dumps({**manifest, "version": "1.1.0"}))
    opp = json.loads((old / "objects" / "opportunity.json").read_text())
    opp.pop("state_machines")
    (old / "objects" / "opportunity.json").write_text(json.dumps(opp))
    lead = json.loads((old / "objects" / "lead.json").read_text())
    lead["workflows"][0]["condition"] = "current_user.id is not None and not is_converted"
    (old / "objects" / "lead.json").write_text(json.dumps(lead))
    return old


def test_upgrading_from_1_1_0_brings_the_stage_machine_and_keeps_the_admins_changes(
        platform: Platform, tmp_path: Path, apply: Any) -> None:
    packs = PackService(platform.metadata, platform.records)
    with open_pack(str(_release_1_1_0(tmp_path))) as source:
        packs.install(source)
    opp = platform.schema.get().compiled.bundle.objects["opportunity"].to_json()
    opp.pop("owner")  # an admin's edit: it does not take the object over
    opp["fields"].append({"name": "competitor", "type": "text", "label": "Main competitor"})
    apply({"objects": [opp]})
    with open_pack("base_crm") as source:
        result = packs.upgrade(source, confirm=True)
    assert result.action == "upgraded" and result.conflicts == []
    opp_def = platform.schema.get().compiled.bundle.objects["opportunity"]
    assert opp_def.field("competitor").owner == "admin" and opp_def.field("competitor").label == "Main competitor"
    assert [m.field for m in opp_def.state_machines] == ["stage"]
    assert platform.schema.get().compiled.bundle.objects["lead"].workflows[0].condition == "not is_converted"
    assert packs.get("base_crm").version == VERSION
