"""``metacrm import OBJECT FILE``: a summary, the failed rows beside the file, exit code 1 if any failed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ADMIN_EMAIL, fld, make_object
from tests.test_cli import Run, metacrm, ready, write  # noqa: F401  (fixtures)

OBJECTS = {"objects": [make_object("company", fld("name", required=True), fld("code", unique=True),
                                   name_field="name"),
                       make_object("contact", fld("full_name", required=True), fld("email", "email"),
                                   fld("since", "date"), fld("company", "lookup", target="company"),
                                   name_field="full_name")]}


def _ready_objects(ready: Run, write: object) -> None:
    assert ready("metadata", "apply", write(OBJECTS)).exit_code == 0  # type: ignore[operator]


def test_import_prints_a_summary_and_writes_the_failed_rows(ready: Run, write: object, tmp_path: Path) -> None:
    _ready_objects(ready, write)
    companies = tmp_path / "companies.csv"
    companies.write_text("Name;Code\nAcme;C-1\nGlobex;C-2\n", "utf-8")
    first = ready("import", "company", str(companies))
    assert first.exit_code == 0, first.output
    assert "delimiter semicolon" in first.output and "2 created" in first.output
    people = tmp_path / "people.csv"
    people.write_text("Name,Mail,Since,Company code,Notes\nAda,ada@example.com,31.12.2020,C-2,x\n"
                      "Bob,bob@,01.01.2021,C-1,y\n", "utf-8")
    result = ready("import", "contact", str(people), "--map", "Name=full_name,Mail=email,Company code=company.code",
                   "--date-format", "%d.%m.%Y", "--as", ADMIN_EMAIL)
    assert result.exit_code == 1, result.output
    assert "Notes (not imported)" in result.output and "Since -> since" in result.output
    assert "1 created, 0 updated, 0 unchanged, 1 failed, of 2 row(s)." in result.output
    failed = (tmp_path / "people.csv.failed.csv").read_text("utf-8-sig").splitlines()
    assert failed[0] == "Name,Mail,Since,Company code,Notes,import_errors"
    assert failed[1].startswith("Bob,bob@,01.01.2021,C-1,y,line 3: email:")


def test_upsert_by_key_and_clear_errors(ready: Run, write: object, tmp_path: Path) -> None:
    _ready_objects(ready, write)
    data = tmp_path / "c.csv"
    data.write_text("name,code\nAcme,C-1\n", "utf-8")
    assert ready("import", "company", str(data)).exit_code == 0
    data.write_text("name,code\nAcme Ltd,C-1\nInitech,C-3\n", "utf-8")
    again = ready("import", "company", str(data), "--mode", "upsert", "--key", "code")
    assert again.exit_code == 0 and "1 created, 1 updated" in again.output
    broken = tmp_path / "broken.csv"
    broken.write_text('name,code\nA,"open\n', "utf-8")
    refused = ready("import", "company", str(broken))
    assert refused.exit_code == 1 and "line 2" in refused.output
    no_key = ready("import", "company", str(data), "--mode", "update")
    assert no_key.exit_code == 1 and "needs a key field" in no_key.output
