"""Legal hold: a per-record flag that blocks delete, purge, anonymisation and erasure.

A hold is set by an admin (``POST /api/v1/records/<object>/<id>/legal-hold``)
when a record may be evidence; while it stands, the record path refuses to
delete or purge it (an ``authorize`` hook, so every writer — API, pages,
workflows, retention — meets the same refusal) and the privacy tools refuse
to anonymise it. Holds are keyed by (object, record id) because ids repeat
across objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import Conflict
from ..records.hooks import AccessRequest
from ..storage.engine import write_transaction
from ..storage.store import utcnow
from .tables import legal_hold

GUARDED = ("delete", "purge")


class LegalHoldActive(Conflict):
    type_slug = "legal-hold"


@dataclass(frozen=True)
class Hold:
    object: str
    record_id: int
    reason: str
    set_by: int | None
    set_at: Any

    def to_json(self) -> dict[str, Any]:
        return {"object": self.object, "record_id": self.record_id, "reason": self.reason, "set_by": self.set_by,
                "set_at": self.set_at.isoformat() if self.set_at else None}


def refusal(label: str, object_name: str, record_id: int, action: str, hold: Hold) -> LegalHoldActive:
    because = f" ({hold.reason})" if hold.reason else ""
    return LegalHoldActive(f"{label} #{record_id} is under legal hold{because}: it cannot be {action} until an "
                           "administrator clears the hold", object=object_name, record_id=record_id,
                           legal_hold=hold.to_json())


class LegalHolds:
    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, object_name: str, record_id: int, conn: Connection | None = None) -> Hold | None:
        query = sa.select(legal_hold).where(legal_hold.c.object == object_name, legal_hold.c.record_id == record_id)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self.engine.connect() as own:
                row = own.execute(query).first()
        return Hold(row.object, row.record_id, row.reason, row.set_by, row.set_at) if row else None

    def held_ids(self, conn: Connection, object_name: str) -> set[int]:
        return set(conn.execute(sa.select(legal_hold.c.record_id).where(legal_hold.c.object == object_name)).scalars())

    def set(self, object_name: str, record_id: int, *, reason: str = "", actor_id: int | None = None) -> Hold:
        """Place a hold (idempotent: a second call updates the reason)."""
        with write_transaction(self.engine) as conn:
            if self.get(object_name, record_id, conn) is None:
                conn.execute(legal_hold.insert().values(object=object_name, record_id=record_id, reason=reason,
                                                        set_by=actor_id, set_at=utcnow()))
            else:
                conn.execute(sa.update(legal_hold).where(legal_hold.c.object == object_name,
                                                         legal_hold.c.record_id == record_id).values(reason=reason))
            hold = self.get(object_name, record_id, conn)
        assert hold is not None
        return hold

    def clear(self, object_name: str, record_id: int) -> bool:
        with write_transaction(self.engine) as conn:
            done = conn.execute(sa.delete(legal_hold).where(legal_hold.c.object == object_name,
                                                            legal_hold.c.record_id == record_id))
        return bool(done.rowcount)

    def require_free(self, label: str, object_name: str, record_id: int, action: str,
                     conn: Connection | None = None) -> None:
        hold = self.get(object_name, record_id, conn)
        if hold is not None:
            raise refusal(label, object_name, record_id, action, hold)

    def authorize(self, request: AccessRequest) -> None:
        """The record-path hook: delete and purge of a held record are refused (409)."""
        if request.action not in GUARDED or request.record is None or "id" not in request.record:
            return
        verb = "deleted" if request.action == "delete" else "purged"
        self.require_free(request.obj.definition.label, request.obj.name, int(request.record["id"]), verb)
