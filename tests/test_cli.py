"""The ``metacrm`` command: init, plan/apply with confirmation, export, history, rollback, archives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
import werkzeug.serving
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from metacrm.app import create_app
from metacrm.cli import cli
from metacrm.platform.security import users
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth, fld, make_object

COMPANY = make_object("company", fld("name"), fld("industry"))
Run = Callable[..., Result]


@pytest.fixture
def metacrm(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """metacrm("metadata", "history") runs the command as a shell would, configured by environment."""
    monkeypatch.setenv("METACRM_DATABASE_URL", database_url)
    monkeypatch.setenv("METACRM_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("METACRM_INIT_PACKS", "")  # a bare database: tests install packs themselves
    # Real argon2 with the smallest work factors: init and sign-in stay fast.
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    apps: list[Flask] = []

    def make_app() -> Flask:  # the factory the installed command uses, remembered for clean-up
        apps.append(create_app())
        return apps[-1]

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=make_app))

    yield run
    for app in apps:
        app.extensions["metacrm"].engine.dispose()


@pytest.fixture
def ready(metacrm: Run) -> Run:
    """An initialised database with the admin."""
    assert metacrm("init", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD).exit_code == 0
    return metacrm


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Any], str]:
    def _write(document: Any) -> str:
        path = tmp_path / f"doc{len(list(tmp_path.glob('doc*.json')))}.json"
        path.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
        return str(path)
    return _write


def versions(run: Run) -> list[str]:
    return [line.split()[0] for line in run("metadata", "history").output.splitlines() if line.startswith("v")]


def test_init_creates_the_database_and_an_admin_who_can_sign_in(metacrm: Run, database_url: str) -> None:
    result = metacrm("init", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    assert f"Created admin {ADMIN_EMAIL}" in result.output
    app = create_app({"DATABASE_URL": database_url})
    try:
        response = app.test_client().get("/api/v1/metadata/objects", headers=basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD))
        assert response.status_code == 200
    finally:
        app.extensions["metacrm"].engine.dispose()


def test_running_init_twice_changes_nothing(ready: Run) -> None:
    again = ready("init", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD)
    assert again.exit_code == 0, again.output
    assert f"Admin {ADMIN_EMAIL} already exists" in again.output
    assert versions(ready) == []


def test_init_refuses_an_email_without_a_password_before_touching_the_database(metacrm: Run,
                                                                               database_url: str) -> None:
    result = metacrm("init", "--admin-email", ADMIN_EMAIL)
    assert result.exit_code == 2
    assert "--admin-password is required" in result.output
    engine = sa.create_engine(database_url)
    try:
        assert not sa.inspect(engine).has_table("metacrm_meta_version")
    finally:
        engine.dispose()


def test_init_refuses_a_short_password(metacrm: Run) -> None:
    result = metacrm("init", "--admin-email", ADMIN_EMAIL, "--admin-password", "short")
    assert result.exit_code == 1
    assert "password: must be at least 12 characters" in result.output


def test_metadata_commands_before_init_say_what_to_do(metacrm: Run) -> None:
    result = metacrm("metadata", "history")
    assert result.exit_code == 1
    assert "run `metacrm init` first" in result.output
    assert "Traceback" not in result.output


def test_plan_prints_the_plan_and_applies_nothing(ready: Run, write: Callable[[Any], str]) -> None:
    result = ready("metadata", "plan", write(COMPANY))
    assert result.exit_code == 0, result.output
    assert "[safe] create object company with 2 field(s)" in result.output
    assert versions(ready) == []


def test_apply_applies_and_records_the_reason(ready: Run, write: Callable[[Any], str]) -> None:
    result = ready("metadata", "apply", write(COMPANY), "--reason", "first objects", "--author", "ops@example.com")
    assert result.exit_code == 0, result.output
    assert "Applied as version 1." in result.output
    (line, *_) = ready("metadata", "history").output.splitlines()
    assert line.startswith("v1 ") and "ops@example.com" in line and line.endswith("first objects")


def test_applying_the_same_file_again_is_already_up_to_date(ready: Run, write: Callable[[Any], str]) -> None:
    path = write(COMPANY)
    ready("metadata", "apply", path)
    result = ready("metadata", "apply", path)
    assert result.exit_code == 0
    assert "Already up to date." in result.output
    assert versions(ready) == ["v1"]


def test_a_destructive_apply_without_yes_is_refused(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    result = ready("metadata", "apply", write(make_object("company", fld("name"))))
    assert result.exit_code == 1
    assert "[DESTRUCTIVE] remove field company.industry" in result.output
    assert "confirm it to proceed" in result.stderr
    assert versions(ready) == ["v1"]


def test_a_destructive_apply_with_yes_applies_and_archives(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    result = ready("metadata", "apply", write(make_object("company", fld("name"))), "--yes")
    assert result.exit_code == 0, result.output
    assert "Applied as version 2." in result.output
    archives = ready("metadata", "archives")
    assert "company.industry  (archived in v2, table obj_company)" in archives.output


def test_an_invalid_file_prints_every_error_with_its_path(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    path = write(make_object("deal", fld("Title"), fld("company", "lookup", target="compnay")))
    for command in ("plan", "apply"):
        result = ready("metadata", command, path)
        assert result.exit_code == 1
        assert "fields[0].name: " in result.stderr
        assert 'fields[1].target: object "compnay" does not exist — did you mean "company"?' in result.stderr
    assert versions(ready) == ["v1"]


def test_a_file_that_is_not_json_says_where(ready: Run, write: Callable[[Any], str]) -> None:
    result = ready("metadata", "apply", write('{"name": "company",\n "fields": [}'))
    assert result.exit_code == 1
    assert "is not valid JSON: line 2" in result.output


def test_export_prints_the_metadata_or_one_object_as_json(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    everything = json.loads(ready("metadata", "export").output)
    assert [o["name"] for o in everything["objects"]] == ["company"]
    one = json.loads(ready("metadata", "export", "company").output)
    assert [f["name"] for f in one["fields"]] == ["name", "industry"]
    missing = ready("metadata", "export", "deal")
    assert missing.exit_code == 1
    assert 'object "deal" does not exist' in missing.output


def test_an_export_applies_back_to_nothing_to_change(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    result = ready("metadata", "plan", write(ready("metadata", "export").output))
    assert result.exit_code == 0
    assert result.output.strip() == "Nothing to change."


def test_history_lists_versions_newest_first_with_their_operations(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    ready("metadata", "apply", write(make_object("contact", fld("email", "email"))))
    output = ready("metadata", "history").output
    assert versions(ready) == ["v2", "v1"]
    assert "      create object contact with 1 field(s)" in output


def test_rollback_restores_a_version_as_a_new_one(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    ready("metadata", "apply", write(make_object("company", fld("name"))), "--yes")
    result = ready("metadata", "rollback", "1")
    assert result.exit_code == 0, result.output
    assert "Restored as version 3." in result.output
    assert [f["name"] for f in json.loads(ready("metadata", "export", "company").output)["fields"]] == [
        "name", "industry"]
    assert "rollback (restores v1)  restore version 1" in ready("metadata", "history").output


def test_a_destructive_rollback_needs_yes(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    refused = ready("metadata", "rollback", "0")
    assert refused.exit_code == 1
    assert "[DESTRUCTIVE] remove object company" in refused.output
    assert ready("metadata", "rollback", "0", "--yes").exit_code == 0
    assert json.loads(ready("metadata", "export").output)["objects"] == []


def test_rollback_to_an_unknown_version_fails(ready: Run) -> None:
    result = ready("metadata", "rollback", "9")
    assert result.exit_code == 1
    assert "metadata version 9 does not exist" in result.output


def test_purge_needs_yes_and_then_drops_the_archives(ready: Run, write: Callable[[Any], str]) -> None:
    ready("metadata", "apply", write(COMPANY))
    ready("metadata", "apply", write(make_object("company", fld("name"))), "--yes")
    assert ready("metadata", "purge", "--all").exit_code == 2
    result = ready("metadata", "purge", "--all", "--yes")
    assert result.exit_code == 0, result.output
    assert "Purged #1 (company.industry)." in result.output
    assert ready("metadata", "archives").output == ""


def test_purge_of_an_unknown_archive_fails(ready: Run) -> None:
    result = ready("metadata", "purge", "5", "--yes")
    assert result.exit_code == 1
    assert "archive 5 does not exist" in result.output


def test_serve_runs_the_app_on_the_given_address(ready: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *args, **kwargs: calls.append((*args, kwargs)))
    result = ready("serve", "--host", "0.0.0.0", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "http://0.0.0.0:8123/" in result.output
    ((host, port, app, options),) = calls
    assert (host, port) == ("0.0.0.0", 8123) and options.get("threaded") is True
    assert isinstance(app, Flask) and "metacrm" in app.extensions
