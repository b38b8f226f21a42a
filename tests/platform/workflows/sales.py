"""The sales manager's three classic automations, as metadata (the same JSON as docs/workflows.md)."""

from __future__ import annotations

from typing import Any

from tests.conftest import fld, make_object

LEAD_ROUTING = {
    "name": "route_new_lead", "label": "Route a new lead",
    "trigger": {"type": "created"},
    "actions": [
        {"type": "assign_owner", "role": "sales"},
        {"type": "create_record", "object": "task",
         "fields": {"subject": "=concat('Call ', name)", "due_date": "=today() + days(1)", "lead": "=record.id",
                    "owner": "=owner"}},
    ],
}
WON_DEAL = {
    "name": "won_deal", "label": "Deal won",
    "trigger": {"type": "field_changed", "field": "stage", "to": "Won"},
    "actions": [
        {"type": "send_email", "to": "owner.manager", "subject": "{{ owner.email }} won {{ record.name }}",
         "body": "{{ record.name }} was won for {{ record.amount }}."},
        {"type": "create_record", "object": "support_case",
         "fields": {"subject": "=concat('Onboard ', name)", "opportunity": "=record.id", "kind": "Onboarding"}},
    ],
}
CLOSE_REMINDER = {
    "name": "close_reminder", "label": "Close date reminder",
    "trigger": {"type": "time", "field": "close_date", "offset": 3, "unit": "days", "direction": "before"},
    "condition": "stage not in ('Won', 'Lost')",
    "actions": [{"type": "send_email", "to": "owner", "subject": "{{ record.name }} closes in 3 days",
                 "body": "Hello {{ owner.name }}, {{ record.name }} is due to close on {{ record.close_date }}."}],
}


def sales_bundle(*lead_workflows: dict[str, Any], opportunity_workflows: tuple[dict[str, Any], ...] = ()
                 ) -> dict[str, Any]:
    return {
        "objects": [
            make_object("lead", fld("name", required=True), fld("company"), workflows=list(lead_workflows)),
            make_object("opportunity", fld("name", required=True), fld("amount", "currency"),
                        fld("stage", "picklist", options=["Prospecting", "Negotiation", "Won", "Lost"]),
                        fld("close_date", "date"), workflows=list(opportunity_workflows)),
            make_object("task", fld("subject", required=True), fld("due_date", "date"),
                        fld("lead", "lookup", target="lead", on_delete="set_null")),
            make_object("support_case", fld("subject", required=True), fld("kind"),
                        fld("opportunity", "lookup", target="opportunity", on_delete="set_null")),
        ],
        "roles": [{"name": "sales", "objects": {n: {"create": True, "read": True, "update": True}
                                                for n in ("lead", "opportunity", "task", "support_case")}}],
    }
