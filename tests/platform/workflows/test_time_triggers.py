"""Time triggers are jobs keyed per record: moving the date re-plans, clearing or deleting cancels,
and firing re-checks the record first."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.metadata.workflows import TriggerDef
from metacrm.platform.jobs import Jobs
from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows.timers import due_at
from tests.conftest import fld, make_object

from .conftest import runs

Apply = Callable[..., Any]
UTC = dt.timezone.utc


@pytest.fixture(autouse=True)
def schema(apply: Apply) -> None:
    apply({"objects": [make_object("note", fld("text")), make_object("visit", fld("name"), fld("status"),
                                   fld("starts", "datetime"), workflows=[
        {"name": "follow_up", "trigger": {"type": "time", "field": "starts", "offset": 1, "unit": "hours",
                                          "direction": "after"},
         "condition": "status != 'cancelled'",
         "actions": [{"type": "create_record", "object": "note", "fields": {"text": "=concat('after ', name)"}}]}])]})


def planned(jobs: Jobs) -> list[Any]:
    return [j for j in jobs.list() if j.kind == "workflow.time" and j.status not in ("cancelled", "succeeded")]


def make_due(platform: Platform) -> None:
    with platform.engine.begin() as conn:
        conn.execute(sa.update(job_table).where(job_table.c.kind == "workflow.time",
                                                job_table.c.run_at > dt.datetime.now(UTC))
                     .values(run_at=dt.datetime.now(UTC) - dt.timedelta(seconds=1)))


def texts(records: RecordService, actor: Actor) -> list[str]:
    return [n["text"] for n in records.reader.list(actor, "note", {}).records]


def test_moving_the_date_re_plans_the_one_job_and_clearing_it_cancels(
        records: RecordService, jobs: Jobs, alice: Actor) -> None:
    start = dt.datetime(2030, 5, 1, 14, 0, tzinfo=UTC)
    visit = records.create(alice, "visit", {"name": "Kick-off", "starts": start})
    [job] = planned(jobs)
    assert job.key == f"wf:visit:follow_up:{visit['id']}" and job.run_at == start + dt.timedelta(hours=1)
    records.update(alice, "visit", visit["id"], {"starts": start + dt.timedelta(days=2)})
    [moved] = planned(jobs)
    assert moved.run_at == start + dt.timedelta(days=2, hours=1)
    records.update(alice, "visit", visit["id"], {"name": "Renamed"})  # the date did not move
    assert [j.run_at for j in planned(jobs)] == [moved.run_at]
    records.update(alice, "visit", visit["id"], {"starts": None})
    assert planned(jobs) == []


def test_deleting_the_record_cancels_its_timer(records: RecordService, jobs: Jobs, alice: Actor) -> None:
    visit = records.create(alice, "visit", {"name": "A", "starts": dt.datetime(2030, 1, 1, tzinfo=UTC)})
    records.delete(alice, "visit", visit["id"])
    assert planned(jobs) == []


def test_when_it_fires_it_runs_the_actions_if_the_condition_still_holds(
        platform: Platform, records: RecordService, jobs: Jobs, alice: Actor) -> None:
    soon = dt.datetime.now(UTC) + dt.timedelta(days=1)
    kept = records.create(alice, "visit", {"name": "Kept", "starts": soon})
    dropped = records.create(alice, "visit", {"name": "Dropped", "starts": soon})
    records.update(alice, "visit", dropped["id"], {"status": "cancelled"})
    make_due(platform)
    jobs.run_pending()
    assert texts(records, alice) == ["after Kept"]
    assert [(r["record_id"], r["trigger"], r["actor_id"]) for r in runs(platform)] == [(kept["id"], "time", None)]


def test_a_job_for_a_date_that_moved_since_does_nothing(platform: Platform, records: RecordService, jobs: Jobs,
                                                         alice: Actor) -> None:
    visit = records.create(alice, "visit", {"name": "A", "starts": dt.datetime(2030, 1, 1, tzinfo=UTC)})
    [job] = planned(jobs)
    with platform.engine.begin() as conn:  # as if the date changed behind the job's back
        conn.execute(sa.update(job_table).where(job_table.c.id == job.id)
                     .values(payload={**job.payload, "date": "2029-01-01T00:00:00+00:00"}))
    make_due(platform)
    jobs.run_pending()
    assert texts(records, alice) == [] and runs(platform) == [] and visit


@pytest.mark.parametrize(("value", "trigger", "expected"), [
    (dt.date(2026, 12, 10), TriggerDef("time", "d", offset=3, unit="days", direction="before"),
     dt.datetime(2026, 12, 7, tzinfo=UTC)),
    (dt.date(2026, 11, 27), TriggerDef("time", "d", offset=5, unit="business_days", direction="after"),
     dt.datetime(2026, 12, 4, tzinfo=UTC)),  # a Friday: five working days later is the next Friday
    (dt.datetime(2026, 1, 1, 9, 30, tzinfo=UTC), TriggerDef("time", "d", offset=90, unit="minutes"),
     dt.datetime(2026, 1, 1, 11, 0, tzinfo=UTC)),
    (None, TriggerDef("time", "d", offset=1), None),
])
def test_when_a_time_trigger_is_due(value: Any, trigger: TriggerDef, expected: Any) -> None:
    assert due_at(trigger, value) == expected
