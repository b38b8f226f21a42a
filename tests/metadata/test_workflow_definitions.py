"""Workflows as metadata: frozen definitions that round-trip, checks that say where and why, plans without DDL."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from metacrm.metadata import MetadataError, diff, load_bundle
from metacrm.metadata.workflows import ActionDef, TriggerDef, WorkflowDef

WON = {
    "name": "won_deal", "label": "Deal won",
    "trigger": {"type": "field_changed", "field": "stage", "to": "Won"},
    "condition": "amount > 1000 and old.stage != 'Won'",
    "actions": [
        {"type": "send_email", "to": "owner.manager", "subject": "{{ record.title }} won",
         "body": "Owner: {{ owner.email }}"},
        {"type": "create_record", "object": "task", "when": "amount > 5000",
         "fields": {"subject": "=concat('Onboard ', title)", "deal": "=record.id", "due": "=today() + days(1)"}},
    ],
}
REMIND = {"name": "remind", "trigger": {"type": "time", "field": "close_date", "offset": 3, "unit": "business_days",
                                        "direction": "before"},
          "actions": [{"type": "assign_owner", "role": "sales"}]}


def bundle(*workflows: dict[str, Any]) -> dict[str, Any]:
    return {"objects": [
        {"name": "deal", "fields": [{"name": "title", "type": "text"}, {"name": "amount", "type": "currency"},
                                    {"name": "stage", "type": "picklist", "options": ["New", "Won", "Lost"]},
                                    {"name": "close_date", "type": "date"}],
         "workflows": list(workflows)},
        {"name": "task", "fields": [{"name": "subject", "type": "text"}, {"name": "due", "type": "date"},
                                    {"name": "deal", "type": "lookup", "target": "deal"}]},
    ]}


def messages(document: Any) -> list[str]:
    with pytest.raises(MetadataError) as info:
        load_bundle(document)
    return [str(i) for i in info.value.issues]


def test_a_workflow_loads_into_frozen_definitions_and_round_trips() -> None:
    deal = load_bundle(bundle(WON, REMIND)).bundle.objects["deal"]
    won, remind = deal.workflows
    assert isinstance(won, WorkflowDef) and won.active and won.label == "Deal won"
    assert won.trigger == TriggerDef("field_changed", "stage", to_values=("Won",))
    assert isinstance(won.actions[1], ActionDef) and won.actions[1].when == "amount > 5000"
    assert won.actions[1].params["fields"]["deal"] == "=record.id" and won.actions[1].same_transaction
    assert remind.trigger.unit == "business_days" and remind.label == "Remind"
    assert deal.to_json()["workflows"][0] == WON
    again = load_bundle({"objects": [deal.to_json(), bundle()["objects"][1]]}).bundle.objects["deal"]
    assert again == deal


@pytest.mark.parametrize(("change", "expected"), [
    (lambda w: w["trigger"].update(field="stgae"),
     'objects[0].workflows[0].trigger.field: field "stgae" does not exist on deal — did you mean "stage"?'),
    (lambda w: w["trigger"].update(to="Wno"),
     'objects[0].workflows[0].trigger.to: "Wno" is not a choice of stage — did you mean "Won"?'),
    (lambda w: w.update(condition="amount >\n  1 +"),
     "objects[0].workflows[0].condition: line 1, column 9: invalid syntax"),
    (lambda w: w.update(condition="amonut > 1"),
     'objects[0].workflows[0].condition: refers to "amonut", which is not a field of deal or a helper — did you '
     'mean "amount"?'),
    (lambda w: w["actions"][1].update(object="taks"),
     'objects[0].workflows[0].actions[1].object: object "taks" does not exist — did you mean "task"?'),
    (lambda w: w["actions"][1]["fields"].update(subjet="x"),
     'objects[0].workflows[0].actions[1].fields.subjet: field "subjet" does not exist on task — did you mean '
     '"subject"?'),
    (lambda w: w["actions"][0].update(subject="{{ record.titel }}"),
     'objects[0].workflows[0].actions[0].subject: the merge field "record.titel" is not a field of deal — did you '
     'mean "title"?'),
    (lambda w: w["actions"][0].update(type="send_mail"),
     'objects[0].workflows[0].actions[0].type: "send_mail" is not an action type — did you mean "send_email"?'),
    (lambda w: w["actions"][0].update(too="x"),
     'objects[0].workflows[0].actions[0].too: "too" does not apply to send_email actions — did you mean "to"?'),
    (lambda w: w.update(trigger={"type": "time", "field": "title", "offset": 1}),
     'objects[0].workflows[0].trigger.field: "title" is a text field; a time trigger needs a date or datetime '
     "field"),
    (lambda w: w.update(trigger={"type": "created", "field": "title"}),
     'objects[0].workflows[0].trigger.field: "field" does not apply to created triggers'),
    (lambda w: w.update(trigger={"type": "created", "offest": 1}),
     'objects[0].workflows[0].trigger: unknown property "offest" — did you mean "offset"?'),
])
def test_mistakes_are_reported_at_their_json_path(change: Any, expected: str) -> None:
    wf = copy.deepcopy(WON)
    change(wf)
    found = messages(bundle(wf))
    assert any(m.startswith(expected) for m in found), found


def test_a_workflow_change_is_a_versioned_change_that_touches_no_table() -> None:
    old = load_bundle(bundle(WON)).bundle
    new = load_bundle(bundle(WON, REMIND)).bundle
    [op] = diff(old, new)
    assert (op.kind, op.object, op.destructive, op.summary) == ("update_object", "deal", False,
                                                                "update deal's workflows")
