"""History says who changed what, when and why; rollback restores definitions and archived data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import ADMIN_EMAIL, fld, make_object
from tests.helpers import insert_rows, select_all

from .conftest import COMPANY, Api, assert_problem

WITHOUT_INDUSTRY = make_object("company", fld("name"))


def test_history_lists_versions_newest_first_with_author_reason_and_time(api: Api) -> None:
    before = dt.datetime.now(dt.timezone.utc)
    api.put(COMPANY, headers={"X-MetaCRM-Reason": "track customers"})
    api.put(make_object("contact", fld("email", "email")), headers={"X-MetaCRM-Reason": "track people"})
    versions = api.get("/history").get_json()["data"]
    assert [(v["version"], v["author"], v["reason"], v["kind"]) for v in versions] == [
        (2, ADMIN_EMAIL, "track people", "apply"), (1, ADMIN_EMAIL, "track customers", "apply")]
    for v in versions:
        created = dt.datetime.fromisoformat(v["created_at"])
        assert created.tzinfo is not None
        assert before - dt.timedelta(seconds=5) <= created <= dt.datetime.now(dt.timezone.utc)


def test_each_version_records_the_operations_it_ran(api: Api, company: Any) -> None:
    (latest,) = api.get("/history?limit=1").get_json()["data"]
    assert [(op["kind"], op["object"]) for op in latest["diff"]] == [("create_object", "company")]


def test_a_reason_may_also_come_as_a_query_parameter(api: Api) -> None:
    api.put(COMPANY, "?reason=imported%20from%20the%20old%20CRM")
    assert api.get("/history").get_json()["data"][0]["reason"] == "imported from the old CRM"


def test_history_can_be_limited(api: Api, company: Any) -> None:
    api.put(make_object("contact", fld("email", "email")))
    assert [v["version"] for v in api.get("/history?limit=1").get_json()["data"]] == [2]


def test_rolling_back_restores_the_earlier_definition_as_a_new_version(api: Api, company: Any) -> None:
    api.put({**COMPANY, "label": "Organisation", "plural_label": "Organisations"})
    response = api.rollback(1)
    assert response.status_code == 200
    version = response.get_json()["version"]
    assert (version["version"], version["kind"], version["restored_from"]) == (3, "rollback", 1)
    assert version["author"] == ADMIN_EMAIL
    assert version["reason"] == "restore version 1"
    assert api.get("/objects/company").get_json()["label"] == "Company"
    assert api.versions() == [3, 2, 1]


def test_rolling_back_a_removed_field_brings_its_data_back(app: Any, api: Api, company: Any) -> None:
    platform = app.extensions["metacrm"]
    insert_rows(platform, "company", [{"name": "Acme", "industry": "Tech"}, {"name": "Bolt", "industry": None}])
    api.put(WITHOUT_INDUSTRY, "?confirm=1")
    assert api.rollback(1).status_code == 200
    assert select_all(platform, "company", "name", "industry") == [("Acme", "Tech"), ("Bolt", None)]
    assert api.get("/archives").get_json()["data"] == []  # the archive went back into use


def test_rolling_back_a_deleted_object_brings_its_records_back(app: Any, api: Api, company: Any) -> None:
    platform = app.extensions["metacrm"]
    insert_rows(platform, "company", [{"name": "Acme", "industry": "Tech"}])
    api.delete("company", "?confirm=1")
    assert api.rollback(1).status_code == 200
    assert select_all(platform, "company", "name", "industry") == [("Acme", "Tech")]


def test_the_reason_for_a_rollback_can_be_given(api: Api, company: Any) -> None:
    api.put(WITHOUT_INDUSTRY, "?confirm=1")
    api.client.post("/api/v1/metadata/rollback/1", headers={**api.headers, "X-MetaCRM-Reason": "removed by mistake"})
    assert api.get("/history").get_json()["data"][0]["reason"] == "removed by mistake"


def test_a_rollback_can_be_previewed(api: Api, company: Any) -> None:
    body = api.rollback(0, "?dry_run=1").get_json()
    assert body["dry_run"] is True
    assert [(op["kind"], op["destructive"]) for op in body["plan"]["operations"]] == [("remove_object", True)]
    assert api.versions() == [1]


def test_a_destructive_rollback_needs_confirmation(api: Api, company: Any) -> None:
    body = assert_problem(api.rollback(0), 409, "confirmation-required")
    assert [op["kind"] for op in body["operations"]] == ["remove_object"]
    assert api.objects() == ["company"]
    assert api.rollback(0, "?confirm=1").status_code == 200
    assert api.objects() == []


def test_rolling_back_to_a_version_that_does_not_exist_is_not_found(api: Api, company: Any) -> None:
    body = assert_problem(api.rollback(7), 404, "not-found")
    assert "7" in body["detail"]
    assert api.versions() == [1]


def test_rolling_back_to_the_current_state_creates_no_version(api: Api, company: Any) -> None:
    response = api.rollback(1)
    assert response.status_code == 200
    assert response.get_json()["version"] is None
    assert api.versions() == [1]


def test_archives_list_removed_fields_with_their_columns(api: Api, company: Any) -> None:
    api.put(WITHOUT_INDUSTRY, "?confirm=1")
    (entry,) = api.get("/archives").get_json()["data"]
    assert (entry["object"], entry["field"], entry["archived_in_version"], entry["state"]) == (
        "company", "industry", 2, "archived")
    assert entry["table"] == "obj_company"
    assert len(entry["columns"]) == 1 and entry["columns"][0] != "industry"


def test_archives_are_empty_until_something_is_removed(api: Api, company: Any) -> None:
    assert api.get("/archives").get_json() == {"data": []}
