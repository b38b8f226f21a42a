"""Running one claimed job: call its handler, keep its lease alive, record the outcome.

The outcome is written with the claim's worker token as a guard: if this
worker lost its lease (it stalled and another took the job over), its late
result is dropped instead of overwriting the newer attempt's.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

from ..storage.store import utcnow
from . import recurring, store
from .backoff import retry_delay
from .context import JobContext, PermanentJobError

if TYPE_CHECKING:
    from .service import Jobs

log = logging.getLogger(__name__)
MAX_ERROR = 4000
HEARTBEAT_TICK = 0.25  # seconds; the shortest lease allowed is 1 s


class Heartbeat:
    """One side thread per process extending the leases of the jobs running in it.

    Each job's lease is extended once a third of it has passed, so only long
    jobs ever cost a write; a short job costs a dictionary entry, not a thread.
    """

    def __init__(self, engine: Any):
        self.engine = engine
        self._running: dict[tuple[int, str], tuple[float, float]] = {}  # (job, worker) → (lease, last beat)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextmanager
    def watch(self, job_id: int, worker: str, lease: float) -> Iterator[None]:
        with self._lock:
            self._running[(job_id, worker)] = (lease, time.monotonic())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._beat, name="metacrm-jobs-heartbeat", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._running.pop((job_id, worker), None)

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_TICK)
            now = time.monotonic()
            with self._lock:
                if not self._running:  # idle: end, and let the next job start a new one
                    self._thread = None
                    return
                due = [(key, lease) for key, (lease, last) in self._running.items() if now - last >= lease / 3]
            for (job_id, worker), lease in due:
                try:
                    with store.state_transaction(self.engine) as conn:
                        store.extend_lease(conn, job_id, worker, lease)
                except Exception:  # the lease may lapse; the job is then handed out again, which is allowed
                    log.exception("could not extend the lease of job %s", job_id)
                with self._lock:
                    if (job_id, worker) in self._running:
                        self._running[(job_id, worker)] = (lease, now)


def _jsonable(result: Any) -> Any:
    try:
        json.dumps(result)
        return result
    except (TypeError, ValueError):
        return repr(result)


def execute(jobs: "Jobs", job: store.JobRow, worker: str) -> str:
    """Run ``job`` (already claimed by ``worker``); returns the status it ended in."""
    spec = jobs.handler_for(job.kind)
    error: str | None = None
    permanent = False
    result: Any = None
    try:
        if spec is None:
            raise LookupError(f"no handler registered for job kind {job.kind!r} in this process")
        context = JobContext(job.id, job.kind, job.payload, job.attempts, jobs.platform)
        with jobs.heartbeat.watch(job.id, worker, spec.lease):
            result = spec.handler(context)
    except PermanentJobError as exc:
        error, permanent = f"{type(exc).__name__}: {exc}"[:MAX_ERROR], True
    except Exception as exc:  # a handler's failure is the job's outcome, not the worker's crash
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, error)
    now = utcnow()
    with store.state_transaction(jobs.engine) as conn:
        if error is None:
            status = "done" if store.finish(conn, job.id, worker, _jsonable(result)) else "lost"
        elif not permanent and job.attempts < job.max_attempts:
            delay = retry_delay(job.attempts, base=jobs.settings.retry_base, cap=jobs.settings.retry_cap)
            run_at = now + dt.timedelta(seconds=delay)
            status = "pending" if store.retry_later(conn, job.id, worker, error, run_at) else "lost"
        else:
            status = "failed" if store.fail(conn, job.id, worker, error) else "lost"
        if job.cron and status in ("done", "failed"):
            store.put(conn, kind=job.kind, payload=job.payload, key=job.key, cron=job.cron,
                      run_at=recurring.next_run(job.cron, now), max_attempts=job.max_attempts, replace=False)
    if status == "lost":
        log.warning("job %s finished after its lease was taken over; its outcome was not recorded", job.id)
    return status
