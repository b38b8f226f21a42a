"""Delivery: RQ with Redis and the in-process thread give the same semantics, and no job is lost
or run twice when workers die or compete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from metacrm.platform.jobs import Jobs, JobContext
from metacrm.platform.jobs import store
from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.runtime import Platform
from metacrm.platform.storage.engine import write_transaction

from .conftest import fast_settings, use_jobs


def wait_for(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def enqueue(platform: Platform, jobs: Jobs, kind: str, payload: dict[str, Any], **options: Any) -> int:
    with platform.engine.begin() as conn:
        return jobs.enqueue(conn, kind, payload, **options)


# --- in-process -----------------------------------------------------------------------------------
def test_in_process_a_committed_job_runs_in_the_background(platform: Platform, thread_jobs: Jobs) -> None:
    seen: list[int] = []
    thread_jobs.register("test.bg", lambda ctx: seen.append(threading.get_ident()))
    with pytest.raises(RuntimeError):
        with platform.engine.begin() as conn:
            thread_jobs.enqueue(conn, "test.bg", {})
            raise RuntimeError("rolled back")
    job_id = enqueue(platform, thread_jobs, "test.bg", {})
    wait_for(lambda: thread_jobs.get(job_id).status == "done")  # type: ignore[union-attr]
    assert len(seen) == 1 and seen[0] != threading.get_ident()
    assert len(thread_jobs.list()) == 1


def test_in_process_retries_run_by_themselves(platform: Platform, thread_jobs: Jobs) -> None:
    calls: list[int] = []

    def twice_down(ctx: JobContext) -> None:
        calls.append(ctx.attempt)
        if ctx.attempt < 3:
            raise ConnectionError("down")

    thread_jobs.register("test.twice_down", twice_down)
    job_id = enqueue(platform, thread_jobs, "test.twice_down", {})
    wait_for(lambda: thread_jobs.get(job_id).status == "done")  # type: ignore[union-attr]
    assert calls == [1, 2, 3]


def test_in_process_a_planned_job_runs_when_due_even_after_a_restart(platform: Platform, jobs: Jobs) -> None:
    import datetime as dt

    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=0.5)
    job_id = enqueue(platform, jobs, "test.later", {}, run_at=soon)  # planned by a process that then stops
    restarted = use_jobs(platform, fast_settings(), "thread")
    seen: list[int] = []
    restarted.register("test.later", lambda ctx: seen.append(ctx.job_id))
    restarted.start()  # a serving process starts its thread with its first request
    wait_for(lambda: restarted.get(job_id).status == "done")  # type: ignore[union-attr]
    assert seen == [job_id]
    restarted.stop()


def test_a_job_whose_worker_died_is_handed_out_again(platform: Platform, jobs: Jobs) -> None:
    seen: list[int] = []
    jobs.register("test.once", lambda ctx: seen.append(ctx.attempt))
    job_id = enqueue(platform, jobs, "test.once", {})
    with write_transaction(platform.engine) as conn:  # a worker claims it, then dies without a word
        store.claim(conn, worker="dead-worker", lease=0.2)
    assert jobs.run_pending() == 0  # running: nobody else takes it while the lease holds
    time.sleep(0.3)
    assert jobs.tick()["requeued"] == 1
    assert jobs.run_pending() == 1 and seen == [2]
    with write_transaction(platform.engine) as conn:  # the dead worker's late outcome is ignored
        assert store.finish(conn, job_id, "dead-worker", None) is False


def test_concurrent_claimers_never_run_a_job_twice(platform: Platform, jobs: Jobs) -> None:
    runs: list[int] = []
    lock = threading.Lock()

    def count(ctx: JobContext) -> None:
        with lock:
            runs.append(ctx.job_id)

    jobs.register("test.count", count)
    with platform.engine.begin() as conn:
        ids = [jobs.enqueue(conn, "test.count", {"n": n}) for n in range(60)]
    threads = [threading.Thread(target=jobs.run_pending) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(runs) == sorted(ids)  # every job exactly once


# --- RQ -------------------------------------------------------------------------------------------
def test_rq_gets_the_job_only_after_commit_and_a_worker_runs_it(platform: Platform, rq_jobs: Jobs) -> None:
    from rq import SimpleWorker
    from metacrm.platform.jobs import rq_entry

    seen: list[dict[str, Any]] = []
    rq_jobs.register("test.rq", lambda ctx: seen.append(ctx.payload))
    queue = rq_jobs.delivery.queue
    with pytest.raises(RuntimeError):
        with platform.engine.begin() as conn:
            rq_jobs.enqueue(conn, "test.rq", {"n": 0})
            raise RuntimeError("rolled back")
    assert queue.count == 0
    with platform.engine.begin() as conn:
        job_id = rq_jobs.enqueue(conn, "test.rq", {"n": 1})
        assert queue.count == 0  # not before the commit
    assert queue.count == 1
    rq_entry.bind(platform)
    SimpleWorker([queue], connection=rq_jobs.delivery.redis).work(burst=True)
    assert seen == [{"n": 1}] and rq_jobs.get(job_id).status == "done"  # type: ignore[union-attr]
    assert rq_entry.perform(job_id) == "skipped"  # a repeated delivery is a no-op


def test_rq_due_retries_are_handed_again_by_the_scheduler(platform: Platform, rq_jobs: Jobs) -> None:
    from rq import SimpleWorker
    from metacrm.platform.jobs import rq_entry

    rq_entry.bind(platform)
    calls: list[int] = []

    def once_down(ctx: JobContext) -> None:
        calls.append(ctx.attempt)
        if ctx.attempt == 1:
            raise ConnectionError("down")

    rq_jobs.register("test.once_down", once_down)
    job_id = enqueue(platform, rq_jobs, "test.once_down", {})
    worker = SimpleWorker([rq_jobs.delivery.queue], connection=rq_jobs.delivery.redis)
    worker.work(burst=True)
    assert rq_jobs.get(job_id).status == "pending"  # type: ignore[union-attr]
    wait_for(lambda: rq_jobs.tick()["handed"] == 1)
    worker.work(burst=True)
    assert calls == [1, 2] and rq_jobs.get(job_id).status == "done"  # type: ignore[union-attr]


def start_worker(database_url: str, settings: Any, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "METACRM_DATABASE_URL": database_url, "METACRM_REDIS_URL": settings.redis_url,
           "METACRM_JOB_QUEUE": settings.queue, "METACRM_INSTANCE_PATH": str(tmp_path / "instance"),
           "METACRM_SECRET_KEY": "test"}
    command = [sys.executable, "-c", "from metacrm.cli import main; main()", "worker", "--interval", "0.2",
               "--import", "tests.platform.jobs.worker_handlers"]
    return subprocess.Popen(command, env=env, cwd=Path(__file__).parents[3], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def test_killing_an_rq_worker_mid_job_loses_no_job(platform: Platform, database_url: str,
                                                  redis_settings: Any, tmp_path: Path) -> None:
    jobs = use_jobs(platform, fast_settings(**{**redis_settings.__dict__, "redeliver_after": 0.5}), "rq")
    from tests.platform.jobs.worker_handlers import register_jobs

    register_jobs(jobs)
    log = tmp_path / "runs.log"
    job_id = enqueue(platform, jobs, "test.slow_append", {"file": str(log), "seconds": 3})
    first = start_worker(database_url, redis_settings, tmp_path)
    try:
        wait_for(lambda: log.exists() and "start" in log.read_text(), timeout=60)
        first.send_signal(signal.SIGKILL)  # mid-job: no chance to clean up
        first.wait(10)
        assert jobs.get(job_id).status == "running"  # type: ignore[union-attr]
        second = start_worker(database_url, redis_settings, tmp_path)
        try:
            wait_for(lambda: jobs.get(job_id).status == "done", timeout=60)  # type: ignore[union-attr]
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(15)
    finally:
        if first.poll() is None:
            first.kill()
    lines = log.read_text().split("\n")
    assert lines[:3] == [f"start {job_id} 1", f"start {job_id} 2", f"end {job_id} 2"]
    with platform.engine.connect() as conn:
        assert conn.execute(job_table.select()).first().attempts == 2
