"""A failure anywhere in an apply leaves schema, data and metadata exactly as they were."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.metadata.diff import Operation
from metacrm.platform.errors import ApplyFailed
from metacrm.platform.runtime import Platform
from metacrm.platform.storage import operations, store
from metacrm.platform.storage.operations import ApplyContext
from tests.conftest import fld, make_object
from tests.helpers import insert_rows, select_all

from .conftest import head, physical_schema

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title", unique=True), fld("code"), fld("note"))
CHANGE = {"objects": [
    make_object("company", fld("name", unique=True)),
    make_object("deal", fld("code", "integer"), fld("memo", renamed_from="note"), fld("stage", indexed=True)),
]}
#: Field-level DDL, a data copy and an archive in one plan, in the order apply runs them.
OPERATIONS = [("create_object", None), ("update_object", None), ("rename_field", "memo"), ("add_field", "stage"),
              ("change_field_type", "code"), ("update_field", "memo"), ("add_index", "stage"),
              ("add_index", "name"), ("remove_field", "title")]


@pytest.fixture
def deals(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    insert_rows(platform, "deal", [{"title": "Alpha", "code": "12", "note": "first"},
                                   {"title": "Beta", "code": "7", "note": None}])


@pytest.fixture
def fail_at(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """fail_at(n) makes the n-th operation of the next apply raise after the ones before it ran."""

    def install(n: int, error: Callable[[], Exception] | None = None) -> None:
        calls: list[str] = []
        for kind, handler in list(operations.OPERATION_HANDLERS.items()):
            def failing(ctx: ApplyContext, op: Operation, handler: Any = handler) -> None:
                calls.append(op.kind)
                if len(calls) == n:
                    raise error() if error else sa.exc.OperationalError("injected", {}, Exception("disk full"))
                handler(ctx, op)
            monkeypatch.setitem(operations.OPERATION_HANDLERS, kind, failing)

    return install


def test_the_change_runs_these_operations_in_this_order(platform: Platform, deals: None) -> None:
    assert [(op.kind, op.field) for op in platform.metadata.plan(CHANGE).operations] == OPERATIONS


@pytest.mark.parametrize("failing", range(2, len(OPERATIONS) + 1),
                         ids=[f"{kind}-{field or 'object'}" for kind, field in OPERATIONS[1:]])
def test_a_failing_operation_undoes_the_operations_before_it(
        platform: Platform, deals: None, fail_at: Callable[..., None], failing: int) -> None:
    before = physical_schema(platform)
    fail_at(failing)
    with pytest.raises(ApplyFailed) as info:
        platform.metadata.apply(platform.metadata.plan(CHANGE), author="test", confirm=True)
    failed = info.value.extra["operation"]
    assert (failed["kind"], failed.get("field")) == OPERATIONS[failing - 1]
    assert physical_schema(platform) == before
    assert head(platform) == 1
    assert platform.metadata.archives() == []
    assert select_all(platform, "deal", "title", "code", "note") == [("Alpha", "12", "first"), ("Beta", "7", None)]


def test_a_failure_after_renaming_and_removing_tables_brings_both_back(
        platform: Platform, apply: Apply, deals: None, fail_at: Callable[..., None]) -> None:
    apply(make_object("lead", fld("name")))
    insert_rows(platform, "lead", [{"name": "Lead"}])
    before = physical_schema(platform)
    plan = platform.metadata.plan({"objects": [make_object("opportunity", *DEAL["fields"], renamed_from="deal"),
                                               make_object("account", fld("name"))]}, replace_all=True)
    assert [op.kind for op in plan.operations] == ["create_object", "rename_object", "update_object",
                                                   "remove_object"]
    fail_at(4)
    with pytest.raises(ApplyFailed):
        platform.metadata.apply(plan, author="test", confirm=True)
    assert physical_schema(platform) == before
    assert select_all(platform, "lead", "name") == [("Lead",)]
    assert head(platform) == 2


def test_the_error_names_the_operation_and_the_database_s_reason(
        platform: Platform, deals: None, fail_at: Callable[..., None]) -> None:
    fail_at(4)
    with pytest.raises(ApplyFailed) as info:
        platform.metadata.apply(platform.metadata.plan(CHANGE), author="test", confirm=True)
    assert info.value.detail == "add text field deal.stage: disk full"


def test_after_a_failure_the_same_change_applies_cleanly(
        platform: Platform, deals: None, fail_at: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> None:
    fail_at(5)
    with pytest.raises(ApplyFailed):
        platform.metadata.apply(platform.metadata.plan(CHANGE), author="test", confirm=True)
    monkeypatch.undo()
    version = platform.metadata.apply(platform.metadata.plan(CHANGE), author="test", confirm=True)
    assert version.id == 2
    assert select_all(platform, "deal", "code", "memo", "stage") == [(12, "first", None), (7, None, None)]


def test_a_failure_while_recording_the_version_undoes_every_operation(
        platform: Platform, deals: None, monkeypatch: pytest.MonkeyPatch) -> None:
    before = physical_schema(platform)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise sa.exc.OperationalError("insert", {}, Exception("connection lost"))

    monkeypatch.setattr(store, "insert_version", refuse)
    with pytest.raises(sa.exc.OperationalError):
        platform.metadata.apply(platform.metadata.plan(CHANGE), author="test", confirm=True)
    assert physical_schema(platform) == before
    assert head(platform) == 1


def test_a_bug_in_a_handler_propagates_and_still_changes_nothing(
        platform: Platform, deals: None, fail_at: Callable[..., None]) -> None:
    before = physical_schema(platform)
    fail_at(2, lambda: RuntimeError("handler bug"))
    with pytest.raises(RuntimeError, match="handler bug"):
        platform.metadata.apply(platform.metadata.plan(CHANGE), author="test", confirm=True)
    assert physical_schema(platform) == before
    assert head(platform) == 1


def test_a_failed_apply_keeps_the_cached_schema(
        platform: Platform, deals: None, fail_at: Callable[..., None]) -> None:
    cached = platform.schema.get()
    fail_at(2)
    with pytest.raises(ApplyFailed):
        platform.metadata.apply(platform.metadata.plan(CHANGE), author="test", confirm=True)
    assert platform.schema.get() is cached
