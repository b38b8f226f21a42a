"""The issue's acceptance: a sales manager's classic automations, built as metadata, run end to end."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest

from metacrm.platform.jobs import Jobs
from metacrm.platform.logic import helpers
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform

from .conftest import make_user, runs, sent_mail
from .sales import CLOSE_REMINDER, LEAD_ROUTING, WON_DEAL, sales_bundle

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "clock", lambda: dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc))


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(sales_bundle(LEAD_ROUTING, opportunity_workflows=(WON_DEAL, CLOSE_REMINDER)))


def test_a_new_lead_is_assigned_round_robin_and_gets_a_call_task_due_tomorrow(
        platform: Platform, records: RecordService, alice: Actor) -> None:
    reps = [make_user(platform, f"rep{i}@example.com", roles=("sales",), admin=False) for i in range(2)]
    leads = [records.create(alice, "lead", {"name": f"Lead {i}"}) for i in range(3)]
    owners = [records.get(alice, "lead", lead["id"])["owner"] for lead in leads]
    assert owners == [reps[0].id, reps[1].id, reps[0].id]
    tasks = records.reader.list(alice, "task", {"sort": "id"}).records
    assert [(t["subject"], t["due_date"], t["lead"], t["owner"]) for t in tasks] == [
        (f"Call Lead {i}", TODAY + dt.timedelta(days=1), leads[i]["id"], owners[i]) for i in range(3)]
    assert [r["status"] for r in runs(platform, workflow="route_new_lead")] == ["succeeded"] * 3


def test_a_won_opportunity_emails_the_owners_manager_and_opens_an_onboarding_case(
        platform: Platform, records: RecordService, jobs: Jobs) -> None:
    boss = make_user(platform, "boss@example.com")
    rep = make_user(platform, "rep@example.com", manager=boss.id)
    deal = records.create(rep, "opportunity", {"name": "Acme renewal", "amount": "1200", "stage": "Negotiation"})
    assert records.reader.list(rep, "support_case", {}).records == []
    records.update(rep, "opportunity", deal["id"], {"stage": "Won"})
    [case] = records.reader.list(rep, "support_case", {}).records
    assert (case["subject"], case["opportunity"], case["kind"]) == ("Onboard Acme renewal", deal["id"], "Onboarding")
    assert sent_mail(platform) == []  # enqueued in the save's transaction, sent by the job after commit
    jobs.run_pending()
    [mail] = sent_mail(platform)
    assert mail["to_address"] == "boss@example.com"
    assert mail["subject"] == "rep@example.com won Acme renewal"
    assert "Acme renewal was won for 1200" in mail["body"]


def test_three_days_before_the_close_date_the_owner_is_reminded(
        platform: Platform, records: RecordService, jobs: Jobs, alice: Actor) -> None:
    close = TODAY + dt.timedelta(days=10)
    deal = records.create(alice, "opportunity", {"name": "Globex", "stage": "Prospecting", "close_date": close})
    [job] = [j for j in jobs.list() if j.kind == "workflow.time"]
    assert job.key == f"wf:opportunity:close_reminder:{deal['id']}"
    assert job.run_at.date() == close - dt.timedelta(days=3)
    jobs.run_pending()
    assert sent_mail(platform) == []  # not due yet
    _make_due(platform, job.id)
    jobs.run_pending()
    [mail] = sent_mail(platform)
    assert (mail["to_address"], mail["subject"]) == ("alice@example.com", "Globex closes in 3 days")
    assert [r["trigger"] for r in runs(platform, workflow="close_reminder")] == ["time"]


def _make_due(platform: Platform, job_id: int) -> None:
    """Move a planned job to now, as the passing of time would."""
    import sqlalchemy as sa
    from metacrm.platform.jobs.tables import job as job_table
    with platform.engine.begin() as conn:
        conn.execute(sa.update(job_table).where(job_table.c.id == job_id)
                     .values(run_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
