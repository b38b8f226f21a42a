"""Schedule triggers: planned as recurring jobs when the metadata is applied, acting on the records a
filter matches, each in its own transaction, as SYSTEM (docs/workflows.md, "Schedule triggers")."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.jobs import Jobs
from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows import schedules
from tests.conftest import fld, make_object

from .conftest import runs
from .test_classic_automations import _make_due

OVERDUE = {"name": "flag_overdue", "label": "Flag overdue cases",
           "trigger": {"type": "schedule", "cron": "0 7 * * *", "filter": {"status": "Open", "due_date__lt": "today"}},
           "actions": [{"type": "set_field", "fields": {"flag": "overdue"}}]}


def case_bundle(*workflows: dict[str, Any]) -> dict[str, Any]:
    return {"objects": [make_object(
        "support_case", fld("subject", required=True), fld("status", "picklist", options=["Open", "Closed"]),
        fld("due_date", "date"), fld("flag"), workflows=list(workflows),
        validation_rules=[{"name": "no_flag_on_vip", "condition": "flag is None or subject != 'VIP'",
                           "message": "VIP cases are never flagged"}])]}


def schedule_jobs(platform: Platform) -> list[Any]:
    return [j for j in platform.jobs.list() if j.kind == schedules.KIND]


def fire_schedule(platform: Platform, jobs: Jobs) -> None:
    [pending] = [j for j in schedule_jobs(platform) if j.status == "pending"]
    _make_due(platform, pending.id)
    jobs.run_pending()


def test_applying_a_schedule_plans_one_recurring_job_and_removing_it_cancels_it(
        platform: Platform, jobs: Jobs, apply: Callable[..., Any]) -> None:
    apply(case_bundle(OVERDUE))
    [planned] = schedule_jobs(platform)
    assert (planned.key, planned.cron, planned.status) == ("wfs:support_case:flag_overdue", "0 7 * * *", "pending")
    assert planned.run_at > dt.datetime.now(dt.timezone.utc)
    apply(case_bundle({**OVERDUE, "active": False}))
    assert [j.status for j in schedule_jobs(platform)] == ["cancelled"]
    apply(case_bundle(OVERDUE))
    apply(case_bundle({**OVERDUE, "trigger": {**OVERDUE["trigger"], "cron": "30 6 * * 1-5"}}))
    assert [(j.cron, j.status) for j in schedule_jobs(platform) if j.status == "pending"] == [("30 6 * * 1-5", "pending")]
    assert schedules.sync(platform.workflows) == {"planned": [], "cancelled": []}  # start-up: nothing to change


def test_the_schedule_is_read_in_the_organisations_time_zone(platform: Platform, jobs: Jobs,
                                                            apply: Callable[..., Any]) -> None:
    platform.settings.update({"time_zone": "Asia/Tokyo"}, author="test")
    apply(case_bundle(OVERDUE))
    [planned] = schedule_jobs(platform)
    assert planned.run_at.astimezone(dt.timezone.utc).hour == 22  # 07:00 in Tokyo
    assert planned.payload["time_zone"] == "Asia/Tokyo"


def test_a_run_acts_on_each_matching_record_in_its_own_transaction(
        platform: Platform, records: RecordService, jobs: Jobs, alice: Actor, apply: Callable[..., Any]) -> None:
    apply(case_bundle(OVERDUE))
    yesterday, tomorrow = dt.date.today() - dt.timedelta(days=2), dt.date.today() + dt.timedelta(days=2)
    late = records.create(alice, "support_case", {"subject": "Late", "status": "Open", "due_date": yesterday})
    vip = records.create(alice, "support_case", {"subject": "VIP", "status": "Open", "due_date": yesterday})
    later = records.create(alice, "support_case", {"subject": "Later", "status": "Open", "due_date": tomorrow})
    closed = records.create(alice, "support_case", {"subject": "Done", "status": "Closed", "due_date": yesterday})
    fire_schedule(platform, jobs)
    flags = {r["subject"]: r["flag"] for r in records.reader.list(alice, "support_case", {}).records}
    assert flags == {"Late": "overdue", "VIP": None, "Later": None, "Done": None}
    logged = runs(platform, workflow="flag_overdue")
    assert {(r["record_id"], r["trigger"], r["status"]) for r in logged} == {
        (late["id"], "schedule", "succeeded"), (vip["id"], "schedule", "failed")}
    assert "VIP cases are never flagged" in next(r for r in logged if r["record_id"] == vip["id"])["error"]
    assert later["id"] not in {r["record_id"] for r in logged} and closed["id"] not in {r["record_id"] for r in logged}
    [done] = [j for j in schedule_jobs(platform) if j.status == "done"]
    assert done.result == {"records": 2, "capped": False, "succeeded": 1, "failed": 1}
    assert [j.status for j in schedule_jobs(platform) if j.status == "pending"] == ["pending"]  # the next run


def test_a_run_is_capped_and_says_so(platform: Platform, records: RecordService, jobs: Jobs, alice: Actor,
                                     apply: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    apply(case_bundle({**OVERDUE, "trigger": {"type": "schedule", "cron": "0 7 * * *", "filter": {"status": "Open"}}}))
    for n in range(4):
        records.create(alice, "support_case", {"subject": f"Case {n}", "status": "Open"})
    monkeypatch.setattr(schedules, "MAX_RECORDS", 3)
    fire_schedule(platform, jobs)
    [done] = [j for j in schedule_jobs(platform) if j.status == "done"]
    assert done.result["capped"] is True and done.result["records"] == 3
    assert len(runs(platform, workflow="flag_overdue")) == 3


def test_a_run_whose_workflow_was_removed_does_nothing(platform: Platform, records: RecordService, jobs: Jobs,
                                                       alice: Actor, apply: Callable[..., Any]) -> None:
    apply(case_bundle(OVERDUE))
    [planned] = schedule_jobs(platform)
    with platform.engine.begin() as conn:  # the removal raced the job: it was already running
        conn.execute(sa.update(job_table).where(job_table.c.id == planned.id).values(key="elsewhere"))
    apply(case_bundle())
    _make_due(platform, planned.id)
    jobs.run_pending()
    assert platform.jobs.get(planned.id).result == {"skipped": "workflow gone or inactive"}


@pytest.fixture
def rq_jobs(platform: Platform) -> Any:
    """Jobs delivered by RQ on the real Redis (as test_classic_automations_rq.py)."""
    from .test_classic_automations_rq import jobs as rq_fixture
    yield from rq_fixture.__wrapped__(platform)  # type: ignore[attr-defined]


def test_a_scheduled_run_on_rq(platform: Platform, rq_jobs: Jobs, alice: Actor, apply: Callable[..., Any]) -> None:
    from .test_classic_automations_rq import work

    apply(case_bundle(OVERDUE))
    late = platform.records.create(alice, "support_case", {"subject": "Late", "status": "Open",
                                                           "due_date": dt.date.today() - dt.timedelta(days=1)})
    [pending] = [j for j in schedule_jobs(platform) if j.status == "pending"]
    _make_due(platform, pending.id)
    work(platform, rq_jobs)
    assert platform.records.get(alice, "support_case", late["id"])["flag"] == "overdue"
    assert [r["trigger"] for r in runs(platform, workflow="flag_overdue")] == ["schedule"]
    assert sorted(j.status for j in schedule_jobs(platform)) == ["done", "pending"]
