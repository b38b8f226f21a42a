"""``metacrm export``, ``backup``, ``restore`` and ``retention run`` from the command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any, Callable

from tests.test_cli import Run, metacrm, ready, write  # noqa: F401  (the CLI fixtures)

PEOPLE = {"objects": [{"name": "person", "personal_data": True, "name_field": "last_name",
                       "retention": {"after_years": 2, "action": "anonymise", "inactivity_field": "last_seen"},
                       "fields": [{"name": "last_name", "type": "text", "required": True},
                                  {"name": "email", "type": "email"},
                                  {"name": "last_seen", "type": "date"}]}]}


def _people(ready: Run, write: Callable[[Any], str]) -> None:
    assert ready("metadata", "apply", write(PEOPLE)).exit_code == 0
    rows = [{"last_name": "Old", "email": "old@example.com", "last_seen": "2001-01-01"},
            {"last_name": "New", "email": "new@example.com", "last_seen": "2099-01-01"}]
    from flask import current_app  # noqa: F401

    from metacrm.platform.records.actor import SYSTEM
    from metacrm.platform.runtime import Platform
    import os

    p = Platform.from_url(os.environ["METACRM_DATABASE_URL"])
    p.records.bulk_create(SYSTEM, "person", rows)
    p.engine.dispose()


def test_export_writes_json_lines_csv_or_xlsx_to_stdout_or_a_file(ready: Run, write: Any, tmp_path: Path) -> None:
    _people(ready, write)
    out = ready("export", "person")
    assert out.exit_code == 0, out.output
    assert [json.loads(line)["last_name"] for line in out.output.splitlines()] == ["Old", "New"]
    assert "last_name" in ready("export", "person", "--format", "csv").output.splitlines()[0]
    target = tmp_path / "people.xlsx"
    assert ready("export", "person", "--format", "xlsx", "--out", str(target)).exit_code == 0
    assert target.read_bytes()[:2] == b"PK"
    bad = ready("export", "person", "--format", "pdf")
    assert bad.exit_code != 0 and "known formats" in bad.output


def test_retention_dry_run_lists_and_run_anonymises(ready: Run, write: Any) -> None:
    _people(ready, write)
    dry = ready("retention", "run", "--dry-run")
    assert dry.exit_code == 0 and "person: 1 would be anonymised" in dry.output
    assert "Old" in ready("export", "person").output  # nothing changed
    done = ready("retention", "run")
    assert "person: 1 anonymised" in done.output
    records = [json.loads(line) for line in ready("export", "person").output.splitlines()]
    assert records[0]["last_name"] == f"Erased person #{records[0]['id']}" and records[0]["email"] is None
    assert records[1]["last_name"] == "New"


def test_backup_writes_a_private_file(ready: Run, write: Any, tmp_path: Path) -> None:
    _people(ready, write)
    target = tmp_path / "tenant.zip"
    result = ready("backup", str(target))
    assert result.exit_code == 0 and "Backed up" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    refused = ready("restore", str(target), "--yes")  # this database is not empty
    assert refused.exit_code == 1 and "not empty" in refused.output
