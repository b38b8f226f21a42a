"""Hook points: authorize can refuse, before_save can set values and report errors, after_write sees both sides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest

from metacrm.platform.errors import Forbidden
from metacrm.platform.records import (
    SYSTEM, AccessRequest, Actor, FieldError, RecordInvalid, RecordService, SaveContext, WriteContext,
)
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import field_codes, row_count


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [
        make_object("deal", fld("title", required=True), fld("stage", "picklist", options=["New", "Won"]),
                    fld("amount", "currency"), fld("close_on", "date"),
                    fld("doubled", "formula", formula="amount * 2", result_type="currency")),
        make_object("line", fld("item"), fld("deal", "master_detail", target="deal")),
    ]})


def forbid(action: str, object_name: str | None = None) -> Callable[[AccessRequest], None]:
    def hook(request: AccessRequest) -> None:
        if request.action == action and object_name in (None, request.obj.name):
            raise Forbidden(f"you may not {action} {request.obj.name} records")
    return hook


@pytest.fixture
def deal(records: RecordService) -> dict[str, Any]:
    return records.create(SYSTEM, "deal", {"title": "Big", "amount": "10"})


def test_authorize_sees_the_action_actor_object_and_record(records: RecordService, alice: Actor,
                                                           deal: dict) -> None:
    requests: list[AccessRequest] = []
    records.hooks.authorize.append(requests.append)
    records.update(alice, "deal", deal["id"], {"title": "Bigger", "amount": "10"})
    [request] = requests
    assert (request.action, request.actor, request.obj.name) == ("update", alice, "deal")
    assert request.record == deal and request.fields == ("title", "amount")


def test_a_forbidden_create_writes_nothing(platform: Platform, records: RecordService) -> None:
    records.hooks.authorize.append(forbid("create"))
    with pytest.raises(Forbidden):
        records.create(SYSTEM, "deal", {"title": "Big"})
    assert row_count(platform, "deal") == 0


def test_a_forbidden_update_changes_nothing(records: RecordService, deal: dict) -> None:
    records.hooks.authorize.append(forbid("update"))
    with pytest.raises(Forbidden):
        records.update(SYSTEM, "deal", deal["id"], {"title": "Bigger"})
    assert records.get(SYSTEM, "deal", deal["id"]) == deal


def test_a_forbidden_delete_deletes_nothing(records: RecordService, deal: dict) -> None:
    records.hooks.authorize.append(forbid("delete"))
    with pytest.raises(Forbidden):
        records.delete(SYSTEM, "deal", deal["id"])
    assert records.get(SYSTEM, "deal", deal["id"]) == deal


def test_deleting_a_master_needs_permission_to_delete_its_details(records: RecordService, deal: dict) -> None:
    line = records.create(SYSTEM, "line", {"item": "Widget", "deal": deal["id"]})
    records.hooks.authorize.append(forbid("delete", "line"))
    with pytest.raises(Forbidden, match="line"):
        records.delete(SYSTEM, "deal", deal["id"])
    assert records.get(SYSTEM, "line", line["id"]) == line


def test_a_forbidden_read_hides_the_record(records: RecordService, deal: dict) -> None:
    records.hooks.authorize.append(forbid("read"))
    with pytest.raises(Forbidden):
        records.get(SYSTEM, "deal", deal["id"])


def test_a_before_save_hook_can_set_values(records: RecordService) -> None:
    def double(context: SaveContext) -> None:
        if context.values.get("amount") is not None:
            context.values["doubled"] = context.values["amount"] * 2

    records.hooks.before_save.append(double)
    created = records.create(SYSTEM, "deal", {"title": "Big", "amount": "10.25"})
    assert records.get(SYSTEM, "deal", created["id"])["doubled"] == Decimal("20.50")
    assert records.update(SYSTEM, "deal", created["id"], {"amount": "1"})["doubled"] == Decimal("2.00")


def test_a_before_save_hook_sees_the_operation_and_the_previous_record(records: RecordService, alice: Actor,
                                                                      deal: dict) -> None:
    contexts: list[SaveContext] = []
    records.hooks.before_save.append(contexts.append)
    records.update(alice, "deal", deal["id"], {"stage": "Won"})
    [context] = contexts
    assert (context.operation, context.actor, context.obj.name) == ("update", alice, "deal")
    assert context.values == {"stage": "Won"} and context.previous == deal


def won_needs_close_date(context: SaveContext) -> None:
    merged = {**(context.previous or {}), **context.values}
    if merged.get("stage") == "Won" and merged.get("close_on") is None:
        context.errors.append(FieldError("close_on", "required_when_won", "is required once the deal is won"))


def test_before_save_errors_are_reported_with_the_others(platform: Platform, records: RecordService) -> None:
    records.hooks.before_save.append(won_needs_close_date)
    codes = field_codes(records.create, SYSTEM, "deal", {"title": "Big", "stage": "Won", "amount": "lots"})
    assert codes == {"amount": "invalid_number", "close_on": "required_when_won"}
    assert row_count(platform, "deal") == 0


def test_before_save_errors_refuse_an_update(records: RecordService, deal: dict) -> None:
    records.hooks.before_save.append(won_needs_close_date)
    with pytest.raises(RecordInvalid) as info:
        records.update(SYSTEM, "deal", deal["id"], {"stage": "Won"})
    assert info.value.extra["errors"] == [
        {"field": "close_on", "code": "required_when_won", "message": "is required once the deal is won"}]
    assert records.update(SYSTEM, "deal", deal["id"], {"stage": "Won", "close_on": "2026-02-01"})["version"] == 2


def test_before_save_errors_fail_only_their_row_in_partial_bulk(records: RecordService) -> None:
    records.hooks.before_save.append(won_needs_close_date)
    result = records.bulk_create(SYSTEM, "deal", [{"title": "A", "stage": "Won"}, {"title": "B", "stage": "New"}],
                                 all_or_nothing=False)
    assert [r["title"] for r in result.records] == ["B"]
    assert [(e["index"], e["errors"][0]["code"]) for e in result.errors] == [(0, "required_when_won")]


def test_after_write_receives_before_and_after(records: RecordService, alice: Actor) -> None:
    writes: list[WriteContext] = []
    records.hooks.after_write.append(writes.append)
    created = records.create(alice, "deal", {"title": "Big"})
    updated = records.update(alice, "deal", created["id"], {"title": "Bigger"})
    records.delete(alice, "deal", created["id"])
    assert [(w.operation, w.actor, w.record_id) for w in writes] == \
        [("create", alice, created["id"]), ("update", alice, created["id"]), ("delete", alice, created["id"])]
    assert (writes[0].before, writes[0].after) == (None, created)
    assert (writes[1].before, writes[1].after) == (created, updated)
    assert (writes[2].before, writes[2].after) == (updated, None)


def test_an_after_write_hook_that_raises_rolls_the_write_back(platform: Platform, records: RecordService,
                                                              deal: dict) -> None:
    def audit_down(context: WriteContext) -> None:
        raise RuntimeError("audit log unavailable")

    records.hooks.after_write.append(audit_down)
    with pytest.raises(RuntimeError):
        records.delete(SYSTEM, "deal", deal["id"])
    assert records.get(SYSTEM, "deal", deal["id"]) == deal
    with pytest.raises(RuntimeError):
        records.create(SYSTEM, "deal", {"title": "Other"})
    assert row_count(platform, "deal") == 1
