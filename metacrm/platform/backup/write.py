"""``metacrm backup FILE``: the whole tenant in one zip, created readable by its owner only.

Layout: ``manifest.json`` (format version, platform migration revisions,
metadata version, row counts and a SHA-256 per member) and one JSON-lines file
per table under ``platform/`` and ``objects/``. Everything is read in one
transaction (a consistent snapshot on PostgreSQL; SQLite's WAL gives the same
to a read transaction), page by page, so memory stays flat.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..runtime import Platform
from ..storage import store
from .codec import encode_row
from .tables import EXCLUDED, platform_tables

FORMAT = "metacrm-backup"
FORMAT_VERSION = 1
BATCH = 1000


def platform_revisions(conn: Connection) -> list[str]:
    if not sa.inspect(conn).has_table("alembic_version"):
        return []
    return sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def _rows(conn: Connection, table: sa.Table) -> Iterator[dict[str, Any]]:
    key = list(table.primary_key.columns) or list(table.c)
    result = conn.execution_options(yield_per=BATCH).execute(sa.select(table).order_by(*key))
    for row in result.mappings():
        yield encode_row(row)


def _object_tables(platform: Platform, conn: Connection) -> list[tuple[str, sa.Table]]:
    """The object tables as the current metadata compiles them (archived columns awaiting purge are not
    in a backup: docs/data.md)."""
    live = platform.schema.get(conn)
    return [(name, live.tables[name]) for name in sorted(live.compiled.objects)]


def write_backup(platform: Platform, path: Path) -> dict[str, Any]:
    """Write the backup to ``path`` (mode 600, replaced if it exists) and return its manifest."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    counts: dict[str, int] = {}
    digests: dict[str, str] = {}
    with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            platform.engine.connect() as conn, conn.begin():
        members = [(f"platform/{t.name}.jsonl", t.name, t) for t in platform_tables(conn)]
        members += [(f"objects/{name}.jsonl", name, t) for name, t in _object_tables(platform, conn)]
        for member, key, table in members:
            digest, count = hashlib.sha256(), 0
            with archive.open(member, "w", force_zip64=True) as out:
                for row in _rows(conn, table):
                    line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                    digest.update(line)
                    out.write(line)
                    count += 1
            counts[member] = count
            digests[member] = digest.hexdigest()
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": store.utcnow().isoformat(),
            "database": conn.dialect.name,
            "platform_revisions": platform_revisions(conn),
            "metadata_version": store.head_version(conn),
            "counts": counts, "sha256": digests,
            "excluded": EXCLUDED,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


