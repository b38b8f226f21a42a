"""FileStore: put uploaded bytes in ``metacrm_file``, read them back, attach them, prune orphans.

An upload is stored at once and handed back as a *reference*; it belongs to
nobody's record until a record saves that reference (``attached_at`` is set
then, in the record's own transaction — see ``record_hooks``). Until that
moment only its uploader may attach it, so knowing a key is not enough to
take someone else's file. The key is 32 random bytes, so it cannot be guessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..records.actor import Actor
from ..storage.engine import write_transaction
from ..storage.store import utcnow
from . import policy
from .tables import file as file_table

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
ORPHAN_AGE = dt.timedelta(days=1)
READ_CHUNK = 1024 * 1024
META_COLUMNS = [c for c in file_table.c if c.name != "bytes"]


@dataclass(frozen=True)
class StoredFile:
    key: str
    name: str
    content_type: str
    size: int
    sha256: str
    created_by: int | None
    created_at: dt.datetime
    attached_at: dt.datetime | None

    def reference(self) -> dict[str, Any]:
        """What a record's file field stores (and the API returns for an upload)."""
        return {"key": self.key, "name": self.name, "size": self.size, "content_type": self.content_type}

    def attachable_by(self, actor: Actor) -> bool:
        """Only the uploader may attach a file nobody attached yet; the platform itself (imports,
        workflows copying a field) may attach any stored file."""
        return actor.is_system or (self.attached_at is None and self.created_by is not None
                                   and self.created_by == actor.id)


def _stored(row: Any) -> StoredFile:
    return StoredFile(row.key, row.name, row.content_type, row.size, row.sha256, row.created_by, row.created_at,
                      row.attached_at)


class FileStore:
    def __init__(self, engine: Engine, *, max_bytes: int | None = None, clock: Callable[[], dt.datetime] = utcnow):
        self.engine = engine
        self.max_bytes = policy.max_upload_bytes() if max_bytes is None else max_bytes
        self.clock = clock

    # --- writing ---------------------------------------------------------------------------
    def read_limited(self, stream: BinaryIO) -> bytes:
        """The whole upload, refused as soon as it passes the limit (never more than limit + 1 MB in memory)."""
        chunks, total = [], 0
        while True:
            chunk = stream.read(READ_CHUNK)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > self.max_bytes:
                raise self.too_large()
            chunks.append(chunk)

    def too_large(self) -> policy.FileTooLarge:
        return policy.FileTooLarge(f"the file is larger than the {self.max_bytes / 1024 / 1024:g} MB upload limit",
                                   code="too_large", limit=self.max_bytes)

    def put(self, actor: Actor, name: str, data: bytes) -> StoredFile:
        """Store ``data`` uploaded by ``actor``; the type comes from the bytes, checked against the name."""
        if len(data) > self.max_bytes:
            raise self.too_large()
        if not data:
            raise policy.FileRejected("the file is empty", code="empty")
        clean = policy.clean_name(name)
        stored = StoredFile(key=secrets.token_urlsafe(32), name=clean, content_type=policy.content_type(clean, data),
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            created_by=None if actor.is_system else actor.id, created_at=self.clock(),
                            attached_at=None)
        with write_transaction(self.engine) as conn:
            conn.execute(file_table.insert().values(**stored.__dict__, bytes=data))
        return stored

    # --- reading ---------------------------------------------------------------------------
    def info(self, key: Any, conn: Connection | None = None) -> StoredFile | None:
        """The file's description (no bytes), None for an unknown or malformed key."""
        if not isinstance(key, str) or not KEY_RE.match(key):
            return None
        query = sa.select(*META_COLUMNS).where(file_table.c.key == key)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self.engine.connect() as own:
                row = own.execute(query).first()
        return _stored(row) if row is not None else None

    def content(self, key: str) -> tuple[StoredFile, bytes] | None:
        if not isinstance(key, str) or not KEY_RE.match(key):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(file_table).where(file_table.c.key == key)).first()
        return (_stored(row), bytes(row.bytes)) if row is not None else None

    # --- attaching and pruning -------------------------------------------------------------
    def attach(self, conn: Connection, keys: list[str]) -> None:
        """Mark files as saved on a record (in the record's transaction: rolled back with it)."""
        if keys:
            conn.execute(file_table.update().where(file_table.c.key.in_(keys), file_table.c.attached_at.is_(None))
                         .values(attached_at=self.clock()))

    def prune(self, older_than: dt.timedelta = ORPHAN_AGE, *, dry_run: bool = False) -> list[StoredFile]:
        """Delete uploads no record ever saved, older than ``older_than``; returns what was (or would be) deleted."""
        cutoff = self.clock() - older_than
        where = sa.and_(file_table.c.attached_at.is_(None), file_table.c.created_at < cutoff)
        with write_transaction(self.engine) as conn:
            found = [_stored(r) for r in conn.execute(sa.select(*META_COLUMNS).where(where)
                                                      .order_by(file_table.c.created_at))]
            if found and not dry_run:
                conn.execute(file_table.delete().where(where, file_table.c.key.in_([f.key for f in found])))
        return found
