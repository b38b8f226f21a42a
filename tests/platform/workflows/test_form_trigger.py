"""Form submission triggers: a public web form calls ``engine.form_submitted`` inside the transaction that
created the record, and the object's ``form_submitted`` workflows for that form run in it."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.jobs import Jobs
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows import WorkflowFailed
from tests.conftest import fld, make_object

from .conftest import runs

WEB_LEAD = {"name": "web_lead", "label": "Web lead", "trigger": {"type": "form_submitted", "form": "contact_us"},
            "actions": [{"type": "set_field", "fields": {"source": "Web form"}}]}
REFUSING = {"name": "refuse", "label": "Refuse spam", "trigger": {"type": "form_submitted", "form": "contact_us"},
            "condition": "name == 'Spam'", "actions": [{"type": "set_field", "fields": {"score": -1}}]}


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [make_object("lead", fld("name", required=True), fld("source"), fld("score", "integer"),
                                   workflows=[WEB_LEAD, REFUSING],
                                   validation_rules=[{"name": "score", "condition": "score is None or score >= 0",
                                                      "message": "a score is never negative"}])]})


def submit(platform: Platform, form: str, data: dict[str, Any]) -> dict[str, Any]:
    """What a public form does: create the record and call the hook in the same transaction."""
    with platform.records.write() as conn:
        record = platform.records.create_in(conn, SYSTEM, "lead", data)
        platform.workflows.form_submitted(conn, "lead", record["id"], form, SYSTEM)
    return record


def test_a_form_submission_runs_the_workflows_of_that_form(platform: Platform, jobs: Jobs) -> None:
    lead = submit(platform, "contact_us", {"name": "Ada"})
    assert platform.records.get(SYSTEM, "lead", lead["id"])["source"] == "Web form"
    [run] = runs(platform, workflow="web_lead")
    assert (run["trigger"], run["record_id"], run["status"]) == ("form_submitted", lead["id"], "succeeded")


def test_other_forms_and_plain_creates_do_not_fire_it(platform: Platform, jobs: Jobs) -> None:
    other = submit(platform, "newsletter", {"name": "Bob"})
    plain = platform.records.create(SYSTEM, "lead", {"name": "Cy"})
    assert [platform.records.get(SYSTEM, "lead", r["id"])["source"] for r in (other, plain)] == [None, None]
    assert runs(platform) == []


def test_a_failing_same_transaction_action_rolls_the_submission_back(platform: Platform, jobs: Jobs) -> None:
    with pytest.raises(WorkflowFailed, match='"Refuse spam" failed at step 1') as failure:
        submit(platform, "contact_us", {"name": "Spam"})
    assert "a score is never negative" in [e.message for e in failure.value.field_errors]
    assert platform.records.reader.list(SYSTEM, "lead", {}).records == []
