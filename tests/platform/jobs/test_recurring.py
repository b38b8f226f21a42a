"""Recurring jobs live in the table: planned by cron, re-planned after each run, kept across restarts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from metacrm.platform.jobs import Jobs
from metacrm.platform.jobs.recurring import next_run
from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.runtime import Platform

UTC = dt.timezone.utc


def test_next_run_reads_cron_in_a_time_zone() -> None:
    after = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert next_run("0 7 * * *", after) == dt.datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert next_run("0 7 * * *", after, time_zone="America/New_York") == dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_recurring_job_runs_and_plans_its_next_run(platform: Platform, jobs: Jobs) -> None:
    ran: list[int] = []
    jobs.register("test.digest", lambda ctx: ran.append(ctx.job_id))
    first = jobs.schedule_recurring("digest:daily", "0 7 * * *", "test.digest", {"to": "team"})
    pending = jobs.get(first)
    assert pending.cron == "0 7 * * *" and pending.run_at > dt.datetime.now(UTC)  # type: ignore[union-attr,operator]
    assert jobs.run_pending() == 0
    with platform.engine.begin() as conn:  # time passes: the run is due
        conn.execute(sa.update(job_table).where(job_table.c.id == first).values(
            run_at=dt.datetime.now(UTC) - dt.timedelta(seconds=1)))
    assert jobs.run_pending() == 1 and ran == [first]
    (following,) = jobs.list(status="pending")
    assert following.key == "digest:daily" and following.payload == {"to": "team"}
    assert following.run_at.hour == 7 and following.id != first


def test_scheduling_a_key_again_replans_it_and_cancel_ends_it(platform: Platform, jobs: Jobs) -> None:
    jobs.register("test.digest", lambda ctx: None)
    first = jobs.schedule_recurring("digest", "0 7 * * *", "test.digest", {})
    again = jobs.schedule_recurring("digest", "30 18 * * 1-5", "test.digest", {"v": 2})
    assert first == again
    replanned = jobs.get(first)
    assert replanned is not None
    assert (replanned.cron, replanned.run_at.minute, replanned.payload) == ("30 18 * * 1-5", 30, {"v": 2})
    with platform.engine.begin() as conn:
        assert jobs.cancel(conn, "digest") == 1
    assert jobs.list(status="pending") == []


def test_the_schedule_survives_a_restart(platform: Platform, database_url: str, jobs: Jobs) -> None:
    jobs.schedule_recurring("digest", "0 7 * * *", "test.digest", {})
    restarted = Platform.from_url(database_url)
    try:
        assert [j.key for j in restarted.jobs.list(status="pending")] == ["digest"]
    finally:
        restarted.jobs.stop()
        restarted.engine.dispose()


def test_a_bad_cron_expression_is_refused(jobs: Jobs) -> None:
    with pytest.raises(ValueError, match="not a cron expression"):
        jobs.schedule_recurring("x", "every morning", "test.digest", {})
