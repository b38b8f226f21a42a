"""Configuration comes from METACRM_* environment variables, with defaults that work out of the box."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from metacrm.app import create_app
from metacrm.config import load_config

VARIABLES = ("METACRM_DATABASE_URL", "METACRM_SECRET_KEY", "METACRM_REDIS_URL", "METACRM_INSTANCE_PATH",
             "METACRM_MAX_BODY_BYTES")


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No METACRM_* variable set (the suite's own database URL included), working in an empty folder."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_by_default_everything_lives_in_the_instance_folder(tmp_path: Path) -> None:
    config = load_config()
    instance = tmp_path / "instance"
    assert config["INSTANCE_PATH"] == str(instance)
    assert config["DATABASE_URL"] == f"sqlite:///{instance / 'metacrm.db'}"
    assert instance.is_dir()  # ready for SQLite to create its file in


def test_by_default_there_is_no_redis_and_bodies_up_to_ten_megabytes() -> None:
    config = load_config()
    assert config["REDIS_URL"] is None
    assert config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


def test_the_instance_folder_can_be_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METACRM_INSTANCE_PATH", str(tmp_path / "data" / "crm"))
    config = load_config()
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'data' / 'crm' / 'metacrm.db'}"
    assert (tmp_path / "data" / "crm" / "secret_key").is_file()


def test_a_relative_instance_folder_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METACRM_INSTANCE_PATH", "var")
    assert load_config()["INSTANCE_PATH"] == str(tmp_path / "var")


def test_environment_variables_override_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METACRM_DATABASE_URL", "postgresql+psycopg://crm@db.example/crm")
    monkeypatch.setenv("METACRM_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("METACRM_REDIS_URL", "redis://cache.example:6379/0")
    monkeypatch.setenv("METACRM_MAX_BODY_BYTES", "2048")
    config = load_config()
    assert config["DATABASE_URL"] == "postgresql+psycopg://crm@db.example/crm"
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["REDIS_URL"] == "redis://cache.example:6379/0"
    assert config["MAX_CONTENT_LENGTH"] == 2048


def test_empty_variables_count_as_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("METACRM_DATABASE_URL", "METACRM_SECRET_KEY", "METACRM_REDIS_URL"):
        monkeypatch.setenv(name, "")
    config = load_config()
    assert config["DATABASE_URL"].startswith("sqlite:///")
    assert config["SECRET_KEY"]
    assert config["REDIS_URL"] is None


def test_the_folder_of_a_sqlite_database_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METACRM_DATABASE_URL", f"sqlite:///{tmp_path / 'db' / 'crm.sqlite'}")
    load_config()
    assert (tmp_path / "db").is_dir()


def test_a_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = load_config()["SECRET_KEY"]
    assert len(first) >= 64
    assert load_config()["SECRET_KEY"] == first
    assert (tmp_path / "instance" / "secret_key").read_text().strip() == first


def test_each_installation_gets_its_own_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = set()
    for name in ("one", "two"):
        monkeypatch.setenv("METACRM_INSTANCE_PATH", str(tmp_path / name))
        keys.add(load_config()["SECRET_KEY"])
    assert len(keys) == 2


def test_the_generated_secret_key_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    previous = os.umask(0)  # even where new files would be world-readable by default
    try:
        load_config()
    finally:
        os.umask(previous)
    mode = stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_a_secret_key_written_by_hand_is_used_as_is(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("chosen-by-the-operator\n")
    assert load_config()["SECRET_KEY"] == "chosen-by-the-operator"


def test_a_secret_key_from_the_environment_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METACRM_SECRET_KEY", "from-the-environment")
    load_config()
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_workers_starting_together_on_a_fresh_instance_share_one_complete_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for attempt in range(20):  # a race: a single attempt could pass by luck
        monkeypatch.setenv("METACRM_INSTANCE_PATH", str(tmp_path / f"fresh{attempt}"))
        start = threading.Barrier(8)
        keys: list[str] = []

        def worker() -> None:
            start.wait()
            keys.append(load_config()["SECRET_KEY"])

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(keys) == 8 and len(set(keys)) == 1 and keys[0], keys
        assert sorted(p.name for p in (tmp_path / f"fresh{attempt}").iterdir()) == ["secret_key"]


@pytest.fixture
def app_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("METACRM_MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("METACRM_SECRET_KEY", "from-the-environment")
    app = create_app({"SECRET_KEY": "from-the-test"})
    yield app
    app.extensions["metacrm"].engine.dispose()


def test_the_app_reads_the_environment_and_test_config_wins(app_from_environment: Any, tmp_path: Path) -> None:
    config = app_from_environment.config
    assert config["MAX_CONTENT_LENGTH"] == 4096
    assert config["SECRET_KEY"] == "from-the-test"
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'metacrm.db'}"
