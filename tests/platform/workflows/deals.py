"""A deal with a sales process as metadata: the state machine and approval process the tests exercise."""

from __future__ import annotations

from typing import Any

from tests.conftest import fld, make_object

STAGES = ["Prospecting", "Qualification", "Closed Won", "Closed Lost", "Reversed"]
PIPELINE = {
    "field": "stage", "initial": "Prospecting",
    "transitions": [
        {"from": "Prospecting", "to": ["Qualification", "Closed Lost"]},
        {"from": "Qualification", "to": "Closed Won", "roles": ["sales_manager"], "condition": "amount > 0",
         "message": "A won deal needs an amount"},
        {"from": "*", "to": "Closed Lost"},
    ],
    "states": {
        "Closed Won": {"locked": True, "on_enter": [{"type": "set_field", "fields": {"note": "=concat('won: ', title)"}},
                                                    {"type": "create_record", "object": "task",
                                                     "fields": {"subject": "=concat('Invoice ', title)"}}]},
        "Qualification": {"on_exit": [{"type": "create_record", "object": "task",
                                       "fields": {"subject": "=concat('Left qualification: ', title)"}}]},
    },
}
DISCOUNT = {
    "name": "discount", "label": "Discount approval", "entry_condition": "discount is not None and discount > 0",
    "steps": [{"name": "manager", "approver": {"manager_of": "owner"}},
              {"name": "finance", "approver": {"role": "finance"}, "mode": "all"}],
    "on_approve": [{"type": "set_field", "fields": {"approval": "Approved"}}],
    "on_reject": [{"type": "set_field", "fields": {"approval": "Rejected"}}],
    "on_recall": [{"type": "set_field", "fields": {"approval": "Recalled"}}],
}
CRUD = {"create": True, "read": True, "update": True, "delete": True}


def deal_bundle(*, machine: dict[str, Any] | None = PIPELINE, processes: tuple[dict[str, Any], ...] = (DISCOUNT,),
                workflows: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    deal: dict[str, Any] = make_object(
        "deal", fld("title", required=True), fld("amount", "currency"), fld("discount", "integer"),
        fld("stage", "picklist", options=STAGES), fld("note"),
        fld("approval", "picklist", options=["Approved", "Rejected", "Recalled"]),
        workflows=list(workflows), approval_processes=list(processes))
    if machine is not None:
        deal["state_machines"] = [machine]
    return {"objects": [deal, make_object("task", fld("subject", required=True))],
            "roles": [{"name": name, "objects": {"deal": CRUD, "task": CRUD}}
                      for name in ("sales_rep", "sales_manager", "finance")]}
