"""``metacrm restore FILE --yes``: a backup into an EMPTY database, ids and all.

Steps, each refusing with a sentence rather than half-restoring: read and
check the manifest (format, checksums, migration revisions this code knows);
refuse a database holding any MetaCRM data; run the platform migrations;
insert the platform tables in foreign-key order; create the object tables of
the backed-up metadata version through the same operation handlers a
metadata apply runs (so the tables, indexes and constraints are the ones the
platform would have made); insert the records; add the foreign keys last (a
self-lookup may point forward); move PostgreSQL's id sequences past the
restored ids. All of it runs in one transaction, so a failure leaves the
database empty again.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from metacrm.metadata.loader import bundle_from_snapshot

from ..errors import Conflict, Unprocessable
from ..runtime import Platform
from ..storage import store
from ..storage.migrate_platform import alembic_config, upgrade_platform
from ..storage.operations import OPERATION_HANDLERS, ApplyContext
from ..storage.planner import make_plan
from ..storage.platform_tables import platform_metadata
from .codec import decode_row, decoder
from .tables import EXCLUDED
from .write import FORMAT, FORMAT_VERSION

BATCH = 500


class RestoreRefused(Conflict):
    type_slug = "restore-refused"


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise Unprocessable("this file is not a MetaCRM backup (it has no readable manifest.json)") from None
    if manifest.get("format") != FORMAT:
        raise Unprocessable("this file is not a MetaCRM backup (manifest format is not metacrm-backup)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise Unprocessable(f"backup format version {manifest.get('format_version')} is not supported "
                            f"(this MetaCRM reads version {FORMAT_VERSION})")
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    unknown = sorted(set(manifest.get("platform_revisions", [])) - known)
    if unknown:
        raise Unprocessable(f"the backup was made by a newer MetaCRM (platform migrations {', '.join(unknown)} "
                            "are unknown here); upgrade MetaCRM first")
    return manifest


def verify(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every member's checksum, before anything is written."""
    for member, expected in manifest["sha256"].items():
        digest = hashlib.sha256()
        with archive.open(member) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            raise Unprocessable(f"the backup is damaged: {member} does not match its checksum")


def require_empty(conn: Connection) -> None:
    """Refuse a database with MetaCRM data: a restore never merges into or overwrites a tenant."""
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    objects = sorted(t for t in present if t.startswith("obj_"))
    if objects:
        raise RestoreRefused(f"the database is not empty (it has object tables such as {objects[0]}); "
                             "restore only into an empty database")
    for table in platform_metadata.sorted_tables:
        if table.name in present and table.name not in EXCLUDED and \
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            raise RestoreRefused(f"the database is not empty ({table.name} has rows); "
                                 "restore only into an empty database")


def _lines(archive: zipfile.ZipFile, member: str) -> Iterator[dict[str, Any]]:
    with archive.open(member) as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _insert(conn: Connection, archive: zipfile.ZipFile, member: str, table: sa.Table) -> int:
    decoders = {c.name: decoder(c) for c in table.c}
    batch, total = [], 0
    for row in _lines(archive, member):
        batch.append(decode_row(table, row, decoders))
        if len(batch) >= BATCH:
            total += _flush(conn, table, batch)
    return total + _flush(conn, table, batch)


def _flush(conn: Connection, table: sa.Table, batch: list[dict[str, Any]]) -> int:
    if not batch:
        return 0
    columns = dict.fromkeys(k for row in batch for k in row)
    conn.execute(table.insert(), [{k: row.get(k) for k in columns} for row in batch])
    count = len(batch)
    batch.clear()
    return count


def _reset_sequences(conn: Connection, tables: list[sa.Table]) -> None:
    """PostgreSQL: the next generated id follows the largest restored one (explicit ids skip the sequence)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not table.c.id.autoincrement or not table.c.id.primary_key:
            continue
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
        if sequence:
            conn.execute(sa.text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX(id) FROM "
                                 f'"{table.name}"), 0) + 1, false)'))


def restore_backup(platform: Platform, path: Path) -> dict[str, Any]:
    """Restore ``path`` into the platform's (empty) database; returns the manifest."""
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive)
        verify(archive, manifest)
        with platform.engine.connect() as conn:
            require_empty(conn)
        upgrade_platform(platform.engine)
        with platform.engine.begin() as conn:
            require_empty(conn)
            restored = []
            for table in platform_metadata.sorted_tables:
                member = f"platform/{table.name}.jsonl"
                if member in manifest["counts"]:
                    _insert(conn, archive, member, table)
                    restored.append(table)
            head = store.head_version(conn)
            snapshot = store.load_snapshot(conn, head) if head else {"objects": []}
            empty = bundle_from_snapshot({"objects": []})
            plan = make_plan(conn, empty, 0, bundle_from_snapshot(snapshot or {"objects": []}))
            ctx = ApplyContext(conn, Operations(MigrationContext.configure(conn)), head, False)
            for op in plan.operations:
                if op.kind in OPERATION_HANDLERS:
                    OPERATION_HANDLERS[op.kind](ctx, op)
            live = platform.schema.build(conn, head)
            for name in sorted(live.compiled.objects):
                member = f"objects/{name}.jsonl"
                if member in manifest["counts"]:
                    _insert(conn, archive, member, live.tables[name])
            for step in ctx.deferred:  # foreign keys once every row is in
                step()
            _reset_sequences(conn, restored + [live.tables[n] for n in live.compiled.objects])
            _check_counts(conn, manifest, restored, live)
    platform.schema.invalidate()
    return manifest


def _check_counts(conn: Connection, manifest: dict[str, Any], restored: list[sa.Table], live: Any) -> None:
    found = {f"platform/{t.name}.jsonl": t for t in restored}
    found.update({f"objects/{n}.jsonl": live.tables[n] for n in live.compiled.objects})
    for member, expected in manifest["counts"].items():
        table = found.get(member)
        actual = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() if table is not None else 0
        if actual != expected:
            raise Unprocessable(f"restore stopped: {member} holds {expected} rows in the backup but {actual} "
                                "were written; nothing was restored")
