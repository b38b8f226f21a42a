"""``metacrm user ...`` and ``metacrm token ...``: accounts and API tokens from the shell."""

from __future__ import annotations

from typing import Any

from flask import Flask

from metacrm.app import create_app
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth
from tests.test_cli import Run, metacrm, ready, write  # noqa: F401  (the CLI fixtures)

EMAIL = "sam@example.com"
PASSWORD = "sam's long passphrase"


def get(database_url: str, path: str, headers: dict[str, str], method: str = "GET", **kwargs: Any) -> Any:
    app: Flask = create_app({"DATABASE_URL": database_url})
    try:
        return app.test_client().open(path, method=method, headers=headers, **kwargs)
    finally:
        app.extensions["metacrm"].engine.dispose()


def created_token(ready: Run, *args: str) -> str:
    result = ready("token", "create", *args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[-1]


def define_roles(ready: Run, write: Any, *names: str) -> None:
    """Roles are metadata: apply a bundle defining them (with read access to nothing)."""
    document = write({"objects": [], "roles": [{"name": n} for n in names]})
    assert ready("metadata", "apply", document).exit_code == 0


def test_user_create_and_list(ready: Run, write: Any, database_url: str) -> None:
    define_roles(ready, write, "sales", "support")
    result = ready("user", "create", "--email", EMAIL, "--password", PASSWORD, "--name", "Sam",
                   "--role", "sales", "--role", "support")
    assert result.exit_code == 0, result.output
    assert f"Created user {EMAIL}" in result.output and "sales, support" in result.output
    lines = ready("user", "list").output.splitlines()
    assert [line.split()[1] for line in lines] == [ADMIN_EMAIL, EMAIL]
    assert "admin" in lines[0] and "sales,support" in lines[1]
    assert get(database_url, "/api/v1/metadata/objects", basic_auth(EMAIL, PASSWORD)).status_code == 200


def test_user_create_admin_and_refusals(ready: Run) -> None:
    assert ready("user", "create", "--email", EMAIL, "--password", PASSWORD, "--admin").exit_code == 0
    assert "admin" in ready("user", "list").output.splitlines()[1]
    again = ready("user", "create", "--email", EMAIL, "--password", PASSWORD)
    assert again.exit_code == 1 and "already exists" in again.output
    short = ready("user", "create", "--email", "x@example.com", "--password", "short")
    assert short.exit_code == 1 and "at least 12 characters" in short.output


def test_user_disable_stops_sign_in(ready: Run, database_url: str) -> None:
    ready("user", "create", "--email", EMAIL, "--password", PASSWORD)
    result = ready("user", "disable", EMAIL.upper())
    assert result.exit_code == 0 and f"Disabled {EMAIL}" in result.output
    assert "disabled" in ready("user", "list").output.splitlines()[1]
    assert get(database_url, "/api/v1/metadata/objects", basic_auth(EMAIL, PASSWORD)).status_code == 401
    missing = ready("user", "disable", "nobody@example.com")
    assert missing.exit_code == 1 and "no user" in missing.output
    enabled = ready("user", "enable", EMAIL)
    assert enabled.exit_code == 0 and f"Enabled {EMAIL}" in enabled.output
    assert get(database_url, "/api/v1/metadata/objects", basic_auth(EMAIL, PASSWORD)).status_code != 401


def test_user_set_password(ready: Run, database_url: str) -> None:
    ready("user", "create", "--email", EMAIL, "--password", PASSWORD)
    result = ready("user", "set-password", EMAIL, "--password", "an entirely new passphrase")
    assert result.exit_code == 0, result.output
    assert get(database_url, "/api/v1/metadata/objects", basic_auth(EMAIL, PASSWORD)).status_code == 401
    assert get(database_url, "/api/v1/metadata/objects",
               basic_auth(EMAIL, "an entirely new passphrase")).status_code == 200


def test_token_create_prints_the_token_last_and_it_works_over_http(ready: Run, database_url: str) -> None:
    token = created_token(ready, ADMIN_EMAIL, "--name", "deploy script", "--expires-days", "30")
    assert token.startswith("mcrm_") and " " not in token
    response = get(database_url, "/api/v1/metadata/objects", {"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_read_token_from_the_cli_cannot_write(ready: Run, database_url: str) -> None:
    token = created_token(ready, ADMIN_EMAIL, "--name", "reports", "--scope", "read")
    response = get(database_url, "/api/v1/metadata/objects/company", {"Authorization": f"Bearer {token}"},
                   method="PUT", json={"name": "company", "fields": [{"name": "name", "type": "text"}]})
    assert response.status_code == 403


def test_token_list_never_shows_the_secret(ready: Run) -> None:
    token = created_token(ready, ADMIN_EMAIL, "--name", "deploy script", "--scope", "read")
    result = ready("token", "list", ADMIN_EMAIL)
    assert result.exit_code == 0
    assert "deploy script" in result.output and "read" in result.output and "active" in result.output
    assert token not in result.output and token.split("_")[1] in result.output


def test_token_revoke_stops_the_token(ready: Run, database_url: str) -> None:
    token = created_token(ready, ADMIN_EMAIL, "--name", "ci")
    token_id = ready("token", "list", ADMIN_EMAIL).output.split()[0].lstrip("#")
    result = ready("token", "revoke", token_id)
    assert result.exit_code == 0 and "Revoked token" in result.output
    assert "revoked" in ready("token", "list", ADMIN_EMAIL).output
    assert get(database_url, "/api/v1/metadata/objects", {"Authorization": f"Bearer {token}"}).status_code == 401
    assert ready("token", "revoke", "999").exit_code == 1


def test_token_commands_for_an_unknown_user_or_bad_options(ready: Run) -> None:
    missing = ready("token", "create", "nobody@example.com", "--name", "x")
    assert missing.exit_code == 1 and "No user" in missing.output
    assert ready("token", "create", ADMIN_EMAIL, "--name", "x", "--scope", "admin").exit_code == 2
    assert ready("token", "create", ADMIN_EMAIL, "--name", "x", "--expires-days", "0").exit_code == 2
    assert ready("token", "list", "nobody@example.com").exit_code == 1


def test_user_commands_before_init_say_what_to_do(metacrm: Run) -> None:  # noqa: F811
    result = metacrm("user", "list")
    assert result.exit_code == 1 and "metacrm init" in result.output
    assert ADMIN_PASSWORD not in result.output
