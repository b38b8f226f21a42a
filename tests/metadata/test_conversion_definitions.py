"""Conversions as metadata: a lead's conversion loads into frozen definitions, round-trips, and every
mistake that could never convert is reported at its JSON path before anything is applied."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from metacrm.metadata import MetadataError, diff, load_bundle
from metacrm.metadata.conversions import ConversionDef, ConversionTargetDef, ReparentDef

CONVERT: dict[str, Any] = {
    "name": "convert", "label": "Convert lead",
    "status_field": "status", "converted_status": "Converted", "flag_field": "is_converted",
    "date_field": "converted_on",
    "targets": [
        {"key": "account", "object": "account", "link_field": "converted_account", "match": [["name"]],
         "fields": {"name": "=company or last_name", "employees": "=headcount"}},
        {"key": "contact", "object": "contact", "link_field": "converted_contact",
         "match": [["email"], ["last_name", "account"]],
         "fields": {"last_name": "=last_name", "email": "=email", "account": "@account"}},
        {"key": "deal", "object": "deal", "optional": True, "fields": {"title": "=company", "account": "@account",
                                                                     "stage": "New"}},
    ],
    "reparent": [{"object": "task", "field": "who", "to": "contact"},
                 {"object": "member", "field": "lead", "set": {"contact": "@contact"}}],
}


def bundle(*conversions: dict[str, Any]) -> dict[str, Any]:
    def f(name: str, type_: str = "text", **more: Any) -> dict[str, Any]:
        return {"name": name, "type": type_, **more}
    return {"objects": [
        {"name": "lead", "fields": [f("last_name", required=True), f("company"), f("email", "email"),
                                    f("headcount", "integer"), f("is_converted", "boolean"),
                                    f("converted_on", "date"),
                                    f("status", "picklist", options=["Open", "Converted"]),
                                    f("converted_account", "lookup", target="account"),
                                    f("converted_contact", "lookup", target="contact")],
         "conversions": list(conversions)},
        {"name": "account", "fields": [f("name", required=True), f("employees", "integer")]},
        {"name": "contact", "fields": [f("last_name", required=True), f("email", "email"),
                                       f("account", "lookup", target="account")]},
        {"name": "deal", "fields": [f("title", required=True), f("account", "lookup", target="account"),
                                    f("stage", "picklist", options=["New", "Won"])]},
        {"name": "task", "fields": [f("subject"), f("who", "polymorphic_lookup", targets=["contact", "lead"])]},
        {"name": "member", "fields": [f("lead", "lookup", target="lead"), f("contact", "lookup", target="contact")]},
    ]}


def messages(document: Any) -> list[str]:
    with pytest.raises(MetadataError) as info:
        load_bundle(document)
    return [str(i) for i in info.value.issues]


def test_a_conversion_loads_into_frozen_definitions_and_round_trips() -> None:
    lead = load_bundle(bundle(CONVERT)).bundle.objects["lead"]
    [conv] = lead.conversions
    assert isinstance(conv, ConversionDef) and conv.lock and conv.converted_status == "Converted"
    account, contact, deal = conv.targets
    assert isinstance(account, ConversionTargetDef) and account.match == (("name",),)
    assert contact.match == (("email",), ("last_name", "account")) and contact.fields["account"] == "@account"
    assert deal.optional and conv.target("deal") is deal and conv.target("nope") is None
    assert conv.reparent[0] == ReparentDef("task", "who", to="contact")
    assert lead.to_json()["conversions"] == [CONVERT]
    again = load_bundle({"objects": [lead.to_json(), *bundle()["objects"][1:]]}).bundle.objects["lead"]
    assert again == lead


def _target(i: int) -> Any:
    return lambda c: c["targets"][i]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["targets"][0].update(object="acount"),
     'objects[0].conversions[0].targets[0].object: object "acount" does not exist — did you mean "account"?'),
    (lambda c: c["targets"][0]["fields"].update(nmae="=company"),
     'objects[0].conversions[0].targets[0].fields.nmae: field "nmae" does not exist on account'),
    (lambda c: c["targets"][0]["fields"].update(employees="=email"),
     "objects[0].conversions[0].targets[0].fields.employees: email is a email field and cannot fill the integer"),
    (lambda c: c["targets"][0]["fields"].update(employees="=headcout"),
     "objects[0].conversions[0].targets[0].fields.employees: refers to \"headcout\""),
    (lambda c: c["targets"][1]["fields"].update(account="@deal"),
     'objects[0].conversions[0].targets[1].fields.account: "@deal" does not name an earlier target'),
    (lambda c: c["targets"][2]["fields"].update(account="@contact"),
     'objects[0].conversions[0].targets[2].fields.account: "account" cannot point at contact'),
    (lambda c: c["targets"][2]["fields"].pop("title"),
     "objects[0].conversions[0].targets[2].fields: deal.title is required: map a value to it"),
    (lambda c: c["targets"][2]["fields"].update(stage="Wonn"),
     'objects[0].conversions[0].targets[2].fields.stage: "Wonn" is not a choice of deal.stage'),
    (lambda c: c["targets"][0].update(link_field="converted_contact"),
     'objects[0].conversions[0].targets[0].link_field: "converted_contact" must be a lookup of lead to account'),
    (lambda c: c["targets"][1].update(match=[["phone"]]),
     'objects[0].conversions[0].targets[1].match[0][0]: field "phone" does not exist on contact'),
    (lambda c: c.update(converted_status="Convreted"),
     'objects[0].conversions[0].converted_status: "Convreted" is not a choice of status'),
    (lambda c: c.update(flag_field="company"),
     'objects[0].conversions[0].flag_field: "company" is a text field; flag_field needs a boolean field'),
    (lambda c: c["reparent"][0].update(field="subject"),
     "objects[0].conversions[0].reparent[0].field: task.subject does not point at lead"),
    (lambda c: c["reparent"][1].update(to="contact"),
     "objects[0].conversions[0].reparent[1].to: member.lead cannot point at contact"),
    (lambda c: c["targets"][0].update(matches=[]),
     'objects[0].conversions[0].targets[0]: unknown property "matches" — did you mean "match"?'),
])
def test_mistakes_are_reported_at_their_json_path(change: Any, expected: str) -> None:
    conv = copy.deepcopy(CONVERT)
    change(conv)
    found = messages(bundle(conv))
    assert any(m.startswith(expected) for m in found), found


def test_a_conversion_change_touches_no_table() -> None:
    old = load_bundle(bundle()).bundle
    new = load_bundle(bundle(CONVERT)).bundle
    [op] = diff(old, new)
    assert (op.kind, op.object, op.destructive) == ("update_object", "lead", False)
