"""Same-transaction actions share the save's fate; external ones are enqueued only with a commit; loops stop."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.jobs import Jobs
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows import WorkflowFailed
from tests.conftest import fld, make_object
from tests.platform.records.conftest import row_count

from .conftest import runs, sent_mail

Apply = Callable[..., Any]
EMAIL = {"type": "send_email", "to": "owner", "subject": "New {{ record.name }}", "body": "-"}


def test_a_failing_action_rolls_back_the_save_with_a_clear_error(
        apply: Apply, records: RecordService, alice: Actor, platform: Platform, jobs: Jobs) -> None:
    apply({"objects": [make_object("task", fld("subject", required=True)), make_object("lead", fld("name"), workflows=[
        {"name": "follow_up", "label": "Follow up", "trigger": {"type": "created"},
         "actions": [EMAIL, {"type": "create_record", "object": "task", "fields": {"subject": "=None"}}]}])]})
    with pytest.raises(WorkflowFailed) as caught:
        records.create(alice, "lead", {"name": "Acme"})
    assert caught.value.status == 422
    assert caught.value.detail.startswith('The workflow "Follow up" failed at step 2 (create_record), so nothing '
                                          "was saved:")
    assert caught.value.extra["errors"][0]["field"] == "subject"
    assert row_count(platform, "lead") == 0 and row_count(platform, "task") == 0
    assert jobs.list() == [] and runs(platform) == []  # the email of step 1 was never enqueued
    jobs.run_pending()
    assert sent_mail(platform) == []


def test_a_rolled_back_save_enqueues_nothing(apply: Apply, records: RecordService, alice: Actor,
                                             platform: Platform, jobs: Jobs) -> None:
    apply({"objects": [make_object("lead", fld("name"), fld("score", "integer"), workflows=[
        {"name": "hello", "trigger": {"type": "created"}, "actions": [EMAIL]}],
        validation_rules=[{"name": "positive", "condition": "score is None or score >= 0", "message": "no"}])]})
    lead = records.create(alice, "lead", {"name": "Ok"})
    with pytest.raises(Exception):
        records.bulk_create(alice, "lead", [{"name": "A"}, {"name": "B", "score": -1}])
    assert [j.payload["subject"] for j in jobs.list()] == ["New Ok"]
    assert lead["id"] and len(runs(platform)) == 1


def test_a_workflow_updating_its_own_record_is_cut_at_the_depth_limit(
        apply: Apply, records: RecordService, alice: Actor, platform: Platform) -> None:
    apply({"objects": [make_object("lead", fld("name"), fld("touches", "integer"), workflows=[
        {"name": "touch", "trigger": {"type": "updated"},
         "actions": [{"type": "set_field", "fields": {"touches": "=(touches or 0) + 1"}}]}])]})
    lead = records.create(alice, "lead", {"name": "A"})
    records.update(alice, "lead", lead["id"], {"name": "B"})
    assert records.get(alice, "lead", lead["id"])["touches"] == 5
    log = runs(platform, workflow="touch")
    assert [r["status"] for r in log].count("succeeded") == 5
    [cut] = [r for r in log if r["status"] == "cut"]
    assert cut["depth"] == 5 and "5 levels deep" in cut["error"]


def test_actions_act_for_the_triggering_user_with_the_platforms_rights(
        apply: Apply, records: RecordService, platform: Platform) -> None:
    from .conftest import make_user
    apply({"objects": [make_object("task", fld("subject")), make_object("lead", fld("name"), workflows=[
        {"name": "t", "trigger": {"type": "created"},
         "actions": [{"type": "create_record", "object": "task", "fields": {"subject": "x"}}]}])],
        "roles": [{"name": "rep", "objects": {"lead": {"create": True, "read": True}}}]})
    rep = make_user(platform, "rep@example.com", roles=("rep",), admin=False)
    records.create(rep, "lead", {"name": "A"})  # the rep may not create tasks; the workflow may
    admin = make_user(platform, "root@example.com")
    [task] = records.reader.list(admin, "task", {}).records
    assert task["created_by"] == rep.id and task["owner"] == rep.id
