"""Backup → restore into an empty database → the API answers exactly as before, for every object.

The tenant is the base CRM with its demo data, plus what a plain install lacks:
a record in the recycle bin, an uploaded file attached to nothing, a user with
a role, a share and a legal hold. Restoring refuses a database that is not
empty, and a damaged or foreign file.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.app import create_app
from metacrm.cli_packs import install_defaults
from metacrm.platform.backup import RestoreRefused, restore_backup, write_backup
from metacrm.platform.errors import Unprocessable
from metacrm.platform.jobs.delivery import ManualDelivery
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth


GETS_PER_OBJECT = 5


def _app(url: str, tmp_path: Path, name: str) -> Any:
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "test-secret", "TESTING": True, "PLUGINS": False,
                       "AUTO_MIGRATE": False})


@pytest.fixture
def tenant(platform: Platform) -> Platform:
    platform.jobs.delivery = ManualDelivery()  # the demo's jobs stay pending (and go into the backup)
    install_defaults(platform, demo=True)
    platform.users.create(ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True)
    platform.users.create("rep@example.com", "a long enough passphrase", roles=["sales_rep"])
    account = platform.records.create(SYSTEM, "account", {"name": "Binned Ltd"})
    platform.records.delete(SYSTEM, "account", account["id"])
    platform.files.put(SYSTEM, "dot.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    held = platform.records.reader.list(SYSTEM, "contact", {"limit": "1", "sort": "id"}).records[0]
    platform.legal_holds.set("contact", held["id"], reason="litigation 42")
    return platform


def api_snapshot(app: Any) -> dict[str, Any]:
    """Everything the API says: metadata export, then every object's list and every record's get."""
    client, headers = app.test_client(), basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD)
    seen: dict[str, Any] = {"objects": client.get("/api/v1/metadata/objects", headers=headers).get_json(),
                            "history": client.get("/api/v1/metadata/history", headers=headers).get_json()}
    platform = app.extensions["metacrm"]
    for name in sorted(platform.schema.get().compiled.objects):
        listed, cursor = [], None
        while True:
            url = f"/api/v1/records/{name}?limit=200&sort=id" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(url, headers=headers).get_json()
            listed.extend(page["data"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        seen[f"list {name}"] = listed
        seen[f"bin {name}"] = client.get(f"/api/v1/records/{name}/recycle-bin?limit=200",
                                         headers=headers).get_json()
        for record in listed[:GETS_PER_OBJECT]:  # every record is in the lists; gets of the first few
            seen[f"get {name} {record['id']}"] = client.get(f"/api/v1/records/{name}/{record['id']}",
                                                            headers=headers).get_json()
            seen[f"history {name} {record['id']}"] = client.get(f"/api/v1/records/{name}/{record['id']}/history",
                                                                headers=headers).get_json()
    seen["metadata export"] = platform.metadata.export()
    return seen


def test_backup_then_restore_into_an_empty_database_gives_identical_api_output(
        tenant: Platform, database_url: str, empty_database_url: str, tmp_path: Path) -> None:
    file = tmp_path / "tenant.zip"
    manifest = write_backup(tenant, file)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # the file is as sensitive as the database
    assert manifest["counts"]["objects/contact.jsonl"] > 0 and manifest["counts"]["platform/metacrm_file.jsonl"] == 1
    assert "metacrm_login_attempt" in manifest["excluded"]
    before = api_snapshot(_app(database_url, tmp_path, "before"))

    target = Platform.from_url(empty_database_url)
    restored = restore_backup(target, file)
    assert restored["counts"] == manifest["counts"]
    after_app = _app(empty_database_url, tmp_path, "after")
    after = api_snapshot(after_app)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key
    again = after_app.extensions["metacrm"]
    assert _table(again, "metacrm_file") == _table(tenant, "metacrm_file")  # bytes included
    assert _table(again, "metacrm_legal_hold") == _table(tenant, "metacrm_legal_hold")
    assert _table(again, "metacrm_field_history") == _table(tenant, "metacrm_field_history")
    # New records get fresh ids after the restored ones (sequences moved on PostgreSQL).
    new = again.records.create(SYSTEM, "account", {"name": "After restore"})
    assert new["id"] > max(r["id"] for r in before["list account"])
    assert again.users.authenticate("rep@example.com", "a long enough passphrase") is not None  # hashes kept


def _table(platform: Platform, name: str) -> list[tuple[Any, ...]]:
    table = sa.Table(name, sa.MetaData(), autoload_with=platform.engine)
    with platform.engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
    return [tuple(_naive(v) for v in row) for row in rows]


def _naive(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def test_restore_refuses_a_database_that_is_not_empty(tenant: Platform, tmp_path: Path) -> None:
    file = tmp_path / "tenant.zip"
    write_backup(tenant, file)
    with pytest.raises(RestoreRefused, match="not empty"):
        restore_backup(tenant, file)


def test_restore_refuses_damaged_and_foreign_files(tenant: Platform, empty_database_url: str,
                                                   tmp_path: Path) -> None:
    file = tmp_path / "tenant.zip"
    write_backup(tenant, file)
    target = Platform.from_url(empty_database_url)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(file) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data.replace(b"Binned Ltd", b"Binned Ltx") if item.filename.endswith(
                "account.jsonl") else data)
    with pytest.raises(Unprocessable, match="damaged"):
        restore_backup(target, damaged)
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(file) as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["platform_revisions"].append("9999_future")
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    with pytest.raises(Unprocessable, match="newer MetaCRM"):
        restore_backup(target, newer)
