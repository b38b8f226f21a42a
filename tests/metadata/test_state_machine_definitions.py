"""State machines and approval processes as metadata: frozen definitions that round-trip, checks at JSON paths
with "did you mean", and plans that touch no table."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from metacrm.metadata import MetadataError, diff, load_bundle
from metacrm.metadata.state_machines import ApproverDef, StateMachineDef, TransitionDef

MACHINE = {
    "field": "stage", "initial": "Prospecting",
    "transitions": [
        {"from": "Prospecting", "to": ["Qualification", "Closed Lost"], "roles": ["sales_rep"],
         "condition": "amount > 0", "message": "Needs an amount"},
        {"from": "Qualification", "to": ["Closed Won"]},
        {"from": "*", "to": ["Closed Lost"]},
    ],
    "states": {"Closed Won": {"locked": True, "on_enter": [{"type": "set_field", "fields": {"title": "=title"}}],
                              "on_exit": [{"type": "send_email", "to": "owner", "subject": "s", "body": "b"}]}},
}
PROCESS = {
    "name": "discount", "label": "Discount", "entry_condition": "amount > 100",
    "steps": [{"name": "manager", "approver": {"manager_of": "owner"}},
              {"name": "finance", "approver": {"role": "finance"}, "mode": "all"},
              {"name": "ceo", "approver": {"user": 1}}],
    "on_approve": [{"type": "set_field", "fields": {"stage": "Closed Won"}}],
    "on_reject": [{"type": "set_field", "fields": {"title": "=concat(title, ' (rejected)')"}}],
}


def bundle(machine: dict[str, Any] | None = None, process: dict[str, Any] | None = None,
           workflows: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"objects": [{"name": "deal", "fields": [
        {"name": "title", "type": "text"}, {"name": "amount", "type": "currency"},
        {"name": "stage", "type": "picklist",
         "options": ["Prospecting", "Qualification", "Closed Won", "Closed Lost"]}],
        "state_machines": [machine or MACHINE], "approval_processes": [process or PROCESS],
        "workflows": list(workflows)}],
        "roles": [{"name": "sales_rep", "objects": {"deal": {"read": True}}},
                  {"name": "finance", "objects": {"deal": {"read": True}}}]}


def messages(document: Any) -> list[str]:
    with pytest.raises(MetadataError) as info:
        load_bundle(document)
    return [str(i) for i in info.value.issues]


def test_definitions_load_frozen_and_round_trip() -> None:
    deal = load_bundle(bundle()).bundle.objects["deal"]
    [machine], [process] = deal.state_machines, deal.approval_processes
    assert isinstance(machine, StateMachineDef) and machine.initial == "Prospecting"
    assert machine.transitions[0] == TransitionDef(("Prospecting",), ("Qualification", "Closed Lost"), ("sales_rep",),
                                                   "amount > 0", "Needs an amount")
    assert machine.locked("Closed Won") and not machine.locked("Prospecting")
    assert machine.next_states("Qualification") == ("Closed Won", "Closed Lost")
    assert machine.moves("Closed Won", "Closed Lost") == (machine.transitions[2],)  # "*" leaves any state
    assert process.steps[0].approver == ApproverDef(manager_of="owner") and process.steps[1].mode == "all"
    assert process.lock and process.on_approve[0].type == "set_field"
    exported = deal.to_json()
    assert exported["state_machines"] == [MACHINE] and exported["approval_processes"] == [PROCESS]
    again = load_bundle({"objects": [exported], "roles": bundle()["roles"]}).bundle.objects["deal"]
    assert again == deal


Change = Callable[[dict[str, Any], dict[str, Any]], Any]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda m, p: m.update(field="stag"),
     'objects[0].state_machines[0].field: field "stag" does not exist on deal — did you mean "stage"?'),
    (lambda m, p: m.update(field="title"),
     'objects[0].state_machines[0].field: "title" is a text field; a state machine needs a picklist field'),
    (lambda m, p: m.update(initial="Prospect"),
     'objects[0].state_machines[0].initial: "Prospect" is not a choice of stage — did you mean "Prospecting"?'),
    (lambda m, p: m["transitions"][1].update(to=["Closed Wan"]),
     'objects[0].state_machines[0].transitions[1].to[0]: "Closed Wan" is not a choice of stage — did you mean '
     '"Closed Won"?'),
    (lambda m, p: m["transitions"][0].update(condition="amont > 0"),
     'objects[0].state_machines[0].transitions[0].condition: refers to "amont", which is not a field of deal or a '
     'helper — did you mean "amount"?'),
    (lambda m, p: m["states"].update({"Closed Wan": {"locked": True}}),
     'objects[0].state_machines[0].states["Closed Wan"]: "Closed Wan" is not a choice of stage — did you mean '
     '"Closed Won"?'),
    (lambda m, p: m["states"]["Closed Won"]["on_enter"][0].update(type="set_feild"),
     'objects[0].state_machines[0].states["Closed Won"].on_enter[0].type: "set_feild" is not an action type — '
     'did you mean "set_field"?'),
    (lambda m, p: p["on_approve"][0]["fields"].update(stag="x"),
     'objects[0].approval_processes[0].on_approve[0].fields.stag: field "stag" does not exist on deal — did you '
     'mean "stage"?'),
    (lambda m, p: p["steps"][1]["approver"].update(role="financ"),
     'objects[0].approval_processes[0].steps[1].approver.role: role "financ" does not exist — did you mean '
     '"finance"?'),
    (lambda m, p: m["transitions"][0].update(roles=["sales_rp"]),
     'objects[0].state_machines[0].transitions[0].roles[0]: role "sales_rp" does not exist — did you mean '
     '"sales_rep"?'),
    (lambda m, p: p["steps"].append({"name": "manager", "approver": {"user": 2}}),
     'objects[0].approval_processes[0].steps[3].name: the step "manager" is defined twice'),
])
def test_problems_are_reported_at_their_json_path(change: Change, expected: str) -> None:
    machine, process = copy.deepcopy(MACHINE), copy.deepcopy(PROCESS)
    change(machine, process)
    found = messages(bundle(machine, process))
    assert any(m.startswith(expected) for m in found), found


def test_an_approver_names_exactly_one_kind() -> None:
    process = copy.deepcopy(PROCESS)
    process["steps"][0]["approver"] = {"user": 1, "role": "finance"}
    assert any("steps[0].approver" in m and "must name one approver" in m
               for m in messages(bundle(process=process)))


def test_start_approval_names_a_process_of_the_object() -> None:
    ok = {"name": "auto", "trigger": {"type": "created"},
          "actions": [{"type": "start_approval", "process": "discount"}]}
    assert load_bundle(bundle(workflows=(ok,))).bundle.objects["deal"].workflows[0].actions[0].type == "start_approval"
    wrong = copy.deepcopy(ok)
    wrong["actions"][0]["process"] = "discont"
    assert messages(bundle(workflows=(wrong,)))[0] == (
        'objects[0].workflows[0].actions[0].process: deal has no approval process "discont" — did you mean '
        '"discount"?')


def test_the_initial_state_agrees_with_the_fields_default() -> None:
    doc = bundle()
    doc["objects"][0]["fields"][2]["default"] = "Qualification"
    assert any("state_machines[0].initial" in m and "make them agree" in m for m in messages(doc))


def test_a_change_is_a_safe_metadata_change_touching_no_table() -> None:
    old = load_bundle(bundle()).bundle
    machine = copy.deepcopy(MACHINE)
    machine["transitions"].append({"from": "Closed Lost", "to": "Prospecting"})
    process = copy.deepcopy(PROCESS)
    process["lock"] = False
    new = load_bundle(bundle(machine, process)).bundle
    [op] = diff(old, new)
    assert (op.kind, op.destructive) == ("update_object", False)
    assert op.summary == "update deal's state machines and approval processes"
