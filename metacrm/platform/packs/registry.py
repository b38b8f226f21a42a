"""The registry of installed packs and the external-id map of their demo records.

Both are platform tables (migration 0006). The registry keeps each pack's
manifest and its *layer* (canonical definitions of the installed version):
the base an upgrade's three-way merge starts from, since the live bundle
already mixes the pack with the admin's changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..storage.platform_tables import pack, pack_record
from ..storage.store import utcnow


@dataclass(frozen=True)
class InstalledPack:
    name: str
    version: str
    label: str
    manifest: dict[str, Any]
    definitions: dict[str, Any]
    source: str
    meta_version: int | None
    installed_at: datetime
    installed_by: str
    upgraded_at: datetime | None
    demo_loaded_at: datetime | None

    @property
    def requires(self) -> dict[str, str]:
        return dict(self.manifest.get("requires") or {})

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "label": self.label,
                "description": self.manifest.get("description", ""), "requires": self.requires,
                "source": self.source, "meta_version": self.meta_version,
                "installed_at": self.installed_at.isoformat(), "installed_by": self.installed_by,
                "upgraded_at": self.upgraded_at.isoformat() if self.upgraded_at else None,
                "demo_loaded": self.demo_loaded_at is not None}


def _row(row: Any) -> InstalledPack:
    return InstalledPack(**{k: row[k] for k in InstalledPack.__dataclass_fields__})


def installed(conn: Connection) -> list[InstalledPack]:
    return [_row(r) for r in conn.execute(sa.select(pack).order_by(pack.c.name)).mappings()]


def get(conn: Connection, name: str) -> InstalledPack | None:
    row = conn.execute(sa.select(pack).where(pack.c.name == name)).mappings().first()
    return _row(row) if row else None


def save(conn: Connection, *, manifest: dict[str, Any], definitions: dict[str, Any], source: str,
         meta_version: int | None, author: str) -> None:
    """Record an install or an upgrade (one row per pack)."""
    now = utcnow()
    values = {"version": manifest["version"], "label": manifest["label"], "manifest": manifest,
              "definitions": definitions, "source": source, "meta_version": meta_version}
    if get(conn, manifest["name"]) is None:
        conn.execute(pack.insert().values(name=manifest["name"], installed_at=now, installed_by=author, **values))
    else:
        conn.execute(pack.update().where(pack.c.name == manifest["name"]).values(upgraded_at=now, **values))


def mark_demo_loaded(conn: Connection, name: str) -> None:
    conn.execute(pack.update().where(pack.c.name == name).values(demo_loaded_at=utcnow()))


def remove(conn: Connection, name: str, objects: Iterable[str]) -> None:
    """Forget a pack, and its demo ids in the objects that went with it (their tables are archived)."""
    conn.execute(pack.delete().where(pack.c.name == name))
    names = list(objects)
    if names:
        conn.execute(pack_record.delete().where(pack_record.c.pack == name, pack_record.c.object.in_(names)))


def forget_objects(conn: Connection, objects: Iterable[str]) -> None:
    """Drop every pack's demo ids in objects that no longer exist (a later object of that name is new)."""
    names = list(objects)
    if names:
        conn.execute(pack_record.delete().where(pack_record.c.object.in_(names)))


def record_ids(conn: Connection, pack_name: str, object_name: str) -> dict[str, int]:
    """External id → record id for one pack's demo records of one object."""
    rows = conn.execute(sa.select(pack_record.c.external_id, pack_record.c.record_id)
                        .where(pack_record.c.pack == pack_name, pack_record.c.object == object_name))
    return {ext: rid for ext, rid in rows}


def map_records(conn: Connection, pack_name: str, object_name: str, pairs: list[tuple[str, int]]) -> None:
    if pairs:
        now = utcnow()
        conn.execute(pack_record.insert(), [{"pack": pack_name, "object": object_name, "external_id": ext,
                                             "record_id": rid, "created_at": now} for ext, rid in pairs])
