"""``metacrm role ...``: list and show the metadata's roles, grant and revoke them (logged)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from metacrm.platform.runtime import Platform
from metacrm.platform.storage.platform_tables import security_log
from tests.conftest import ADMIN_EMAIL
from tests.test_cli import Run, metacrm, ready, write  # noqa: F401  (the CLI fixtures)
from tests.test_cli_users import EMAIL, PASSWORD

BUNDLE = {
    "objects": [{"name": "patient", "fields": [{"name": "name", "type": "text"},
                                               {"name": "ssn", "type": "text", "mask": {"show_last": 4}},
                                               {"name": "notes", "type": "long_text"}]}],
    "roles": [{"name": "nurse", "label": "Nurse", "objects": {"patient": {"read": True, "update": True}},
               "fields": {"patient": {"ssn": "masked", "notes": "hidden"}}},
              {"name": "billing", "objects": {"patient": {"read": True}}}],
}


def setup(ready: Run, write: Any) -> None:
    assert ready("metadata", "apply", write(BUNDLE)).exit_code == 0
    assert ready("user", "create", "--email", EMAIL, "--password", PASSWORD, "--role", "nurse").exit_code == 0


def permission_changes(database_url: str) -> list[Any]:
    platform = Platform.from_url(database_url)
    try:
        with platform.engine.connect() as conn:
            return conn.execute(sa.select(security_log).where(security_log.c.event == "permission_changed")
                                .order_by(security_log.c.id)).all()
    finally:
        platform.engine.dispose()


def test_role_list_counts_active_holders(ready: Run, write: Any) -> None:
    setup(ready, write)
    lines = ready("role", "list").output.splitlines()
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["admin"][-1] == "1" and rows["nurse"][-1] == "1" and rows["billing"][-1] == "0"
    assert "Nurse" in rows["nurse"] and "admin" in rows["nurse"]  # label and owner


def test_role_show_prints_object_and_field_permissions(ready: Run, write: Any) -> None:
    setup(ready, write)
    out = ready("role", "show", "nurse").output
    patient = next(line for line in out.splitlines() if line.startswith("patient "))
    assert patient.split()[1:5] == ["-", "yes", "yes", "-"]  # C R U D
    assert "patient.ssn" in out and "masked (shows last 4 characters)" in out
    assert "patient.notes" in out and "hidden" in out
    missing = ready("role", "show", "nurze")
    assert missing.exit_code == 1 and 'did you mean "nurse"' in missing.output


def test_grant_and_revoke_are_checked_and_logged(ready: Run, write: Any, database_url: str) -> None:
    setup(ready, write)
    granted = ready("role", "grant", EMAIL, "billing")
    assert granted.exit_code == 0 and "billing, nurse" in granted.output
    typo = ready("role", "grant", EMAIL, "biling")
    assert typo.exit_code == 1 and 'did you mean "billing"' in typo.output
    revoked = ready("role", "revoke", EMAIL, "nurse")
    assert revoked.exit_code == 0 and "now holds: billing." in revoked.output
    not_held = ready("role", "revoke", EMAIL, "nurse")
    assert not_held.exit_code == 1 and "does not hold the role nurse" in not_held.output
    details = [(row.subject, row.detail) for row in permission_changes(database_url)]
    assert details == [(EMAIL, {"granted": ["billing"], "revoked": []}),
                       (EMAIL, {"granted": [], "revoked": ["nurse"]})]


def test_admin_is_the_built_in_role_and_the_last_admin_stays(ready: Run, write: Any) -> None:
    setup(ready, write)
    assert ready("role", "grant", EMAIL, "admin").exit_code == 0
    assert "admin" in ready("user", "list").output.splitlines()[1]
    assert ready("role", "revoke", EMAIL, "admin").exit_code == 0
    last = ready("role", "revoke", ADMIN_EMAIL, "admin")
    assert last.exit_code == 1 and "last active administrator" in last.output
    assert "built in" in ready("role", "show", "admin").output


def test_user_create_refuses_an_undefined_role(ready: Run, write: Any) -> None:
    setup(ready, write)
    result = ready("user", "create", "--email", "x@example.com", "--password", PASSWORD, "--role", "nurce")
    assert result.exit_code == 1
    assert 'Unknown role: nurce — did you mean "nurse"?' in result.output
    assert "x@example.com" not in ready("user", "list").output
