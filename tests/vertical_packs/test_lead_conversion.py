"""Lead conversion (domain brief 1.3): a lead becomes an account, a contact and an opportunity in one
transaction, reusing what exists, as the user converting it; the lead stays, linked and read-only."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.conversions import ConversionRequest, ConversionService
from metacrm.platform.errors import Forbidden, Unprocessable
from metacrm.platform.records import Actor
from metacrm.platform.records.errors import RecordInvalid
from metacrm.platform.runtime import Platform

from .conftest import make_user

ADA = {"salutation": "Ms.", "first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines",
       "email": "ada@example.com", "phone": "+44 20 7946 0000", "industry": "Technology", "city": "London",
       "lead_source": "Web", "rating": "Hot", "title": "Analyst"}


def convert(crm: Platform, actor: Actor, lead_id: int, **options: Any) -> Any:
    return ConversionService(crm.records).convert(actor, "lead", lead_id, "convert", ConversionRequest(**options))


def test_a_lead_becomes_an_account_a_contact_and_an_opportunity_with_its_fields_mapped(
        crm: Platform, rep: Actor) -> None:
    records = crm.records
    lead = records.create(rep, "lead", ADA)
    [call] = records.reader.list(rep, "activity", {}).records  # the new-lead workflow's first call
    assert call["who"] == {"object": "lead", "id": lead["id"]}
    result = convert(crm, rep, lead["id"])
    ids = {key: t.id for key, t in result.targets.items()}
    assert all(t.created for t in result.targets.values()) and result.status == "Closed - Converted"
    account = records.get(rep, "account", ids["account"])
    assert (account["name"], account["industry"], account["billing_city"], account["type"], account["owner"]) == \
        ("Analytical Engines", "Technology", "London", "Prospect", rep.id)  # the converting user owns them
    contact = records.get(rep, "contact", ids["contact"])
    assert (contact["first_name"], contact["last_name"], contact["email"], contact["title"], contact["account"],
            contact["lead_source"]) == ("Ada", "Lovelace", "ada@example.com", "Analyst", ids["account"], "Web")
    opportunity = records.get(rep, "opportunity", ids["opportunity"])
    assert (opportunity["name"], opportunity["account"], opportunity["stage"], opportunity["probability"],
            opportunity["forecast_category"]) == ("Analytical Engines - New Business", ids["account"],
                                                  "Prospecting", 10, "Pipeline")
    converted = records.get(rep, "lead", lead["id"])
    assert (converted["is_converted"], converted["status"], converted["converted_account"],
            converted["converted_contact"], converted["converted_opportunity"]) == \
        (True, "Closed - Converted", ids["account"], ids["contact"], ids["opportunity"])
    assert converted["converted_date"] is not None and converted["updated_by"] == rep.id
    # The lead's activities now belong to the contact.
    assert records.get(rep, "activity", call["id"])["who"] == {"object": "contact", "id": ids["contact"]}
    assert result.reparented == {"activity": 1, "campaign_member": 0}


def test_a_converted_lead_is_locked_and_cannot_be_converted_again(crm: Platform, rep: Actor) -> None:
    lead = crm.records.create(rep, "lead", ADA)
    convert(crm, rep, lead["id"])
    with pytest.raises(RecordInvalid) as info:
        crm.records.update(rep, "lead", lead["id"], {"title": "CEO"})
    [error] = info.value.extra["errors"]
    assert error["code"] == "converted" and "was converted on" in error["message"] and "read-only" in error["message"]
    with pytest.raises(Unprocessable) as again:
        convert(crm, rep, lead["id"])
    assert "already converted" in again.value.detail


def test_an_existing_account_is_reused_by_name_and_a_contact_by_email(crm: Platform, rep: Actor) -> None:
    records = crm.records
    account = records.create(rep, "account", {"name": "ANALYTICAL ENGINES"})
    contact = records.create(rep, "contact", {"last_name": "Byron", "email": "Ada@Example.com"})
    lead = records.create(rep, "lead", ADA)
    [acc, con, opp] = ConversionService(records).preview(rep, "lead", lead["id"], "convert")
    assert [m["id"] for m in acc.matches] == [account["id"]] and acc.name == "Analytical Engines"
    assert [m["id"] for m in con.matches] == [contact["id"]] and opp.matches == [] and opp.optional
    result = convert(crm, rep, lead["id"])
    assert (result.targets["account"].id, result.targets["account"].created) == (account["id"], False)
    assert (result.targets["contact"].id, result.targets["contact"].created) == (contact["id"], False)
    assert records.get(rep, "opportunity", result.targets["opportunity"].id)["account"] == account["id"]
    assert len(records.reader.list(rep, "account", {}).records) == 1
    # The reused contact is not rewritten by the lead's values.
    assert records.get(rep, "contact", contact["id"])["last_name"] == "Byron"


def test_a_contact_is_matched_by_name_at_the_account_when_it_has_no_email(crm: Platform, rep: Actor) -> None:
    records = crm.records
    account = records.create(rep, "account", {"name": "Analytical Engines"})
    contact = records.create(rep, "contact", {"first_name": "ada", "last_name": "LOVELACE", "account": account["id"]})
    records.create(rep, "contact", {"first_name": "Ada", "last_name": "Lovelace"})  # elsewhere: not her
    lead = records.create(rep, "lead", {**ADA, "email": None})
    assert convert(crm, rep, lead["id"]).targets["contact"].id == contact["id"]


def test_the_user_may_pick_records_skip_the_opportunity_or_name_it(crm: Platform, rep: Actor) -> None:
    records = crm.records
    mine = records.create(rep, "account", {"name": "Difference Engines"})
    records.create(rep, "contact", {"last_name": "Lovelace", "email": "ada@example.com"})
    lead = records.create(rep, "lead", ADA)
    result = convert(crm, rep, lead["id"], use={"account": mine["id"], "contact": "new"}, skip=frozenset({"opportunity"}))
    assert result.targets["account"].id == mine["id"] and result.targets["contact"].created
    assert result.targets["opportunity"].skipped and result.targets["opportunity"].id is None
    assert records.reader.list(rep, "opportunity", {}).records == []
    assert records.get(rep, "lead", lead["id"])["converted_opportunity"] is None
    other = records.create(rep, "lead", {**ADA, "email": "charles@example.com", "last_name": "Babbage"})
    named = convert(crm, rep, other["id"], names={"opportunity": "Engines - 50 seats"})
    assert records.get(rep, "opportunity", named.targets["opportunity"].id)["name"] == "Engines - 50 seats"


def test_matches_the_user_cannot_read_are_not_used(crm: Platform, rep: Actor, apply: Callable[..., Any]) -> None:
    account = crm.schema.get().compiled.bundle.objects["account"].to_json()
    apply({"objects": [{**account, "sharing": "private"}]})
    other = make_user(crm, "other@example.com", "sales_rep")
    hidden = crm.records.create(other, "account", {"name": "Analytical Engines"})
    lead = crm.records.create(rep, "lead", ADA)
    result = convert(crm, rep, lead["id"])
    assert result.targets["account"].created and result.targets["account"].id != hidden["id"]
    with pytest.raises(Unprocessable) as info:  # nor may they pick it by id
        convert(crm, rep, crm.records.create(rep, "lead", {**ADA, "email": "x@example.com"})["id"],
                use={"account": hidden["id"]})
    assert info.value.extra["errors"][0]["field"] == "account_id"


def test_a_user_who_may_not_create_opportunities_gets_403_and_nothing_is_written(
        crm: Platform, apply: Callable[..., Any]) -> None:
    perms = {"create": True, "read": True, "update": True}
    apply({"objects": [], "roles": [{"name": "qualifier", "objects": {
        "lead": perms, "account": perms, "contact": perms, "opportunity": {"read": True}, "activity": perms}}]})
    make_user(crm, "rep@example.com", "sales_rep")
    qualifier = make_user(crm, "q@example.com", "qualifier")
    lead = crm.records.create(qualifier, "lead", ADA)
    with pytest.raises(Forbidden):
        convert(crm, qualifier, lead["id"])
    admin = make_user(crm, "admin2@example.com", admin=True)
    assert crm.records.reader.list(admin, "account", {}).records == []
    assert crm.records.reader.list(admin, "contact", {}).records == []
    assert crm.records.get(admin, "lead", lead["id"])["is_converted"] is False
    # Without the opportunity, the same user converts.
    assert convert(crm, qualifier, lead["id"], skip=frozenset({"opportunity"})).targets["contact"].created


def test_campaign_memberships_move_to_the_contact(crm: Platform, rep: Actor) -> None:
    admin = make_user(crm, "boss@example.com", admin=True)
    campaign = crm.records.create(admin, "campaign", {"name": "Spring webinar"})
    lead = crm.records.create(rep, "lead", ADA)
    member = crm.records.create(admin, "campaign_member", {"campaign": campaign["id"], "lead": lead["id"],
                                                           "status": "Sent"})
    result = convert(crm, rep, lead["id"])
    moved = crm.records.get(admin, "campaign_member", member["id"])
    assert (moved["lead"], moved["contact"]) == (lead["id"], result.targets["contact"].id)


def test_a_required_value_the_lead_cannot_give_is_named_with_its_target(
        crm: Platform, rep: Actor, apply: Callable[..., Any]) -> None:
    account = crm.schema.get().compiled.bundle.objects["account"].to_json()
    for f in account["fields"]:
        if f["name"] == "phone":
            f["required"] = True
    apply({"objects": [account]})
    lead = crm.records.create(rep, "lead", {**ADA, "phone": None})
    with pytest.raises(Unprocessable) as info:
        convert(crm, rep, lead["id"])
    assert [e["field"] for e in info.value.extra["errors"]] == ["account.phone"]
    assert "mapped from =phone" in info.value.extra["errors"][0]["message"]


# --- the API ---------------------------------------------------------------------------------
@pytest.fixture
def api(app: Any) -> Any:
    from metacrm.platform.packs import PackService, open_pack
    platform = app.extensions["metacrm"]
    with open_pack("base_crm") as source:
        PackService(platform.metadata, platform.records).install(source)
    make_user(platform, "rep@example.com", "sales_rep")
    make_user(platform, "mkt@example.com", "marketing")
    return app.test_client()


def _headers(email: str) -> dict[str, str]:
    from tests.conftest import ADMIN_PASSWORD, basic_auth
    return basic_auth(email, ADMIN_PASSWORD)


def test_the_convert_endpoint_answers_with_the_records_and_refuses_with_problem_details(api: Any) -> None:
    rep = _headers("rep@example.com")
    lead = api.post("/api/v1/records/lead", json=ADA, headers=rep).get_json()
    url = f"/api/v1/records/lead/{lead['id']}/convert/convert"
    bad = api.post(url, json={"do_not_create_opportunity": True, "acount_id": 3}, headers=rep)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert [e["field"] for e in bad.get_json()["errors"]] == ["acount_id"]
    assert api.post(url, json={}, headers=_headers("mkt@example.com")).status_code == 403  # no account creation
    done = api.post(url, json={"opportunity_name": "Engines deal", "converted_status": "Closed - Converted"},
                    headers=rep)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["status"] == "Closed - Converted" and body["targets"]["opportunity"]["created"]
    opp = api.get(f"/api/v1/records/opportunity/{body['targets']['opportunity']['id']}", headers=rep).get_json()
    assert opp["name"] == "Engines deal"
    again = api.post(url, json={}, headers=rep)
    assert again.status_code == 422 and again.get_json()["type"].endswith("already-converted")
    version = api.get(f"/api/v1/records/lead/{lead['id']}", headers=rep).get_json()["version"]
    edit = api.patch(f"/api/v1/records/lead/{lead['id']}", json={"title": "CEO"},
                     headers={**rep, "If-Match": f'"{version}"'})
    assert edit.status_code == 422 and "read-only" in edit.get_json()["errors"][0]["message"]
    assert api.post("/api/v1/records/lead/999/convert/convert", json={}, headers=rep).status_code == 404
    assert api.post(f"/api/v1/records/lead/{lead['id']}/convert/nope", json={}, headers=rep).status_code == 404
    spec = api.get("/api/v1/openapi.json", headers=rep).get_json()
    post = spec["paths"]["/api/v1/records/lead/{id}/convert/convert"]["post"]
    assert {"account_id", "do_not_create_opportunity", "opportunity_name", "owner_id"} <= \
        set(post["requestBody"]["content"]["application/json"]["schema"]["properties"])


def test_a_converted_leads_page_says_it_is_read_only_and_offers_no_edit(api: Any) -> None:
    from tests.conftest import ADMIN_PASSWORD
    from tests.platform.web.conftest import sign_in
    lead = api.post("/api/v1/records/lead", json=ADA, headers=_headers("rep@example.com")).get_json()
    sign_in(api, "rep@example.com", ADMIN_PASSWORD)
    page = f"/o/lead/{lead['id']}"
    assert 'id="edit-record"' in api.get(page).get_data(as_text=True)
    api.post(f"/api/v1/records/lead/{lead['id']}/convert/convert", json={}, headers=_headers("rep@example.com"))
    html = api.get(page).get_data(as_text=True)
    assert 'id="edit-record"' not in html and 'id="record-locked"' in html and "was converted on" in html
    assert api.get(f"{page}/edit").status_code == 302
