"""query(object, **filters) in scripts: the acting user's view of the data, capped, read-only (both databases)."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.logic.api_scripts import ScriptFailed
from metacrm.platform.records.errors import RecordInvalid
from metacrm.platform.logic.sandbox import evaluate
from metacrm.platform.logic.limits import SandboxError

from .script_fixtures import Org, api_script, build_org, cheap_password_hashing  # noqa: F401

LIST = "rows = query('deal', **params)\nresult = [[r.title, r.amount] for r in rows]"
SECRET = "result = [r.secret if 'secret' in r else 'not here' for r in query('deal')]"
KEYS = "result = sorted(query('deal', limit=1)[0])"
WON = "result = [r.title for r in query('deal', stage='Won', amount__gt=1000, sort='-amount')]"
IN = "result = [r.title for r in query('deal', stage__in=['Won', 'Lost'], sort='title')]"
WRITE_VIEW = "r = query('deal')[0]\nr.title = 'changed'"
BAD_FIELD = "result = query('deal', amout__gt=5)"
BY_SECRET = "result = len(query('deal', secret='s1'))"
MANY = "result = len(query('task', limit=5000))"
LOOP = "n = 0\nfor i in range(60):\n    n += len(query('task', limit=1))\nresult = n"


@pytest.fixture
def org(platform: Any, apply: Any) -> Org:
    scripts = [api_script(n, c, roles=["rep"]) for n, c in
               (("list", LIST), ("secret", SECRET), ("keys", KEYS), ("won", WON), ("in_list", IN),
                ("write_view", WRITE_VIEW), ("bad_field", BAD_FIELD), ("by_secret", BY_SECRET), ("many", MANY), ("loop", LOOP))]
    o = build_org(platform, apply, task_scripts=tuple(scripts))
    for title, amount, stage, owner, secret in (("Rep1 small", "500", "Won", o.rep1, "s1"),
                                                ("Rep1 big", "5000", "Won", o.rep1, "s2"),
                                                ("Rep2 big", "9000", "Won", o.rep2, "s3"),
                                                ("Rep2 lost", "100", "Lost", o.rep2, "s4")):
        o.deal(o.admin, title=title, amount=amount, stage=stage, secret=secret, owner=owner.id)
    return o


def run(org: Org, who: Any, name: str, **params: Any) -> Any:
    return org.platform.scripts.run(name, who, params)


def test_query_sees_only_the_records_the_acting_user_may_read(org: Org) -> None:
    assert sorted(t for t, _ in run(org, org.rep1, "list")) == ["Rep1 big", "Rep1 small"]
    assert len(run(org, org.admin, "list")) == 4


def test_hidden_fields_never_reach_the_script(org: Org) -> None:
    assert run(org, org.rep1, "secret") == ["not here", "not here"]
    assert "secret" not in run(org, org.rep1, "keys")
    assert sorted(run(org, org.admin, "secret")) == ["s1", "s2", "s3", "s4"]


def test_filters_are_the_query_language_of_list_urls(org: Org) -> None:
    assert run(org, org.admin, "won") == ["Rep2 big", "Rep1 big"]
    assert run(org, org.rep1, "won") == ["Rep1 big"]
    assert run(org, org.admin, "in_list") == ["Rep1 big", "Rep1 small", "Rep2 big", "Rep2 lost"]


def test_a_hidden_field_cannot_be_filtered_on_either(org: Org) -> None:
    with pytest.raises(ScriptFailed, match='"secret" is not a field of Deal'):
        run(org, org.rep1, "by_secret")
    assert run(org, org.admin, "by_secret") == 1


def test_rows_are_read_only_views(org: Org) -> None:
    with pytest.raises(ScriptFailed, match="stopped"):
        run(org, org.admin, "write_view")


def test_a_bad_filter_is_a_script_error_naming_the_problem(org: Org) -> None:
    with pytest.raises(ScriptFailed) as caught:
        run(org, org.admin, "bad_field")
    assert "amout" in caught.value.detail and 'query("deal")' in caught.value.detail


def test_rows_per_call_and_calls_per_run_are_capped(org: Org) -> None:
    for i in range(org.platform.scripts.limits.max_rows + 5):
        org.platform.records.create(org.admin, "task", {"subject": f"t{i}"})
    assert run(org, org.admin, "many") == org.platform.scripts.limits.max_rows
    with pytest.raises(ScriptFailed, match="more than 50 queries"):
        run(org, org.admin, "loop")


def test_expressions_do_not_get_query() -> None:
    with pytest.raises(SandboxError, match="server scripts only"):
        evaluate("query('deal')", {})


def test_a_rule_using_query_refuses_the_save_with_that_reason(org: Org, apply: Any) -> None:
    from .script_fixtures import bundle

    doc = bundle()
    doc["objects"][2]["validation_rules"] = [{"name": "q", "condition": "len(query('deal')) < 100",
                                              "message": "too many", "fields": ["subject"]}]
    apply(doc)
    with pytest.raises(RecordInvalid) as caught:
        org.platform.records.create(org.admin, "task", {"subject": "x"})
    assert "server scripts only" in caught.value.field_errors[0].message
    assert isinstance(caught.value, Unprocessable)


def test_a_before_save_script_may_query_but_not_write(platform: Any, apply: Any) -> None:
    from .script_fixtures import build_org

    checks = ({"name": "count", "event": "before_save",
               "code": "record.due = None\nif len(query('task', subject=record.subject)) > 0:\n"
                       "    fail('A task with this subject exists', 'subject')"},
              {"name": "no_writes", "event": "before_save",
               "code": "if record.subject == 'write':\n    create('deal', title='x')"})
    org = build_org(platform, apply, task_scripts=checks)
    org.platform.records.create(org.rep1, "task", {"subject": "Call"})
    with pytest.raises(RecordInvalid) as caught:
        org.platform.records.create(org.rep1, "task", {"subject": "Call"})
    assert caught.value.field_errors[0].message == "A task with this subject exists"
    with pytest.raises(RecordInvalid) as caught:
        org.platform.records.create(org.rep1, "task", {"subject": "write"})
    assert "after-save and API scripts only" in caught.value.field_errors[0].message
