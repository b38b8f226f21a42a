"""State machines on the record path: every writer's state change is checked, locked states hold, and
entering or leaving a state runs its actions in the save's transaction."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.errors import Forbidden
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.records.errors import RecordInvalid
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows import WorkflowFailed
from metacrm.platform.workflows.locks import RecordLocked
from tests.conftest import ADMIN_PASSWORD, basic_auth
from tests.platform.records.conftest import row_count

from .conftest import make_user, runs
from .deals import PIPELINE, deal_bundle

Apply = Callable[..., Any]


@pytest.fixture
def sales(apply: Apply, platform: Platform, records: RecordService) -> dict[str, Actor]:
    apply(deal_bundle())
    return {"rep": make_user(platform, "rep@example.com", roles=("sales_rep",), admin=False),
            "manager": make_user(platform, "boss@example.com", roles=("sales_manager",), admin=False),
            "admin": make_user(platform, "root@example.com")}


def qualified(records: RecordService, actor: Actor, **values: Any) -> dict[str, Any]:
    deal = records.create(actor, "deal", {"title": "Acme", "amount": "500", **values})
    return records.update(actor, "deal", deal["id"], {"stage": "Qualification"})


def codes(exc: pytest.ExceptionInfo[RecordInvalid]) -> dict[str, str]:
    return {e["field"]: e["code"] for e in exc.value.extra["errors"]}


def test_a_new_record_starts_in_the_initial_state(sales: dict[str, Actor], records: RecordService) -> None:
    assert records.create(sales["rep"], "deal", {"title": "Acme"})["stage"] == "Prospecting"
    with pytest.raises(RecordInvalid) as caught:
        records.create(sales["admin"], "deal", {"title": "Acme", "stage": "Closed Won"})
    assert codes(caught) == {"stage": "transition_not_allowed"}
    assert 'starts in "Prospecting"' in caught.value.extra["errors"][0]["message"]


def test_an_allowed_transition_is_saved_and_a_disallowed_one_names_the_next_states(
        sales: dict[str, Actor], records: RecordService) -> None:
    deal = records.create(sales["rep"], "deal", {"title": "Acme"})
    with pytest.raises(RecordInvalid) as caught:
        records.update(sales["rep"], "deal", deal["id"], {"stage": "Closed Won"})
    assert caught.value.status == 422 and codes(caught) == {"stage": "transition_not_allowed"}
    assert caught.value.extra["errors"][0]["message"] == (
        'cannot go from "Prospecting" to "Closed Won"; allowed next: "Qualification" or "Closed Lost"')
    assert records.update(sales["rep"], "deal", deal["id"], {"stage": "Qualification"})["stage"] == "Qualification"


def test_a_transition_limited_to_roles_is_refused_to_others_with_the_roles_named(
        sales: dict[str, Actor], records: RecordService) -> None:
    deal = qualified(records, sales["rep"])
    with pytest.raises(Forbidden) as caught:
        records.update(sales["rep"], "deal", deal["id"], {"stage": "Closed Won"})
    assert caught.value.status == 403
    assert caught.value.detail == ('moving Deal stage from "Qualification" to "Closed Won" needs the role '
                                   '"sales_manager"; your roles (sales_rep)')
    assert records.update(sales["manager"], "deal", deal["id"], {"stage": "Closed Won"})["stage"] == "Closed Won"


def test_a_false_guard_refuses_with_the_transition_message(sales: dict[str, Actor], records: RecordService) -> None:
    deal = qualified(records, sales["rep"], amount="0")
    with pytest.raises(RecordInvalid) as caught:
        records.update(sales["manager"], "deal", deal["id"], {"stage": "Closed Won"})
    assert codes(caught) == {"stage": "transition_condition"}
    assert caught.value.extra["errors"][0]["message"] == "A won deal needs an amount"
    # the guard sees the record as it would be saved
    assert records.update(sales["manager"], "deal", deal["id"], {"stage": "Closed Won", "amount": "10"})["stage"] \
        == "Closed Won"


def test_admins_and_workflows_obey_the_transitions_too(apply: Apply, sales: dict[str, Actor],
                                                       records: RecordService, platform: Platform) -> None:
    deal = records.create(sales["admin"], "deal", {"title": "Acme"})
    with pytest.raises(RecordInvalid):
        records.update(sales["admin"], "deal", deal["id"], {"stage": "Closed Won"})
    with pytest.raises(RecordInvalid):
        records.update(SYSTEM, "deal", deal["id"], {"stage": "Closed Won"})
    apply(deal_bundle(workflows=({"name": "jump", "label": "Jump",
                                  "trigger": {"type": "field_changed", "field": "note"},
                                  "actions": [{"type": "set_field", "fields": {"stage": "Closed Won"}}]},)))
    with pytest.raises(WorkflowFailed) as caught:
        records.update(sales["rep"], "deal", deal["id"], {"note": "go"})
    assert caught.value.extra["errors"][0]["code"] == "transition_not_allowed"
    assert records.get(sales["admin"], "deal", deal["id"])["note"] is None  # the save was rolled back


def test_on_exit_and_on_enter_run_in_the_save_transaction(sales: dict[str, Actor], records: RecordService,
                                                          platform: Platform) -> None:
    deal = qualified(records, sales["rep"])
    won = records.update(sales["manager"], "deal", deal["id"], {"stage": "Closed Won"})
    assert records.get(sales["admin"], "deal", won["id"])["note"] == "won: Acme"
    subjects = [t["subject"] for t in records.reader.list(SYSTEM, "task", {"sort": "id"}).records]
    assert subjects == ["Left qualification: Acme", "Invoice Acme"]
    assert {r["workflow"] for r in runs(platform)} == {"stage.on_exit", "stage.on_enter"}


def test_a_failing_on_enter_action_rolls_the_state_change_back(apply: Apply, sales: dict[str, Actor],
                                                               records: RecordService, platform: Platform) -> None:
    machine = {**PIPELINE, "states": {"Closed Lost": {"on_enter": [
        {"type": "create_record", "object": "task", "fields": {"subject": "=None"}}]}}}
    apply(deal_bundle(machine=machine))
    deal = records.create(sales["rep"], "deal", {"title": "Acme"})
    with pytest.raises(WorkflowFailed):
        records.update(sales["rep"], "deal", deal["id"], {"stage": "Closed Lost"})
    assert records.get(sales["rep"], "deal", deal["id"])["stage"] == "Prospecting"
    assert row_count(platform, "task") == 0


@pytest.mark.parametrize("who", ["rep", "admin"])
def test_a_locked_state_refuses_edits_and_deletes(who: str, sales: dict[str, Actor], records: RecordService) -> None:
    deal = qualified(records, sales["rep"])
    won = records.update(sales["manager"], "deal", deal["id"], {"stage": "Closed Won"})
    actor = sales[who]
    with pytest.raises(RecordLocked) as caught:
        records.update(actor, "deal", won["id"], {"amount": "1"})
    assert caught.value.status == 422
    assert caught.value.detail == (f"Deal #{won['id']} is locked (state Closed Won); corrections by a reversing "
                                   "record")
    with pytest.raises(RecordLocked):
        records.update(actor, "deal", won["id"], {"stage": "Closed Lost"})  # even a "*" transition
    with pytest.raises(RecordLocked):
        records.delete(actor, "deal", won["id"])
    same = records.get(actor, "deal", won["id"])
    assert records.update(actor, "deal", won["id"], {"title": same["title"]})["version"] == same["version"]


def test_the_rest_api_refuses_a_disallowed_transition_as_a_problem(app: Any, client: Any,
                                                                    admin_headers: dict[str, str]) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(deal_bundle()), author="test", confirm=True)
    deal = client.post("/api/v1/records/deal", json={"title": "Acme"}, headers=admin_headers).get_json()
    url = f"/api/v1/records/deal/{deal['id']}"
    refused = client.patch(url, json={"stage": "Closed Won", "version": 1}, headers=admin_headers)
    assert refused.status_code == 422 and refused.content_type == "application/problem+json"
    assert refused.get_json()["errors"][0]["code"] == "transition_not_allowed"
    platform.users.create("rep@example.com", ADMIN_PASSWORD, roles=["sales_rep"])
    rep = basic_auth("rep@example.com", ADMIN_PASSWORD)
    moved = client.patch(url, json={"stage": "Qualification", "version": 1}, headers=rep)
    assert moved.status_code == 200 and moved.get_json()["stage"] == "Qualification"
    forbidden = client.patch(url, json={"stage": "Closed Won", "version": 2}, headers=rep)
    assert forbidden.status_code == 403 and "sales_manager" in forbidden.get_json()["detail"]
