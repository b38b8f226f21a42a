"""Reading and changing objects over HTTP: plans first, destructive changes only when confirmed."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_EMAIL, fld, make_object

from .conftest import API, COMPANY, Api, assert_problem

WITHOUT_INDUSTRY = make_object("company", fld("name"))


def test_putting_a_new_object_creates_it_as_a_new_version(api: Api) -> None:
    response = api.put(COMPANY)
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"{API}/objects/company")
    body = response.get_json()
    assert body["version"]["version"] == 1
    assert body["version"]["author"] == ADMIN_EMAIL
    assert [op["kind"] for op in body["plan"]["operations"]] == ["create_object"]


def test_the_list_shows_every_object_with_the_current_version(api: Api, company: Any) -> None:
    api.put(make_object("contact", fld("email", "email")))
    listing = api.get("/objects").get_json()
    assert listing["version"] == 2
    assert [o["name"] for o in listing["data"]] == ["company", "contact"]


def test_getting_one_object_returns_its_definition_tagged_with_the_version(api: Api, company: Any) -> None:
    response = api.get("/objects/company")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"v1"'
    definition = response.get_json()
    assert definition["name"] == "company"
    assert [(f["name"], f["type"]) for f in definition["fields"]] == [("name", "text"), ("industry", "text")]


def test_an_unknown_object_is_not_found(api: Api) -> None:
    body = assert_problem(api.get("/objects/company"), 404, "not-found")
    assert '"company"' in body["detail"]
    assert_problem(api.delete("company", "?confirm=1"), 404, "not-found")


def test_a_safe_change_to_an_existing_object_is_applied_with_ok(api: Api, company: Any) -> None:
    response = api.put({**COMPANY, "fields": [*COMPANY["fields"], fld("employees", "integer")]})
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert response.get_json()["version"]["version"] == 2
    assert [f["name"] for f in api.get("/objects/company").get_json()["fields"]] == ["name", "industry", "employees"]


def test_putting_the_same_definition_again_creates_no_version(api: Api, company: Any) -> None:
    response = api.put(COMPANY)
    assert response.status_code == 200
    assert response.get_json()["version"] is None
    assert api.versions() == [1]


def test_an_invalid_definition_lists_every_error_with_its_json_path(api: Api, company: Any) -> None:
    deal = make_object("deal", fld("title"), fld("Close Date", "date"), fld("amount", "currency"),
                       fld("company", "lookup", target="compnay"))
    body = assert_problem(api.put(deal), 422, "validation-failed")
    errors = {e["path"]: e["message"] for e in body["errors"]}
    assert set(errors) == {"fields[1].name", "fields[3].target"}
    assert "lower snake case" in errors["fields[1].name"]
    assert errors["fields[3].target"] == 'object "compnay" does not exist — did you mean "company"?'


def test_an_invalid_definition_changes_nothing(api: Api, company: Any) -> None:
    api.put(make_object("deal", fld("company", "lookup", target="compnay")))
    assert api.versions() == [1]
    assert api.objects() == ["company"]


def test_the_body_may_not_name_another_object_than_the_url(api: Api) -> None:
    body = assert_problem(api.put(COMPANY, name="account"), 422, "validation-failed")
    assert [e["path"] for e in body["errors"]] == ["name"]
    assert api.versions() == []


def test_the_name_may_be_left_to_the_url(api: Api) -> None:
    response = api.put({"fields": [fld("name")]}, name="company")
    assert response.status_code == 201
    assert api.objects() == ["company"]


def test_a_dry_run_returns_the_plan_and_applies_nothing(api: Api) -> None:
    response = api.put(COMPANY, "?dry_run=1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["dry_run"] is True
    assert body["plan"]["ok"] is True and body["plan"]["destructive"] is False
    assert body["plan"]["operations"] == [{"kind": "create_object", "object": "company", "destructive": False,
                                           "summary": "create object company with 2 field(s)"}]
    assert api.versions() == []
    assert_problem(api.get("/objects/company"), 404, "not-found")


def test_a_dry_run_marks_destructive_operations(api: Api, company: Any) -> None:
    plan = api.put({**WITHOUT_INDUSTRY, "fields": [*WITHOUT_INDUSTRY["fields"], fld("phone", "phone")]},
                   "?dry_run=1").get_json()["plan"]
    assert plan["destructive"] is True
    assert [(op["kind"], op.get("field"), op["destructive"]) for op in plan["operations"]] == [
        ("add_field", "phone", False), ("remove_field", "industry", True)]
    assert api.versions() == [1]


def test_a_destructive_change_without_confirmation_is_refused_with_what_it_would_destroy(api: Api,
                                                                                         company: Any) -> None:
    body = assert_problem(api.put(WITHOUT_INDUSTRY), 409, "confirmation-required")
    assert [(op["kind"], op["field"]) for op in body["operations"]] == [("remove_field", "industry")]
    assert all(op["destructive"] for op in body["operations"])
    assert api.versions() == [1]
    assert [f["name"] for f in api.get("/objects/company").get_json()["fields"]] == ["name", "industry"]


def test_a_confirmed_destructive_change_is_applied_and_archives_the_data(api: Api, company: Any) -> None:
    response = api.put(WITHOUT_INDUSTRY, "?confirm=1")
    assert response.status_code == 200
    assert response.get_json()["version"]["version"] == 2
    assert [f["name"] for f in api.get("/objects/company").get_json()["fields"]] == ["name"]
    archived = api.get("/archives").get_json()["data"]
    assert [(a["object"], a["field"], a["archived_in_version"]) for a in archived] == [("company", "industry", 2)]


def test_deleting_an_object_needs_confirmation(api: Api, company: Any) -> None:
    body = assert_problem(api.delete("company"), 409, "confirmation-required")
    assert [op["kind"] for op in body["operations"]] == ["remove_object"]
    assert api.objects() == ["company"]


def test_a_confirmed_delete_removes_the_object_and_archives_its_table(api: Api, company: Any) -> None:
    response = api.delete("company", "?confirm=1")
    assert response.status_code == 200
    assert response.get_json()["version"]["version"] == 2
    assert api.objects() == []
    archived = api.get("/archives").get_json()["data"]
    assert [(a["object"], a["field"]) for a in archived] == [("company", None)]


def test_a_delete_can_be_previewed(api: Api, company: Any) -> None:
    plan = api.delete("company", "?dry_run=1").get_json()["plan"]
    assert plan["destructive"] is True
    assert [op["kind"] for op in plan["operations"]] == ["remove_object"]
    assert api.objects() == ["company"]


def test_a_lookup_to_an_object_another_one_needs_cannot_be_deleted_away(api: Api, company: Any) -> None:
    api.put(make_object("deal", fld("title"), fld("company", "lookup", target="company")))
    body = assert_problem(api.delete("company", "?confirm=1"), 422, "validation-failed")
    assert any("deal.company" in e["message"] for e in body["errors"])
    assert api.objects() == ["company", "deal"]


def test_a_definition_with_fractional_numbers_is_stored_as_sent(api: Api) -> None:
    response = api.put(make_object("product", fld("name"), fld("rate", "decimal", scale=2, default=1.5)))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert api.get("/objects/product").get_json()["fields"][1]["default"] == 1.5
