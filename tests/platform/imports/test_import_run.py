"""Running an import: every row ends created, updated, skipped or failed, with its errors."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from metacrm.platform.imports.service import ERRORS_COLUMN, ImportService, Options
from metacrm.platform.imports.tables import import_row
from metacrm.platform.records.actor import SYSTEM

CSV = (
    "Full Name,E-mail,Born,VIP,Stage,Account,Referrer ERP\n"
    "Ada Lovelace,ada@example.com,10/12/1815,yes,New lead,acme,ERP-2\n"
    "No Email,not-an-email,01/01/2000,no,won,Globex,\n"
    "Grace Hopper,grace@example.com,09/12/1906,,Customer,Nowhere Inc,\n"
    "Twin Kid,twin@example.com,,,new,Twin,\n"
    "Bad Date,bad@example.com,31/31/2000,,new,,\n"
    "Alan Turing,alan@example.com,23/06/1912,true,new,#1,ERP-1\n"
)
MAP = {"Full Name": "full_name", "E-mail": "email", "Born": "born", "VIP": "vip", "Stage": "stage",
       "Account": "account", "Referrer ERP": "referrer.erp_id"}


def _people(platform: Any) -> dict[str, dict[str, Any]]:
    table = platform.schema.get().tables["person"]
    with platform.engine.connect() as conn:
        return {r.full_name: dict(r._mapping) for r in conn.execute(sa.select(table))}


def test_an_insert_writes_the_good_rows_and_explains_every_failed_one(imports: ImportService, crm: Any) -> None:
    run_id = imports.start(SYSTEM, "person", "people.csv", CSV.encode(), Options(MAP, date_format="%d/%m/%Y"),
                           enqueue=False)
    run = imports.run(run_id, chunk=2)
    assert (run["status"], run["total"], run["processed"]) == ("done", 6, 6)
    assert (run["created"], run["failed"]) == (2, 4)
    people = _people(crm)
    assert set(people) == {"Ada Lovelace", "Alan Turing"}
    ada = people["Ada Lovelace"]
    assert str(ada["born"]) == "1815-12-10" and ada["vip"] is True and ada["stage"] == "new"
    assert ada["account"] == 1 and ada["referrer"] == 2  # by name (any case), by external id
    assert people["Alan Turing"]["account"] == 1 and people["Alan Turing"]["referrer"] == 1
    outcomes = {o.number: o for o in imports.outcomes(run_id)}
    assert [outcomes[n].action for n in range(1, 7)] == ["created", "failed", "failed", "failed", "failed", "created"]
    assert outcomes[1].record_id == ada["id"]
    assert outcomes[2].errors[0]["field"] == "email"
    assert "no Account has name \"Nowhere Inc\"" in outcomes[3].errors[0]["message"]
    assert outcomes[4].errors[0]["code"] == "lookup_ambiguous"
    assert outcomes[5].errors[0]["field"] == "born" and "%d/%m/%Y" in outcomes[5].errors[0]["message"]
    assert outcomes[3].line == 4  # the header is line 1


def test_the_failed_rows_csv_has_the_original_columns_and_the_errors(imports: ImportService) -> None:
    run_id = imports.start(SYSTEM, "person", "people.csv", CSV.encode(), Options(MAP, date_format="%d/%m/%Y"),
                           enqueue=False)
    imports.run(run_id)
    lines = imports.failed_csv(run_id).splitlines()
    assert lines[0] == "Full Name,E-mail,Born,VIP,Stage,Account,Referrer ERP," + ERRORS_COLUMN
    assert len(lines) == 5
    assert lines[1].startswith("No Email,not-an-email,01/01/2000,no,won,Globex,,line 3: email:")


def test_update_and_upsert_find_records_by_a_key_field(imports: ImportService, crm: Any) -> None:
    crm.records.create(SYSTEM, "person", {"full_name": "Old Name", "email": "ada@example.com"})
    data = "email,full_name\nada@example.com,Ada L.\nnew@example.com,Newcomer\nada@example.com,Again\n"
    mapping = {"email": "email", "full_name": "full_name"}
    update = imports.run(imports.start(SYSTEM, "person", "u.csv", data.encode(),
                                       Options(mapping, mode="update", key="email"), enqueue=False))
    assert (update["updated"], update["failed"], update["created"]) == (1, 2, 0)
    assert set(_people(crm)) == {"Ada L."}
    upsert_id = imports.start(SYSTEM, "person", "u.csv", data.encode(), Options(mapping, mode="upsert", key="email"),
                              enqueue=False)
    upsert = imports.run(upsert_id)
    assert (upsert["skipped"], upsert["created"], upsert["failed"]) == (1, 1, 1)
    assert set(_people(crm)) == {"Ada L.", "Newcomer"}
    repeated = imports.outcomes(upsert_id, action="failed")[0]
    assert repeated.number == 3 and repeated.errors[0]["code"] == "repeated_key"


def test_a_killed_run_resumes_after_its_last_committed_chunk(imports: ImportService, crm: Any) -> None:
    data = "full_name\n" + "".join(f"Person {i}\n" for i in range(10))
    run_id = imports.start(SYSTEM, "person", "p.csv", data.encode(), Options({"full_name": "full_name"}),
                           enqueue=False)
    calls = []

    def die_after_two_chunks(done: int, total: int) -> None:
        calls.append(done)
        if done == 6:
            raise KeyboardInterrupt  # the process is killed between chunks

    try:
        imports.run(run_id, chunk=3, progress=die_after_two_chunks)
    except KeyboardInterrupt:
        pass
    assert imports.get(run_id)["processed"] == 6 and imports.get(run_id)["status"] == "running"
    run = imports.run(run_id, chunk=3)
    assert (run["status"], run["processed"], run["created"]) == ("done", 10, 10)
    assert sorted(_people(crm)) == sorted(f"Person {i}" for i in range(10))  # none twice
    with crm.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_row)).scalar() == 10


def test_a_chunk_that_crashes_leaves_nothing_behind(imports: ImportService, crm: Any, monkeypatch: Any) -> None:
    data = "full_name\nA\nB\nC\nD\n"
    run_id = imports.start(SYSTEM, "person", "p.csv", data.encode(), Options({"full_name": "full_name"}),
                           enqueue=False)
    original = crm.records.bulk_create_in
    calls = {"n": 0}

    def crash_on_second(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        result = original(*args, **kwargs)
        if calls["n"] == 2:
            raise RuntimeError("power cut")  # after the records, before the outcomes: rolled back together
        return result

    monkeypatch.setattr(crm.records, "bulk_create_in", crash_on_second)
    try:
        imports.run(run_id, chunk=2)
    except RuntimeError:
        pass
    assert sorted(_people(crm)) == ["A", "B"] and imports.get(run_id)["processed"] == 2
    monkeypatch.setattr(crm.records, "bulk_create_in", original)
    assert imports.run(run_id, chunk=2)["created"] == 4
    assert sorted(_people(crm)) == ["A", "B", "C", "D"]


def test_the_job_runs_the_import(imports: ImportService, crm: Any) -> None:
    from metacrm.platform.jobs.service import Jobs

    crm.jobs = Jobs(crm, mode="manual")
    from metacrm.platform.imports.job import register_jobs

    register_jobs(crm.jobs)
    run_id = imports.start(SYSTEM, "person", "p.csv", b"full_name\nX\nY\n", Options({"full_name": "full_name"}))
    assert imports.get(run_id)["status"] == "pending"
    crm.jobs.run_pending()
    assert imports.get(run_id)["created"] == 2 and imports.get(run_id)["status"] == "done"


def test_preview_validates_through_the_record_service_and_writes_nothing(imports: ImportService, crm: Any) -> None:
    table = imports.read(CSV.encode(), "csv")
    outcomes = imports.preview(SYSTEM, "person", table, Options(MAP, date_format="%d/%m/%Y"))
    assert [o.action for o in outcomes] == ["created", "failed", "failed", "failed", "failed", "created"]
    assert _people(crm) == {}


def test_options_that_cannot_work_are_refused_before_anything_is_stored(imports: ImportService) -> None:
    import pytest

    from metacrm.platform.errors import Unprocessable

    with pytest.raises(Unprocessable) as err:
        imports.start(SYSTEM, "person", "p.csv", b"a,b\n1,2\n", Options({"a": "nope", "b": "email"}, mode="update"))
    problems = err.value.extra["problems"]
    assert any('no importable field "nope"' in p for p in problems)
    assert any("needs a key field" in p for p in problems)


def test_files_larger_than_the_attachment_limit_are_still_importable(imports: ImportService, crm: Any) -> None:
    crm.files.max_bytes = 16  # attachments stay small; an import file may be up to service.MAX_BYTES
    run_id = imports.start(SYSTEM, "person", "p.csv", b"full_name\nSomeone With A Long Name\n",
                           Options({"full_name": "full_name"}), enqueue=False)
    assert imports.run(run_id)["created"] == 1
