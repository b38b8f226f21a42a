"""Public forms and record page summaries as metadata: parsed, checked at their JSON paths, round-tripped,
and planned as safe metadata-only changes."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.metadata.diff import diff
from metacrm.metadata.errors import MetadataError
from metacrm.metadata.loader import load_bundle
from tests.conftest import fld, make_object

LEAD_FIELDS = [fld("last_name", required=True), fld("company"), fld("email", "email"),
               fld("source", "picklist", options=["Web", "Phone"]), fld("score", "formula", formula="1",
                                                                        result_type="integer"),
               fld("account", "lookup", target="account"), fld("cv", "file")]
FORM = {"name": "web_to_lead", "title": "Contact us", "fields": ["last_name", "company", "email"],
        "defaults": {"source": "Web"}, "owner": {"role": "sales"}, "allowed_origins": ["https://*.example.com"]}


def bundle(form: dict[str, Any] | None = None, roles: bool = True, **lead: Any) -> dict[str, Any]:
    doc = make_object("lead", *LEAD_FIELDS, **({"public_forms": [form]} if form else {}), **lead)
    account = make_object("account", fld("name", required=True))
    out: dict[str, Any] = {"objects": [account, doc]}
    if roles:
        out["roles"] = [{"name": "sales", "objects": {"lead": {"read": True}}}]
    return out


def issues(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(MetadataError) as caught:
        load_bundle(document)
    return {i.path: i.message for i in caught.value.issues}


def test_a_public_form_loads_round_trips_and_plans_as_a_safe_change() -> None:
    plain = load_bundle(bundle()).bundle
    loaded = load_bundle(bundle(FORM)).bundle
    form = loaded.objects["lead"].public_forms[0]
    assert (form.name, form.fields, dict(form.defaults), form.owner_role) == (
        "web_to_lead", ("last_name", "company", "email"), {"source": "Web"}, "sales")
    assert form.rate_limit.per_ip_per_minute == 5 and form.active
    assert load_bundle(loaded.to_json()).bundle == loaded
    ops = diff(plain, loaded)
    assert [(o.kind, o.destructive, o.summary) for o in ops] == [("update_object", False, "update lead's public forms")]


def test_schema_problems_name_their_path() -> None:
    found = issues(bundle({**FORM, "allowed_origins": ["javascript:alert(1)"], "redirect_url": "/relative",
                           "owner": "someone"}))
    assert "must be an origin" in found["objects[1].public_forms[0].allowed_origins[0]"]
    assert "absolute http(s)" in found["objects[1].public_forms[0].redirect_url"]
    assert "objects[1].public_forms[0].owner" in found


def test_fields_must_exist_and_be_fillable_by_a_visitor() -> None:
    found = issues(bundle({**FORM, "fields": ["last_name", "emial", "score", "account", "cv"]}))
    assert found["objects[1].public_forms[0].fields[1]"].startswith('field "emial" does not exist on lead')
    assert "did you mean" in found["objects[1].public_forms[0].fields[1]"]
    for k, kind in ((2, "formula"), (3, "lookup"), (4, "file")):
        assert f"is a {kind} field, which a visitor cannot fill in" in found[f"objects[1].public_forms[0].fields[{k}]"]


def test_defaults_must_be_valid_values_and_required_fields_covered() -> None:
    found = issues(bundle({**FORM, "fields": ["company"], "defaults": {"source": "Fax", "nope": 1, "score": 2}}))
    base = "objects[1].public_forms[0]"
    assert "must be one of: Web, Phone" in found[f"{base}.defaults.source"]
    assert 'field "nope" does not exist' in found[f"{base}.defaults.nope"]
    assert "not written by forms" in found[f"{base}.defaults.score"]
    assert 'required field "last_name" is neither on this form nor in its defaults' in found[base]


def test_layout_or_fields_and_the_layout_must_exist() -> None:
    found = issues(bundle({**FORM, "layout": "web"}))
    assert 'either "layout"' in found["objects[1].public_forms[0]"]
    no_fields = {k: v for k, v in FORM.items() if k != "fields"}
    assert 'the layout "web" does not exist' in issues(bundle({**no_fields, "layout": "web"}))[
        "objects[1].public_forms[0].layout"]
    form = load_bundle(bundle({**no_fields, "layout": "default"})).bundle.objects["lead"].public_forms[0]
    lead = load_bundle(bundle()).bundle.objects["lead"]
    assert form.field_names(lead) == ("last_name", "company", "email", "source")  # the fillable ones


def test_the_owner_role_must_exist_and_names_are_unique() -> None:
    found = issues(bundle({**FORM, "owner": {"role": "salse"}}))
    assert 'role "salse" does not exist' in found["objects[1].public_forms[0].owner.role"]
    assert "did you mean" in found["objects[1].public_forms[0].owner.role"]
    doc = bundle(FORM)
    doc["objects"][1]["public_forms"].append(dict(FORM))
    assert "defined twice" in issues(doc)["objects[1].public_forms[1].name"]


# --- record page summaries -----------------------------------------------------------------

def crm(record_page: dict[str, Any]) -> dict[str, Any]:
    account = make_object("account", fld("name", required=True), fld("ltv", "currency"), record_page=record_page)
    contact = make_object("contact", fld("last_name", required=True), fld("account", "lookup", target="account"))
    opp = make_object("opportunity", fld("name", required=True), fld("account", "lookup", target="account"),
                      fld("amount", "currency"), fld("stage", "picklist", options=["Open", "Won"]))
    activity = make_object("activity", fld("subject", required=True),
                           fld("who", "polymorphic_lookup", targets=["contact"]),
                           fld("what", "polymorphic_lookup", targets=["account", "opportunity"]))
    return {"objects": [account, contact, opp, activity]}


PAGE = {"kpis": [{"label": "LTV", "field": "ltv"}, {"label": "Pipeline", "section": "open", "function": "sum",
                                                     "field": "amount"}],
        "related": [{"name": "open", "object": "opportunity", "via": "account", "filter": "stage=Open",
                     "columns": ["name", "amount"], "sort": "-amount"}],
        "timeline": {"object": "activity", "via": ["what", "who"], "include_related": ["contact", "opportunity"]}}


def test_a_record_page_loads_round_trips_and_plans_as_a_safe_change() -> None:
    loaded = load_bundle(crm(PAGE)).bundle
    page = loaded.objects["account"].record_page
    assert page.section("open").filter == {"stage": "Open"} and page.timeline.via == ("what", "who")
    assert load_bundle(loaded.to_json()).bundle == loaded
    plain = load_bundle(crm({})).bundle
    assert [o.summary for o in diff(plain, loaded)] == ["update account's record page summary"]


def test_record_page_references_are_checked_at_their_paths() -> None:
    page = {"kpis": [{"label": "A", "field": "ltvv"}, {"label": "B", "section": "closed"},
                     {"label": "C", "section": "open", "function": "sum", "field": "stage"}, {"label": "D"}],
            "related": [{"name": "open", "object": "opportunity", "via": "name", "filter": {"stag": "Open", "q": "x"},
                         "columns": ["nam"]}, {"object": "oportunity", "via": "account"}],
            "timeline": {"object": "activity", "via": ["who", "subject"], "include_related": ["opportunity"]}}
    found = issues(crm(page))
    base = "objects[0].record_page"
    assert 'field "ltvv" does not exist on account' in found[f"{base}.kpis[0].field"]
    assert 'no related section is called "closed"' in found[f"{base}.kpis[1].section"]
    assert '"stage" is a picklist field; sum needs a number' in found[f"{base}.kpis[2].field"]
    assert 'give "field"' in found[f"{base}.kpis[3]"]
    assert "is not a lookup to account" in found[f"{base}.related[0].via"]
    assert 'field "stag" does not exist' in found[f"{base}.related[0].filter.stag"]
    assert "may only filter" in found[f"{base}.related[0].filter.q"]
    assert 'field "nam" does not exist' in found[f"{base}.related[0].columns[0]"]
    assert 'object "oportunity" does not exist' in found[f"{base}.related[1].object"]
    assert "not a lookup" in found[f"{base}.timeline.via[1]"]
    assert "can point at account records" in found[f"{base}.timeline.via"]
    assert "can point at opportunity records" in found[f"{base}.timeline.include_related[0]"]
