"""SQL on the job table: every state change is one atomic UPDATE guarded by the current status.

That guard is what makes delivery safe to repeat: RQ may hand a job id out
twice, two in-process threads may poll at once, a dead worker's job may be
re-handed — only one claim of a pending row succeeds, and a worker whose lease
was taken over cannot overwrite the new claim's outcome.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError

from ..storage.engine import is_sqlite, write_transaction
from ..storage.store import utcnow
from .tables import job

LOST_WORKER = "the worker stopped before finishing (lease expired)"


@contextmanager
def state_transaction(engine: Engine) -> Iterator[Connection]:
    """A write of a job's own state (claim, outcome, lease). On PostgreSQL it commits without waiting
    for the WAL flush: a crash can then forget the newest claim or outcome, which only makes the job
    run again — already allowed, since handlers are idempotent — and saves a disk flush per step."""
    with write_transaction(engine) as conn:
        if not is_sqlite(conn):
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        yield conn


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands datetimes back without a zone; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)


def utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are taken as UTC; aware ones are converted (stored times compare as UTC)."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class JobRow:
    id: int
    kind: str
    payload: dict[str, Any]
    key: str | None
    cron: str | None
    status: str
    run_at: dt.datetime
    attempts: int
    max_attempts: int
    lease_until: dt.datetime | None
    worker: str | None
    last_error: str | None
    result: Any
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None

    @classmethod
    def of(cls, row: Row[Any]) -> "JobRow":
        m = row._mapping
        return cls(m["id"], m["kind"], m["payload"], m["key"], m["cron"], m["status"], aware(m["run_at"]),
                   m["attempts"], m["max_attempts"], aware(m["lease_until"]), m["worker"], m["last_error"],
                   m["result"], aware(m["created_at"]), aware(m["updated_at"]), aware(m["finished_at"]))

    def to_json(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        payload = ({**self.payload, "secret": "********"} if isinstance(self.payload, dict) and
                   self.payload.get("secret") else self.payload)  # shared secrets are not shown back
        return {"id": self.id, "kind": self.kind, "payload": payload, "key": self.key, "cron": self.cron,
                "status": self.status, "run_at": iso(self.run_at), "attempts": self.attempts,
                "max_attempts": self.max_attempts, "lease_until": iso(self.lease_until),
                "last_error": self.last_error, "result": self.result, "created_at": iso(self.created_at),
                "updated_at": iso(self.updated_at), "finished_at": iso(self.finished_at)}


def put(conn: Connection, *, kind: str, payload: dict[str, Any], run_at: dt.datetime, key: str | None,
        max_attempts: int, cron: str | None = None, handed: bool = False, replace: bool = True) -> int:
    """Insert a pending job, or (same ``key`` already pending) replace its kind, payload and time.

    The partial unique index on pending keys settles a race between two
    transactions planning the same key: the loser's insert fails inside a
    savepoint and it updates the winner's row instead. ``replace=False`` keeps
    an existing pending job untouched (used to plan a recurring job's next run).
    """
    now = utcnow()
    values = dict(kind=kind, payload=payload, run_at=utc(run_at), max_attempts=max_attempts, cron=cron,
                  updated_at=now, handed_at=now if handed else None, last_error=None)
    if key is not None:
        existing = _replace(conn, key, values) if replace else _pending_id(conn, key)
        if existing is not None:
            return existing
    try:
        with conn.begin_nested():
            return conn.execute(job.insert().values(key=key, status="pending", attempts=0, created_at=now,
                                                    **values)).inserted_primary_key[0]
    except IntegrityError:
        if key is None:
            raise
        found = _replace(conn, key, values) if replace else _pending_id(conn, key)
        if found is None:
            raise
        return found


def _pending_id(conn: Connection, key: str) -> int | None:
    return conn.execute(sa.select(job.c.id).where(job.c.key == key, job.c.status == "pending")).scalar()


def _replace(conn: Connection, key: str, values: dict[str, Any]) -> int | None:
    found = _pending_id(conn, key)
    if found is not None:
        conn.execute(job.update().where(job.c.id == found, job.c.status == "pending").values(**values))
    return found


def cancel(conn: Connection, key: str) -> int:
    now = utcnow()
    return conn.execute(job.update().where(job.c.key == key, job.c.status == "pending")
                        .values(status="cancelled", updated_at=now, finished_at=now)).rowcount


def claim(conn: Connection, *, worker: str, lease: float, job_id: int | None = None,
          kinds: tuple[str, ...] | None = None) -> JobRow | None:
    """Take one due pending job (``job_id``'s, or the oldest due) for ``worker``: at most one caller wins.

    PostgreSQL picks the candidate with ``FOR UPDATE SKIP LOCKED`` so
    concurrent claimers take different rows; SQLite serialises writers
    (``BEGIN IMMEDIATE``), so the guarded UPDATE alone is atomic there.
    """
    now = utcnow()
    due = sa.and_(job.c.status == "pending", job.c.run_at <= now)
    if job_id is not None:
        target = sa.and_(job.c.id == job_id, due)
    else:
        pick = sa.select(job.c.id).where(due).order_by(job.c.run_at, job.c.id).limit(1)
        if kinds is not None:
            pick = pick.where(job.c.kind.in_(kinds))
        if not is_sqlite(conn):
            pick = pick.with_for_update(skip_locked=True)
        target = sa.and_(job.c.id == pick.scalar_subquery(), due)
    row = conn.execute(job.update().where(target).values(
        status="running", attempts=job.c.attempts + 1, worker=worker, handed_at=None, updated_at=now,
        lease_until=now + dt.timedelta(seconds=lease)).returning(*job.c)).first()
    return None if row is None else JobRow.of(row)


def extend_lease(conn: Connection, job_id: int, worker: str, lease: float) -> bool:
    now = utcnow()
    return conn.execute(job.update().where(job.c.id == job_id, job.c.status == "running", job.c.worker == worker)
                        .values(lease_until=now + dt.timedelta(seconds=lease))).rowcount == 1


def _mine(job_id: int, worker: str) -> Any:
    return sa.and_(job.c.id == job_id, job.c.status == "running", job.c.worker == worker)


def finish(conn: Connection, job_id: int, worker: str, result: Any) -> bool:
    now = utcnow()
    return conn.execute(job.update().where(_mine(job_id, worker)).values(
        status="done", result=result, lease_until=None, updated_at=now, finished_at=now, last_error=None)
    ).rowcount == 1


def retry_later(conn: Connection, job_id: int, worker: str, error: str, run_at: dt.datetime) -> bool:
    return conn.execute(job.update().where(_mine(job_id, worker)).values(
        status="pending", run_at=run_at, last_error=error, lease_until=None, worker=None, updated_at=utcnow())
    ).rowcount == 1


def fail(conn: Connection, job_id: int, worker: str, error: str) -> bool:
    now = utcnow()
    return conn.execute(job.update().where(_mine(job_id, worker)).values(
        status="failed", last_error=error, lease_until=None, updated_at=now, finished_at=now)).rowcount == 1


def expire_leases(conn: Connection) -> tuple[list[int], list[int]]:
    """Running jobs whose worker stopped heart-beating: due again, or failed when out of attempts."""
    now = utcnow()
    expired = sa.and_(job.c.status == "running", job.c.lease_until < now)
    failed = conn.execute(job.update().where(expired, job.c.attempts >= job.c.max_attempts).values(
        status="failed", last_error=LOST_WORKER, lease_until=None, updated_at=now, finished_at=now)
        .returning(job.c.id)).scalars().all()
    again = conn.execute(job.update().where(expired).values(
        status="pending", run_at=now, last_error=LOST_WORKER, lease_until=None, worker=None, handed_at=None,
        updated_at=now).returning(job.c.id)).scalars().all()
    return list(again), list(failed)


def has_work(conn: Connection) -> bool:
    """Is any job due, or any lease expired? A cheap read, so idle pollers take no write lock."""
    now = utcnow()
    due = sa.select(job.c.id).where(job.c.status == "pending", job.c.run_at <= now).limit(1)
    lapsed = sa.select(job.c.id).where(job.c.status == "running", job.c.lease_until < now).limit(1)
    return conn.execute(due).first() is not None or conn.execute(lapsed).first() is not None


def take_due(conn: Connection, *, redeliver_after: float, limit: int = 1000) -> list[int]:
    """Ids of due pending jobs not handed out recently, stamped as handed now (for RQ delivery)."""
    now = utcnow()
    stale = now - dt.timedelta(seconds=redeliver_after)
    pick = (sa.select(job.c.id).where(job.c.status == "pending", job.c.run_at <= now,
                                      sa.or_(job.c.handed_at.is_(None), job.c.handed_at < stale))
            .order_by(job.c.run_at, job.c.id).limit(limit))
    if not is_sqlite(conn):
        pick = pick.with_for_update(skip_locked=True)
    ids = list(conn.execute(pick).scalars())
    if ids:
        conn.execute(job.update().where(job.c.id.in_(ids)).values(handed_at=now))
    return ids


def requeue(conn: Connection, job_id: int) -> bool:
    """An admin's retry of a failed (or cancelled) job: pending again now, with a fresh set of attempts."""
    return conn.execute(job.update().where(job.c.id == job_id, job.c.status.in_(("failed", "cancelled"))).values(
        status="pending", attempts=0, run_at=utcnow(), handed_at=None, finished_at=None, updated_at=utcnow())
    ).rowcount == 1


def get(conn: Connection, job_id: int) -> JobRow | None:
    row = conn.execute(sa.select(job).where(job.c.id == job_id)).first()
    return None if row is None else JobRow.of(row)


def listing(conn: Connection, *, status: str | None = None, kind: str | None = None, limit: int = 100,
            before_id: int | None = None) -> list[JobRow]:
    """Newest first; ``before_id`` pages backwards."""
    query = sa.select(job).order_by(job.c.id.desc()).limit(limit)
    if status is not None:
        query = query.where(job.c.status == status)
    if kind is not None:
        query = query.where(job.c.kind == kind)
    if before_id is not None:
        query = query.where(job.c.id < before_id)
    return [JobRow.of(row) for row in conn.execute(query)]


def counts(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(sa.select(job.c.status, sa.func.count()).group_by(job.c.status)).all())
