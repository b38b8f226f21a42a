"""``metacrm pack ...`` and what ``metacrm init`` installs on a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.test_cli import Run, metacrm, ready  # noqa: F401  (fixtures)

SMALL = {"name": "small", "fields": [{"name": "name", "type": "text"}]}
BASE_CRM_VERSION = json.loads((Path(__file__).resolve().parents[1] / "metacrm" / "vertical_packs" / "base_crm"
                               / "pack.json").read_text("utf-8"))["version"]


def _pack(tmp_path: Path, version: str, objects: list[dict]) -> str:
    root = tmp_path / f"small-{version}"
    (root / "objects").mkdir(parents=True)
    (root / "pack.json").write_text(json.dumps({"name": "tiny", "label": "Tiny", "version": version}), "utf-8")
    for o in objects:
        (root / "objects" / f"{o['name']}.json").write_text(json.dumps(o), "utf-8")
    return str(root)


def test_install_list_info_upgrade_uninstall(ready: Run, tmp_path: Path) -> None:
    dry = ready("pack", "install", _pack(tmp_path, "1.0.0", [SMALL]), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "create object small" in dry.output and "Dry run" in dry.output
    done = ready("pack", "install", str(tmp_path / "small-1.0.0"))
    assert done.exit_code == 0 and "Installed tiny 1.0.0" in done.output
    listed = ready("pack", "list")
    assert "tiny" in listed.output and "base_crm" in listed.output and "available" in listed.output
    info = ready("pack", "info", "tiny")
    assert "owns object small" in info.output
    v2 = {**SMALL, "fields": [*SMALL["fields"], {"name": "code", "type": "text"}]}
    up = ready("pack", "upgrade", _pack(tmp_path, "1.1.0", [v2]))
    assert up.exit_code == 0 and "add text field small.code" in up.output and "Upgraded to tiny 1.1.0" in up.output
    gone = ready("pack", "uninstall", "tiny", "--purge")
    assert gone.exit_code == 0 and "Purged small." in gone.output and "Uninstalled tiny" in gone.output


def test_errors_are_printed_with_their_paths(ready: Run, tmp_path: Path) -> None:
    bad = _pack(tmp_path, "1.0.0", [{"name": "small", "fields": [{"name": "x", "type": "texty"}]}])
    result = ready("pack", "install", bad)
    assert result.exit_code == 1
    assert "objects/small.json: fields[0].type" in result.output
    assert ready("pack", "uninstall", "nothing").exit_code == 1
    assert "no pack" in ready("pack", "install", "nothing_here").output


def test_init_installs_base_crm_with_demo_once(metacrm: Run, monkeypatch: pytest.MonkeyPatch,
                                              database_url: str) -> None:
    monkeypatch.setenv("METACRM_INIT_PACKS", "base_crm")
    first = metacrm("init", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD)
    assert first.exit_code == 0, first.output
    assert f"Pack base_crm {BASE_CRM_VERSION} installed with 1462 demo records." in first.output
    again = metacrm("init", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD)
    assert again.exit_code == 0 and "Pack base_crm" not in again.output
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM obj_account")).scalar() == 50
    engine.dispose()


def test_init_bare_and_no_demo(metacrm: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METACRM_INIT_PACKS", "base_crm")
    bare = metacrm("init", "--bare")
    assert bare.exit_code == 0 and "Pack" not in bare.output
    assert metacrm("pack", "list").output.count("installed") == 0
    no_demo = metacrm("init", "--no-demo")
    assert no_demo.exit_code == 0 and f"Pack base_crm {BASE_CRM_VERSION} installed." in no_demo.output


def test_export_the_admins_customisations_as_a_pack(ready: Run, tmp_path: Path) -> None:
    assert ready("pack", "install", _pack(tmp_path, "1.0.0", [SMALL])).exit_code == 0
    small = {**SMALL, "fields": [*SMALL["fields"], {"name": "colour", "type": "text"}]}  # an admin's field
    note = {"name": "note", "fields": [{"name": "text", "type": "text"},
                                       {"name": "small", "type": "lookup", "target": "small"}]}
    change = tmp_path / "change.json"
    change.write_text(json.dumps({"objects": [small, note]}), "utf-8")
    assert ready("metadata", "apply", str(change), "--yes").exit_code == 0
    out = tmp_path / "notes.zip"
    result = ready("pack", "export", "notes", "--version", "1.0.0", "--label", "Notes", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "objects/note.json" in result.output and "extensions/small.json" in result.output
    assert "requires tiny >=1.0.0" in result.output and f"Exported notes 1.0.0 to {out}." in result.output
    only = ready("pack", "export", "notes", "--version", "1.0.0", "--object", "note", "--out", str(tmp_path / "n"))
    assert only.exit_code == 0 and sorted(p.name for p in (tmp_path / "n").rglob("*.json")) == ["note.json",
                                                                                               "pack.json"]
    bad = ready("pack", "export", "notes", "--version", "1.0.0", "--object", "nothing")
    assert bad.exit_code == 1 and '"nothing" is not an object' in bad.output
