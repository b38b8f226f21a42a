"""The run_script, notify and wait actions (docs/workflows.md, "Actions")."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.errors import PlatformError
from metacrm.platform.jobs import Jobs
from metacrm.platform.notifications import notification, store
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows import waits
from tests.conftest import fld, make_object

from .conftest import make_user, runs, sent_mail
from .test_classic_automations import _make_due

TOUCH = "update('deal', record.id, touches=(record.touches or 0) + 1)\ncreate('task', subject=concat('Call ', record.title))"
REFUSE = "fail('deals of this size need a manager', 'amount')"


def bundle(*workflows: dict[str, Any]) -> dict[str, Any]:
    return {"objects": [
        make_object("deal", fld("title", required=True), fld("amount", "currency"), fld("touches", "integer"),
                    fld("stage", "picklist", options=["Open", "Won", "Lost"]), workflows=list(workflows),
                    scripts=[{"name": "touch", "event": "api", "code": TOUCH},
                             {"name": "refuse", "event": "api", "code": REFUSE}]),
        make_object("task", fld("subject", required=True))],
        "roles": [{"name": "sales", "objects": {"deal": {"read": True, "create": True, "update": True}}}]}


def wf(name: str, *actions: dict[str, Any], trigger: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "label": name.replace("_", " ").capitalize(), "trigger": trigger or {"type": "created"},
            "actions": list(actions)}


def inbox(platform: Platform, user_id: int) -> list[dict[str, Any]]:
    return store.listing(platform.engine, user_id)[0]


# --- run_script --------------------------------------------------------------------------------
def test_run_script_runs_the_objects_script_in_the_same_transaction(
        platform: Platform, records: RecordService, alice: Actor, apply: Callable[..., Any]) -> None:
    apply(bundle(wf("touch_on_create", {"type": "run_script", "script": "touch"})))
    deal = records.create(alice, "deal", {"title": "Acme"})
    assert records.get(alice, "deal", deal["id"])["touches"] == 1
    assert [t["subject"] for t in records.reader.list(alice, "task", {}).records] == ["Call Acme"]
    [run] = runs(platform)
    assert run["actions"][0]["detail"] == {"script": "touch", "writes": 2}


def test_a_failing_script_fails_the_step_and_rolls_the_save_back(
        records: RecordService, alice: Actor, apply: Callable[..., Any]) -> None:
    apply(bundle(wf("refuse_on_create", {"type": "run_script", "script": "refuse"})))
    with pytest.raises(PlatformError, match="deals of this size need a manager"):
        records.create(alice, "deal", {"title": "Acme"})
    assert records.reader.list(alice, "deal", {}).records == []


def test_run_script_must_name_a_script_of_the_object(apply: Callable[..., Any]) -> None:
    with pytest.raises(PlatformError) as refused:
        apply(bundle(wf("bad", {"type": "run_script", "script": "tuoch"})))
    assert 'did you mean "touch"' in str(refused.value.extra)


# --- notify ------------------------------------------------------------------------------------
def test_notify_writes_one_notification_per_recipient(
        platform: Platform, records: RecordService, jobs: Jobs, apply: Callable[..., Any]) -> None:
    apply(bundle(wf("announce", {"type": "notify", "to": ["owner", "owner.manager", "sales"],
                                 "message": "{{ record.title }} is yours"})))
    boss = make_user(platform, "boss@example.com")
    rep = make_user(platform, "rep@example.com", roles=("sales",), manager=boss.id)
    other = make_user(platform, "other@example.com", roles=("sales",))
    store.set_email_preference(platform.engine, boss.id, True)
    deal = records.create(rep, "deal", {"title": "Acme"})
    for user in (rep, boss, other):
        [note] = inbox(platform, user.id)
        assert (note["message"], note["object"], note["record_id"], note["read_at"]) == (
            "Acme is yours", "deal", deal["id"], None)
    jobs.run_pending()
    assert [(m["to_address"], m["subject"]) for m in sent_mail(platform)] == [("boss@example.com", "Acme is yours")]


def test_notify_by_expression_and_without_a_link(platform: Platform, records: RecordService, jobs: Jobs,
                                                 alice: Actor, apply: Callable[..., Any]) -> None:
    apply(bundle(wf("ping", {"type": "notify", "to": "=current_user.id", "message": "New deal", "link": False})))
    records.create(alice, "deal", {"title": "Acme"})
    [note] = inbox(platform, alice.id)
    assert (note["message"], note["object"], note["record_id"]) == ("New deal", None, None)


def test_a_rolled_back_save_notifies_nobody(platform: Platform, records: RecordService, jobs: Jobs, alice: Actor,
                                            apply: Callable[..., Any]) -> None:
    apply(bundle(wf("both", {"type": "notify", "to": "owner", "message": "hi"},
                    {"type": "run_script", "script": "refuse"})))
    with pytest.raises(PlatformError):
        records.create(alice, "deal", {"title": "Acme"})
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(notification)).scalar_one() == 0


def test_notify_recipients_are_checked(apply: Callable[..., Any]) -> None:
    with pytest.raises(PlatformError) as refused:
        apply(bundle(wf("bad", {"type": "notify", "to": "Sales team!", "message": "{{ record.titel }}"})))
    text = str(refused.value.extra)
    assert '"Sales team!" is not a recipient' in text
    assert 'did you mean "title"' in text


# --- wait --------------------------------------------------------------------------------------
WAIT_THEN_SET = wf("follow_up", {"type": "set_field", "fields": {"touches": 1}},
                   {"type": "wait", "for": 2, "unit": "days"},
                   {"type": "set_field", "fields": {"touches": "=touches + 1"}},
                   {"type": "notify", "to": "owner", "message": "{{ record.title }} followed up"})


def resume_jobs(platform: Platform) -> list[Any]:
    return [j for j in platform.jobs.list() if j.kind == waits.KIND]


def test_wait_pauses_the_run_and_a_job_continues_it_later(
        platform: Platform, records: RecordService, jobs: Jobs, alice: Actor, apply: Callable[..., Any]) -> None:
    apply(bundle(WAIT_THEN_SET))
    deal = records.create(alice, "deal", {"title": "Acme"})
    assert records.get(alice, "deal", deal["id"])["touches"] == 1
    [first] = runs(platform)
    assert [a["type"] for a in first["actions"]] == ["set_field", "wait"]
    [pending] = resume_jobs(platform)
    assert pending.key == f"wfw:{first['id']}" and pending.payload["start"] == 2
    in_two_days = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    assert abs((pending.run_at - in_two_days).total_seconds()) < 60
    assert jobs.run_pending() == 0  # not due yet
    _make_due(platform, pending.id)
    jobs.run_pending()
    assert records.get(alice, "deal", deal["id"])["touches"] == 2
    second = runs(platform)[-1]
    assert (second["trigger"], second["actor_id"], second["status"]) == (f"resume:{first['id']}", None, "succeeded")
    assert [a["index"] for a in second["actions"]] == [2, 3]
    assert [n["message"] for n in inbox(platform, alice.id)] == ["Acme followed up"]


def test_a_wait_whose_record_was_deleted_does_nothing(
        platform: Platform, records: RecordService, jobs: Jobs, alice: Actor, apply: Callable[..., Any]) -> None:
    apply(bundle(WAIT_THEN_SET))
    deal = records.create(alice, "deal", {"title": "Acme"})
    records.delete(alice, "deal", deal["id"])
    [pending] = resume_jobs(platform)
    _make_due(platform, pending.id)
    jobs.run_pending()
    assert platform.jobs.get(pending.id).result == "record gone"
    assert len(runs(platform)) == 1


def test_wait_units_are_checked(apply: Callable[..., Any]) -> None:
    with pytest.raises(PlatformError) as refused:
        apply(bundle(wf("bad", {"type": "wait", "for": 0, "unit": "weeks"}, {"type": "notify", "to": "owner",
                                                                              "message": "x"})))
    text = str(refused.value.extra)
    assert "from 1 to 36500" in text and '"weeks" is not a unit' in text


def test_resume_times() -> None:
    friday = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.timezone.utc)
    assert waits.resume_at(friday, 3, "hours") == friday + dt.timedelta(hours=3)
    assert waits.resume_at(friday, 1, "business_days").date() == dt.date(2026, 1, 5)
    assert waits.resume_at(friday, 1, "business_days").time() == dt.time(9, 30)
