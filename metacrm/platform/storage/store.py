"""Persistence of metadata versions and archives (MetaCRM's own tables)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .platform_tables import archive, meta_version


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class VersionInfo:
    id: int
    created_at: dt.datetime
    author: str
    reason: str
    kind: str
    restored_from: int | None
    diff: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        created = self.created_at if self.created_at.tzinfo else self.created_at.replace(tzinfo=dt.timezone.utc)
        return {"version": self.id, "created_at": created.isoformat(), "author": self.author,
                "reason": self.reason, "kind": self.kind, "restored_from": self.restored_from, "diff": self.diff}


def head_version(conn: Connection) -> int:
    """The current metadata version (0 before anything was applied). One indexed read."""
    return conn.execute(sa.select(sa.func.max(meta_version.c.id))).scalar() or 0


def load_snapshot(conn: Connection, version: int) -> dict[str, Any] | None:
    if version == 0:
        return {"objects": []}
    return conn.execute(sa.select(meta_version.c.snapshot).where(meta_version.c.id == version)).scalar()


def insert_version(conn: Connection, *, version: int, author: str, reason: str, kind: str,
                   diff: list[dict[str, Any]], snapshot: dict[str, Any], restored_from: int | None = None) -> None:
    """Insert with an explicit id: two concurrent applies from one base collide on the key."""
    conn.execute(meta_version.insert().values(
        id=version, created_at=utcnow(), author=author, reason=reason, kind=kind,
        restored_from=restored_from, diff=diff, snapshot=snapshot,
    ))


def diffs_after(conn: Connection, version: int) -> list[list[dict[str, Any]]]:
    """The operations of every version newer than ``version``, oldest first (for rollbacks)."""
    query = sa.select(meta_version.c.diff).where(meta_version.c.id > version).order_by(meta_version.c.id)
    return list(conn.execute(query).scalars())


def history(conn: Connection, limit: int = 100) -> list[VersionInfo]:
    cols = [meta_version.c[c] for c in ("id", "created_at", "author", "reason", "kind", "restored_from", "diff")]
    rows = conn.execute(sa.select(*cols).order_by(meta_version.c.id.desc()).limit(limit)).all()
    return [VersionInfo(*row) for row in rows]


@dataclass(frozen=True)
class ArchiveEntry:
    id: int
    object: str
    field: str | None
    physical_table: str
    physical_columns: list[list[str]]
    definition: dict[str, Any]
    archived_in_version: int
    state: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "object": self.object, "field": self.field, "table": self.physical_table,
                "columns": [c[0] for c in self.physical_columns], "archived_in_version": self.archived_in_version,
                "state": self.state}


def record_archive(conn: Connection, *, obj: str, field: str | None, table: str,
                   columns: list[tuple[str, str]], definition: dict[str, Any], version: int) -> None:
    conn.execute(archive.insert().values(
        object=obj, field=field, physical_table=table, physical_columns=[list(c) for c in columns],
        definition=definition, archived_in_version=version, archived_at=utcnow(), state="archived",
    ))


def archives(conn: Connection, *, state: str | None = "archived") -> list[ArchiveEntry]:
    query = sa.select(*[archive.c[c] for c in ("id", "object", "field", "physical_table", "physical_columns",
                                                "definition", "archived_in_version", "state")])
    if state:
        query = query.where(archive.c.state == state)
    return [ArchiveEntry(*row) for row in conn.execute(query.order_by(archive.c.id.desc())).all()]


def latest_archive(conn: Connection, obj: str, field: str | None) -> ArchiveEntry | None:
    for entry in archives(conn):
        if entry.object == obj and entry.field == field:
            return entry
    return None


def set_archive_state(conn: Connection, archive_id: int, state: str) -> None:
    conn.execute(archive.update().where(archive.c.id == archive_id).values(state=state))
