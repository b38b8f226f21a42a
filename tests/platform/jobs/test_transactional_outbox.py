"""A job exists, and runs, exactly when the transaction that enqueued it commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from metacrm.platform.jobs import Jobs, JobContext
from metacrm.platform.runtime import Platform


def recorder(jobs: Jobs, kind: str = "test.record") -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    jobs.register(kind, lambda ctx: seen.append(ctx.payload))
    return seen


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(platform: Platform, jobs: Jobs) -> None:
    seen = recorder(jobs)
    with pytest.raises(RuntimeError):
        with platform.engine.begin() as conn:
            jobs.enqueue(conn, "test.record", {"n": 1})
            raise RuntimeError("the save failed")
    assert jobs.run_pending() == 0
    assert seen == [] and jobs.list() == []


def test_a_committed_job_runs_once(platform: Platform, jobs: Jobs) -> None:
    seen = recorder(jobs)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.record", {"n": 1})
    assert jobs.run_pending() == 1
    assert jobs.run_pending() == 0
    assert seen == [{"n": 1}]
    job = jobs.get(job_id)
    assert job is not None and (job.status, job.attempts) == ("done", 1)


def test_the_handler_gets_its_context(platform: Platform, jobs: Jobs) -> None:
    contexts: list[JobContext] = []
    jobs.register("test.context", contexts.append)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.context", {"a": [1, 2]})
    jobs.run_pending()
    (ctx,) = contexts
    assert (ctx.job_id, ctx.kind, ctx.payload, ctx.attempt, ctx.platform) == (
        job_id, "test.context", {"a": [1, 2]}, 1, platform)


def test_enqueueing_a_pending_key_again_replaces_its_payload_and_time(platform: Platform, jobs: Jobs) -> None:
    seen = recorder(jobs)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)
    with platform.engine.begin() as conn:
        first = jobs.enqueue(conn, "test.record", {"due": "monday"}, key="reminder:deal:7", run_at=later)
    with platform.engine.begin() as conn:
        second = jobs.enqueue(conn, "test.record", {"due": "today"}, key="reminder:deal:7")
    assert first == second
    assert [j.payload for j in jobs.list()] == [{"due": "today"}]
    assert jobs.run_pending() == 1 and seen == [{"due": "today"}]
    with platform.engine.begin() as conn:  # once done, the key can plan a new job
        third = jobs.enqueue(conn, "test.record", {"due": "next"}, key="reminder:deal:7")
    assert third != first


def test_cancel_removes_pending_jobs_with_the_key(platform: Platform, jobs: Jobs) -> None:
    seen = recorder(jobs)
    with platform.engine.begin() as conn:
        jobs.enqueue(conn, "test.record", {"n": 1}, key="reminder:deal:8")
        jobs.enqueue(conn, "test.record", {"n": 2}, key="other")
    with platform.engine.begin() as conn:
        assert jobs.cancel(conn, "reminder:deal:8") == 1
        assert jobs.cancel(conn, "nothing") == 0
    assert jobs.run_pending() == 1 and seen == [{"n": 2}]
    assert {j.key: j.status for j in jobs.list()} == {"reminder:deal:8": "cancelled", "other": "done"}


def test_a_job_planned_later_waits_for_its_time(platform: Platform, jobs: Jobs) -> None:
    seen = recorder(jobs)
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.record", {"n": 1}, run_at=soon, key="call:9")
    assert jobs.run_pending() == 0
    with platform.engine.begin() as conn:  # the date field moved to the past: re-planned, now due
        jobs.enqueue(conn, "test.record", {"n": 1}, run_at=soon - dt.timedelta(hours=2), key="call:9")
    assert jobs.run_pending() == 1 and seen == [{"n": 1}]
    assert jobs.get(job_id).status == "done"  # type: ignore[union-attr]


def test_a_job_enqueued_in_a_record_write_commits_with_it(platform: Platform, jobs: Jobs, apply: Any) -> None:
    """The workflow engine's path: an in_transaction listener enqueues on the write's connection."""
    from metacrm.platform.records.actor import SYSTEM
    from tests.conftest import fld, make_object

    apply(make_object("deal", fld("title")))
    seen = recorder(jobs)

    def on_create(event: Any) -> None:
        jobs.enqueue(event.conn, "test.record", {"record": event.record_id})

    platform.records.bus.listen("record.created", on_create, phase="in_transaction")
    record = platform.records.create(SYSTEM, "deal", {"title": "Big"})
    assert jobs.run_pending() == 1 and seen == [{"record": record["id"]}]
