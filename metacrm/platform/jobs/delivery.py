"""How job ids reach a worker: RQ on Redis, a thread in this process, or nobody (``run_pending`` only).

Delivery is only a nudge: the worker claims the row atomically, so a lost or
doubled hand-off costs latency or a no-op, never a lost or doubled run.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import TYPE_CHECKING

from . import store

if TYPE_CHECKING:
    from .service import Jobs

log = logging.getLogger(__name__)
RQ_JOB_TIMEOUT = 3600  # RQ's own timeout; the job table's lease is what detects a dead worker
MAX_ERROR_BACKOFF = 60.0


class ManualDelivery:
    """Nothing runs until someone calls ``run_pending`` (tests, ``metacrm jobs run``)."""

    mode = "manual"

    def hand(self, ids: list[int]) -> None:
        pass

    def stop(self) -> None:
        pass


class ThreadDelivery:
    """One daemon thread per process, started on the first hand-off, draining due jobs.

    Between hand-offs it wakes every ``poll_interval`` seconds for jobs that
    became due (retries, scheduled runs, other processes' jobs) and expired
    leases. Several processes (gunicorn workers) each run one; the atomic
    claim keeps them from running a job twice.
    """

    mode = "thread"

    def __init__(self, jobs: "Jobs"):
        self._jobs = weakref.ref(jobs)  # the thread ends once its platform is gone (tests build many)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(target=self._loop, name="metacrm-jobs", daemon=True)
                self._thread.start()

    def hand(self, ids: list[int]) -> None:
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            jobs = self._jobs()
            if jobs is None:
                return
            try:
                with jobs.engine.connect() as conn:
                    busy = store.has_work(conn)
                if busy:
                    jobs.tick()
                    jobs.run_pending(stop=self._stopping)
                failures = 0
            except Exception:  # the database may be briefly away; keep the thread, back off
                failures += 1
                log.exception("the in-process job thread failed (%s in a row)", failures)
            pause = jobs.settings.poll_interval * (2 ** min(failures, 6) if failures else 1)
            del jobs
            self._wake.wait(min(pause, MAX_ERROR_BACKOFF))


class RQDelivery:
    """Job ids become RQ jobs calling :func:`metacrm.platform.jobs.rq_entry.perform`."""

    mode = "rq"

    def __init__(self, redis_url: str, queue: str):
        from redis import Redis  # noqa: PLC0415  (the redis extra is needed only in this mode)
        from rq import Queue  # noqa: PLC0415

        self.redis = Redis.from_url(redis_url)
        self.queue = Queue(queue, connection=self.redis)

    def hand(self, ids: list[int]) -> None:
        from .rq_entry import perform  # noqa: PLC0415

        with self.redis.pipeline() as pipe:
            for job_id in ids:
                self.queue.enqueue_call(perform, args=(job_id,), timeout=RQ_JOB_TIMEOUT, result_ttl=0,
                                        failure_ttl=86400, description=f"metacrm job {job_id}", pipeline=pipe)
            pipe.execute()

    def stop(self) -> None:
        self.redis.close()
