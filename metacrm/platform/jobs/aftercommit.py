"""Hand jobs to delivery only after the transaction that created them committed.

SQLAlchemy's ``commit`` event fires *before* the database commits, so
enqueueing to RQ there could let a worker look for a row it cannot see yet.
Instead the committed ids wait on the pooled connection's ``info`` until the
connection is checked back in to the pool, which happens after the COMMIT;
a rollback forgets them. Nothing is lost if a hand-off never happens (a
crash just after commit): the scheduler re-hands due jobs nobody claimed.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any, Callable

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

PENDING = "metacrm.jobs.pending"
COMMITTED = "metacrm.jobs.committed"
Deliver = Callable[[list[int]], None]

#: engine → the delivery of its newest Jobs, held weakly both ways so neither keeps a platform alive.
_targets: "weakref.WeakKeyDictionary[Engine, weakref.WeakMethod[Deliver]]" = weakref.WeakKeyDictionary()


def remember(conn: Connection, job_id: int) -> None:
    conn.info.setdefault(PENDING, []).append(job_id)


def install(engine: Engine, deliver: Deliver) -> None:
    """Route ``engine``'s committed jobs to the bound method ``deliver`` (the newest Jobs of an engine wins)."""
    first = engine not in _targets
    _targets[engine] = weakref.WeakMethod(deliver)  # type: ignore[arg-type]
    if not first:
        return

    def committed(conn: Connection) -> None:
        ids = conn.info.pop(PENDING, None)
        if ids:
            conn.info.setdefault(COMMITTED, []).extend(ids)

    def rolled_back(conn: Connection) -> None:
        conn.info.pop(PENDING, None)

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        ids = record.info.pop(COMMITTED, None) if record is not None else None
        ref = _targets.get(engine)
        target = ref() if ref is not None else None
        if ids and target is not None:
            try:
                target(ids)
            except Exception:  # the scheduler re-hands them; the caller's write already succeeded
                log.exception("could not hand jobs %s to delivery", ids)

    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)
    event.listen(engine.pool, "checkin", checked_in)
