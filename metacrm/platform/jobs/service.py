"""``platform.jobs``: enqueue durable jobs inside a transaction, run them after it commits.

The job table is the truth and RQ (or a thread) only delivers, so the
guarantees are the table's: a job exists exactly when the transaction that
enqueued it committed; a claim is atomic, so a job runs once per attempt;
a job whose worker died is handed out again when its lease expires; failures
retry with exponential backoff and jitter up to ``max_attempts``, then the job
is ``failed`` until an admin retries it. Handlers must be idempotent: "at
least once" is the promise (see docs/jobs.md).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from ..storage.engine import write_transaction
from ..storage.store import utcnow
from . import aftercommit, recurring, store
from .context import Handler
from .delivery import ManualDelivery, RQDelivery, ThreadDelivery
from .runner import Heartbeat, execute
from .settings import JobSettings

if TYPE_CHECKING:
    from ..runtime import Platform

MODES = ("thread", "rq", "manual")
DEFAULT_LEASE = 60.0


@dataclass(frozen=True)
class HandlerSpec:
    handler: Handler
    max_attempts: int
    lease: float


class Jobs:
    def __init__(self, platform: "Platform", settings: JobSettings | None = None, *, mode: str | None = None):
        self.platform = platform
        self.engine = platform.engine
        self.settings = settings or JobSettings.from_env()
        mode = mode or ("rq" if self.settings.redis_url else "thread")
        if mode not in MODES:
            raise ValueError(f"unknown job delivery mode {mode!r}; known: {', '.join(MODES)}")
        if mode == "rq" and not self.settings.redis_url:
            raise ValueError("the rq mode needs a Redis URL (METACRM_REDIS_URL)")
        if mode == "rq":
            self.delivery: Any = RQDelivery(self.settings.redis_url, self.settings.queue)  # type: ignore[arg-type]
        else:
            self.delivery = ThreadDelivery(self) if mode == "thread" else ManualDelivery()
        self._handlers: dict[str, HandlerSpec] = {}
        self.heartbeat = Heartbeat(self.engine)
        aftercommit.install(self.engine, self._committed)
        from metacrm.plugins.apply import plugin_jobs  # noqa: PLC0415  (built-in kinds are plugins: docs/plugins.md)

        for kind, handler in plugin_jobs(platform):
            self.register(kind, handler)

    @property
    def mode(self) -> str:
        return self.delivery.mode

    # --- the contract ------------------------------------------------------------------------
    def register(self, kind: str, handler: Handler, *, max_attempts: int = 5, lease: float = DEFAULT_LEASE
                 ) -> None:
        """Register (or replace) the handler of ``kind``; register at platform start-up in every process
        that runs workers. ``lease``: seconds of silence after which a running job counts as abandoned."""
        if not kind or len(kind) > 80:
            raise ValueError("a job kind is 1 to 80 characters")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._handlers[kind] = HandlerSpec(handler, max_attempts, max(lease, 1.0))

    def handler_for(self, kind: str) -> HandlerSpec | None:
        return self._handlers.get(kind)

    def enqueue(self, conn: Connection, kind: str, payload: dict, *, run_at: dt.datetime | None = None,
                key: str | None = None, max_attempts: int | None = None) -> int:
        """Add a job inside the caller's transaction; it is handed out only after that commits.

        With ``key``, a pending job with the same key is replaced (its kind,
        payload and time) instead of adding a second one.
        """
        spec = self._handlers.get(kind)
        attempts = max_attempts or (spec.max_attempts if spec else 5)
        when = store.utc(run_at) if run_at is not None else utcnow()
        due_now = when <= utcnow()
        job_id = store.put(conn, kind=kind, payload=payload, run_at=when, key=key, max_attempts=attempts,
                           handed=due_now)
        if due_now:
            aftercommit.remember(conn, job_id)
        return job_id

    def cancel(self, conn: Connection, key: str) -> int:
        """Cancel the pending jobs with ``key`` (a running one finishes); returns how many."""
        return store.cancel(conn, key)

    def run_pending(self, *, limit: int | None = None, stop: threading.Event | None = None) -> int:
        """Claim and run due jobs in this thread until none is left (or ``limit``); returns how many ran."""
        ran = 0
        while (limit is None or ran < limit) and not (stop is not None and stop.is_set()):
            worker = self._worker_token()
            with store.state_transaction(self.engine) as conn:
                job = store.claim(conn, worker=worker, lease=DEFAULT_LEASE)
            if job is None:
                break
            self._run_claimed(job, worker)
            ran += 1
        return ran

    def schedule_recurring(self, key: str, cron: str, kind: str, payload: dict, *, time_zone: str = "UTC",
                           max_attempts: int | None = None, conn: Connection | None = None) -> int:
        """Run ``kind`` at every time ``cron`` names (e.g. "0 7 * * *"), under ``key``; calling it again
        with the same key re-plans the schedule, ``cancel(conn, key)`` ends it. Times are read in
        ``time_zone``. Returns the id of the pending next run."""
        cron = recurring.check(cron)
        spec = self._handlers.get(kind)
        values = dict(kind=kind, payload=payload, key=key, cron=cron, max_attempts=max_attempts or (
            spec.max_attempts if spec else 5), run_at=recurring.next_run(cron, utcnow(), time_zone=time_zone))
        if conn is not None:
            return store.put(conn, **values)
        with write_transaction(self.engine) as own:
            return store.put(own, **values)

    # --- workers and the scheduler -------------------------------------------------------------
    def run_job(self, job_id: int) -> str:
        """Run one job by id if it is still due (the RQ entry point); returns what became of it."""
        worker = self._worker_token()
        with store.state_transaction(self.engine) as conn:
            job = store.claim(conn, worker=worker, lease=DEFAULT_LEASE, job_id=job_id)
        if job is None:
            return "skipped"
        return self._run_claimed(job, worker)

    def _run_claimed(self, job: store.JobRow, worker: str) -> str:
        spec = self._handlers.get(job.kind)
        if spec is not None and spec.lease != DEFAULT_LEASE:
            with store.state_transaction(self.engine) as conn:
                store.extend_lease(conn, job.id, worker, spec.lease)
        return execute(self, job, worker)

    def tick(self) -> dict[str, int]:
        """One scheduler step: expired leases become due again (or failed); in RQ mode due jobs nobody
        was handed recently are handed to RQ. Safe to run in several processes at once."""
        with store.state_transaction(self.engine) as conn:
            again, failed = store.expire_leases(conn)
            handed = (store.take_due(conn, redeliver_after=self.settings.redeliver_after)
                      if self.mode == "rq" else [])
        if handed:
            self.delivery.hand(handed)
        return {"requeued": len(again), "failed": len(failed), "handed": len(handed)}

    def start(self) -> None:
        """Start the in-process thread now (a web process at start-up), instead of at the first job."""
        if isinstance(self.delivery, ThreadDelivery):
            self.delivery.start()

    def stop(self) -> None:
        self.delivery.stop()

    def _committed(self, ids: list[int]) -> None:
        self.delivery.hand(ids)

    @staticmethod
    def _worker_token() -> str:
        return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"

    # --- for admins --------------------------------------------------------------------------
    def get(self, job_id: int) -> store.JobRow | None:
        with self.engine.connect() as conn:
            return store.get(conn, job_id)

    def list(self, *, status: str | None = None, kind: str | None = None, limit: int = 100,
             before_id: int | None = None) -> list[store.JobRow]:
        with self.engine.connect() as conn:
            return store.listing(conn, status=status, kind=kind, limit=limit, before_id=before_id)

    def retry(self, job_id: int) -> bool:
        """An admin's retry of a failed or cancelled job: due now, with a fresh set of attempts."""
        with write_transaction(self.engine) as conn:
            done = store.requeue(conn, job_id)
            if done:
                aftercommit.remember(conn, job_id)
        return done
