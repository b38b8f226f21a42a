"""``metacrm files prune``: orphaned uploads older than the cut-off go, attached and fresh ones stay."""

from __future__ import annotations

import datetime as dt

from metacrm.platform.files.store import FileStore
from metacrm.platform.records import SYSTEM
from metacrm.platform.runtime import Platform
from tests.test_cli import Run, metacrm, ready  # noqa: F401  (the CLI fixtures)


def test_prune_deletes_old_orphans_only(ready: Run, database_url: str) -> None:
    platform = Platform.from_url(database_url)
    try:
        old = FileStore(platform.engine, clock=lambda: dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2))
        orphan = old.put(SYSTEM, "forgotten.txt", b"never saved")
        fresh = platform.files.put(SYSTEM, "fresh.txt", b"just now")
        dry = ready("files", "prune", "--dry-run").output
        assert "forgotten.txt" in dry and "1 orphaned upload(s) would be deleted" in dry
        assert platform.files.info(orphan.key) is not None
        done = ready("files", "prune").output
        assert "1 orphaned upload(s) deleted." in done
        assert platform.files.info(orphan.key) is None and platform.files.info(fresh.key) is not None
        assert "0 orphaned" in ready("files", "prune").output
    finally:
        platform.engine.dispose()
