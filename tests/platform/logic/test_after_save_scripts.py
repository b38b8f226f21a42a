"""After-save scripts: run in the save's transaction, as the acting user; any failure refuses the whole save."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.records.errors import RecordInvalid

from .script_fixtures import Org, after_save, build_org, cheap_password_hashing  # noqa: F401
from tests.platform.records.conftest import row_count

FOLLOW_UP = ("if old is None or old.stage != record.stage:\n"
             "    create('task', subject=concat('Follow up ', record.title), deal=record.id,\n"
             "           due=add_business_days(today(), 2))")
REFUSE_BIG = "if record.amount is not None and record.amount > 1000000:\n    fail('Too big for one deal', 'amount')"
TOUCH_ACCOUNT = "if record.account is not None:\n    update('account', record.account, tier=2)"
COUNT_OWN = "update('deal', record.id, touches=len(query('task', deal=record.id)))"
LOOP = "update('deal', record.id, touches=(record.touches or 0) + 1)"
SWALLOW = "try:\n    update('account', record.account, tier=3)\nexcept:\n    pass"


def org_with(platform: Any, apply: Any, *deal_scripts: dict[str, Any]) -> Org:
    return build_org(platform, apply, deal_scripts=deal_scripts)


def tasks(org: Org) -> list[dict[str, Any]]:
    return org.platform.records.reader.list(org.admin, "task", {"sort": "id"}).records


def test_a_follow_up_task_commits_with_the_record(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("follow_up", FOLLOW_UP))
    deal = org.deal(org.rep1, title="Acme", stage="Open")
    [task] = tasks(org)
    assert task["subject"] == "Follow up Acme" and task["deal"] == deal["id"]
    assert task["created_by"] == org.rep1.id  # written as the acting user
    org.platform.records.update(org.rep1, "deal", deal["id"], {"title": "Acme 2"})  # same stage: nothing new
    assert len(tasks(org)) == 1
    org.platform.records.update(org.rep1, "deal", deal["id"], {"stage": "Won"})
    assert [t["subject"] for t in tasks(org)] == ["Follow up Acme", "Follow up Acme 2"]


def test_the_task_disappears_when_a_later_script_refuses_the_save(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("follow_up", FOLLOW_UP), after_save("refuse_big", REFUSE_BIG))
    with pytest.raises(RecordInvalid) as caught:
        org.deal(org.rep1, title="Huge", stage="Open", amount="2000000")
    assert 'after-save script "refuse_big" failed: Too big for one deal' in caught.value.detail
    assert caught.value.field_errors[0].field == "amount"
    assert row_count(platform, "deal") == 0 and row_count(platform, "task") == 0


def test_a_script_writing_a_record_the_user_may_not_edit_refuses_the_save(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("touch_account", TOUCH_ACCOUNT))
    account = org.platform.records.create(org.admin, "account", {"name": "Acme", "tier": 1})
    with pytest.raises(RecordInvalid) as caught:
        org.deal(org.rep1, title="Acme deal", account=account["id"])
    message = caught.value.field_errors[0].message
    assert 'after-save script "touch_account"' in message and 'update("account") was refused' in message
    assert caught.value.field_errors[0].code == "script_refused"
    assert row_count(platform, "deal") == 0
    org.deal(org.admin, title="Admin deal", account=account["id"])  # an admin may: the same script works
    assert org.platform.records.get(org.admin, "account", account["id"])["tier"] == 2


def test_a_refused_write_refuses_the_save_even_when_the_script_goes_on(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("swallow", SWALLOW))
    account = org.platform.records.create(org.admin, "account", {"name": "Acme"})
    with pytest.raises(RecordInvalid, match="was refused"):
        org.deal(org.rep1, title="Acme deal", account=account["id"])


def test_the_script_sees_the_saved_record_and_can_query_what_it_wrote(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("follow_up", FOLLOW_UP))
    deal = org.deal(org.admin, title="Seen", stage="Open")
    assert deal["id"] and tasks(org)[0]["deal"] == deal["id"]


def test_record_is_read_only_in_an_after_save_script(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("setter", "record.title = 'changed'"))
    with pytest.raises(RecordInvalid, match='after-save script "setter" stopped'):
        org.deal(org.admin, title="Keep")


def test_scripts_that_keep_triggering_each_other_stop_at_the_depth_limit(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("loop", LOOP))
    with pytest.raises(RecordInvalid) as caught:
        org.deal(org.admin, title="Loop")
    assert "nested more than 5 deep" in caught.value.detail
    assert row_count(platform, "deal") == 0


def test_after_save_scripts_do_not_run_on_delete(platform: Any, apply: Any) -> None:
    org = org_with(platform, apply, after_save("follow_up", FOLLOW_UP))
    deal = org.deal(org.admin, title="Gone", stage="Open")
    org.platform.records.delete(org.admin, "deal", deal["id"])
    assert len(tasks(org)) == 1
