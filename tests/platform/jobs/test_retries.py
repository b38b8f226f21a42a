"""Failing jobs retry with exponential backoff and jitter, then fail visibly until an admin retries them."""

from __future__ import annotations

import time

from metacrm.platform.jobs import Jobs, JobContext, PermanentJobError
from metacrm.platform.jobs.backoff import retry_delay
from metacrm.platform.runtime import Platform


def test_backoff_doubles_per_attempt_is_capped_and_jittered() -> None:
    assert [retry_delay(n, base=10, cap=3600, rng=lambda: 1.0) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert retry_delay(20, base=10, cap=3600, rng=lambda: 1.0) == 3600
    assert retry_delay(3, base=10, cap=3600, rng=lambda: 0.0) == 20  # never less than half the step


def drain_until_settled(jobs: Jobs, job_id: int, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs.run_pending()
        status = jobs.get(job_id).status  # type: ignore[union-attr]
        if status in ("done", "failed"):
            return status
        time.sleep(0.02)
    raise AssertionError("the job did not settle")


def test_a_failing_job_retries_with_growing_delays_then_fails(platform: Platform, jobs: Jobs) -> None:
    attempts: list[tuple[int, float]] = []

    def flaky(ctx: JobContext) -> None:
        attempts.append((ctx.attempt, time.monotonic()))
        raise ConnectionError("endpoint down")

    jobs.register("test.flaky", flaky, max_attempts=4)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.flaky", {})
    assert jobs.run_pending() == 1
    job = jobs.get(job_id)
    assert (job.status, job.attempts, job.last_error) == ("pending", 1, "ConnectionError: endpoint down")
    assert job.run_at > job.updated_at  # type: ignore[operator]  (planned in the future)
    assert drain_until_settled(jobs, job_id) == "failed"
    assert [n for n, _ in attempts] == [1, 2, 3, 4]
    gaps = [b - a for (_, a), (_, b) in zip(attempts, attempts[1:])]
    assert all(gap >= 0.02 for gap in gaps)  # at least half of base (0.05 s) between attempts
    failed = jobs.list(status="failed")
    assert [j.id for j in failed] == [job_id] and failed[0].attempts == 4


def test_an_admin_retry_gives_a_failed_job_fresh_attempts(platform: Platform, jobs: Jobs) -> None:
    healthy = {"up": False}

    def endpoint(ctx: JobContext) -> str:
        if not healthy["up"]:
            raise ConnectionError("down")
        return "delivered"

    jobs.register("test.endpoint", endpoint, max_attempts=2)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.endpoint", {})
    assert drain_until_settled(jobs, job_id) == "failed"
    healthy["up"] = True
    assert jobs.retry(job_id) is True
    assert jobs.get(job_id).status == "pending"  # type: ignore[union-attr]
    assert drain_until_settled(jobs, job_id) == "done"
    job = jobs.get(job_id)
    assert (job.attempts, job.result) == (1, "delivered")  # type: ignore[union-attr]
    assert jobs.retry(job_id) is False  # only failed or cancelled jobs


def test_a_permanent_error_fails_at_once(platform: Platform, jobs: Jobs) -> None:
    def bad(ctx: JobContext) -> None:
        raise PermanentJobError("no 'to' address")

    jobs.register("test.bad", bad, max_attempts=5)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.bad", {})
    jobs.run_pending()
    job = jobs.get(job_id)
    assert (job.status, job.attempts) == ("failed", 1)  # type: ignore[union-attr]


def test_max_attempts_per_job_overrides_the_kind(platform: Platform, jobs: Jobs) -> None:
    jobs.register("test.down", lambda ctx: 1 / 0, max_attempts=9)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.down", {}, max_attempts=1)
    jobs.run_pending()
    assert jobs.get(job_id).status == "failed"  # type: ignore[union-attr]


def test_an_unknown_kind_is_retried_as_a_failure(platform: Platform, jobs: Jobs) -> None:
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.unregistered", {}, max_attempts=1)
    jobs.run_pending()
    job = jobs.get(job_id)
    assert job.status == "failed" and "no handler registered" in job.last_error  # type: ignore[union-attr,operator]
