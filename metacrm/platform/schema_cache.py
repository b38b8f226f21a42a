"""The per-process cache of the compiled schema, keyed by metadata version.

Each request asks for the schema; the cache reads the head version (one
indexed query) and rebuilds only when it moved, so a change applied by one
gunicorn worker is seen by every other worker on its next request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Engine

from metacrm.metadata.compiled import CompiledSchema, compile_schema
from metacrm.metadata.loader import bundle_from_snapshot

from .storage import store
from .storage.tables import SchemaTables, build_tables


@dataclass(frozen=True)
class LiveSchema:
    compiled: CompiledSchema
    tables: SchemaTables

    @property
    def version(self) -> int:
        return self.compiled.version


class SchemaCache:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._current: LiveSchema | None = None
        self._lock = threading.Lock()
        self.builds = 0  # how many times a version was compiled (observable in tests)

    def get(self, conn: Connection | None = None) -> LiveSchema:
        if conn is None:
            with self.engine.connect() as own:
                return self.get(own)
        head = store.head_version(conn)
        current = self._current
        if current is not None and current.version == head:
            return current
        with self._lock:
            if self._current is not None and self._current.version == head:
                return self._current
            live = self.build(conn, head)
            self._current = live
            return live

    def build(self, conn: Connection, version: int) -> LiveSchema:
        snapshot = store.load_snapshot(conn, version) or {"objects": []}
        compiled = compile_schema(bundle_from_snapshot(snapshot), version)
        self.builds += 1
        return LiveSchema(compiled, build_tables(compiled))

    def invalidate(self) -> None:
        self._current = None
