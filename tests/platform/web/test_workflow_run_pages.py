"""The administrators' pages of the workflow run log: filters, paging, one run's actions, and retrying
a failed job a run enqueued."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.storage.store import utcnow
from metacrm.platform.workflows import run_log
from metacrm.platform.workflows.run_log import Run

from .conftest import USER_EMAIL, USER_PASSWORD, post_form, sign_in


def log_run(app: Any, **values: Any) -> int:
    run = Run(values.pop("object", "deal"), values.pop("workflow", "won_deal"), values.pop("record_id", 7),
              values.pop("trigger", "record.updated"), None, **values)
    with app.extensions["metacrm"].engine.begin() as conn:
        return run_log.write(conn, run)


def failed_job(app: Any) -> int:
    now = utcnow()
    with app.extensions["metacrm"].engine.begin() as conn:
        return conn.execute(job_table.insert().values(
            kind="email.send", payload={"to": "x@example.com"}, status="failed", run_at=now, attempts=5,
            max_attempts=5, last_error="SMTP refused", created_at=now, updated_at=now).returning(job_table.c.id)
        ).scalar_one()


@pytest.fixture
def logged(app: Any) -> dict[str, int]:
    job_id = failed_job(app)
    ok = log_run(app, actions=[{"index": 0, "type": "set_field", "status": "succeeded", "duration_ms": 1.5,
                                "detail": {"fields": ["stage"]}}])
    bad = log_run(app, workflow="close_reminder", trigger="time", status="failed", error="step 1 (send_email): boom",
                  actions=[{"index": 0, "type": "send_email", "status": "succeeded", "duration_ms": 2.0,
                            "detail": {"to": ["x@example.com"], "jobs": [job_id]}}])
    return {"ok": ok, "bad": bad, "job": job_id}


def test_admins_see_runs_newest_first_and_filter_them(browser: Any, logged: dict[str, int]) -> None:
    page = browser.get("/admin/workflows/runs").get_data(as_text=True)
    assert page.index("close_reminder") < page.index("won_deal")
    failed = browser.get("/admin/workflows/runs?status=failed").get_data(as_text=True)
    assert "close_reminder" in failed and "won_deal" not in failed
    by_workflow = browser.get("/admin/workflows/runs?workflow=won_deal&object=deal").get_data(as_text=True)
    assert "won_deal" in by_workflow and "close_reminder" not in by_workflow
    assert 'id="workflow-runs-link"' in browser.get("/").get_data(as_text=True)


def test_runs_are_paged(app: Any, browser: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from metacrm.platform.web import workflow_run_views
    monkeypatch.setattr(workflow_run_views, "PAGE", 2)
    ids = [log_run(app, record_id=n) for n in range(3)]
    first = browser.get("/admin/workflows/runs").get_data(as_text=True)
    assert f"before={ids[1]}" in first
    older = browser.get(f"/admin/workflows/runs?before={ids[1]}").get_data(as_text=True)
    assert f'/admin/workflows/runs/{ids[0]}"' not in first and f'/admin/workflows/runs/{ids[0]}"' in older


def test_a_run_shows_each_actions_outcome_and_retries_its_failed_job(app: Any, browser: Any,
                                                                     logged: dict[str, int]) -> None:
    page = browser.get(f"/admin/workflows/runs/{logged['bad']}").get_data(as_text=True)
    assert "step 1 (send_email): boom" in page and "2.0 ms" in page and f'data-retry="{logged["job"]}"' in page
    retried = post_form(browser, f"/admin/workflows/runs/{logged['bad']}",
                        f"/admin/workflows/runs/{logged['bad']}/jobs/{logged['job']}/retry")
    assert retried.status_code == 302
    with app.extensions["metacrm"].engine.connect() as conn:
        # Back to work: pending, or already picked up by the in-process job thread the retry wakes.
        status = conn.execute(sa.select(job_table.c.status).where(job_table.c.id == logged["job"])).scalar()
    assert status in ("pending", "running", "succeeded")
    assert "data-retry" not in browser.get(f"/admin/workflows/runs/{logged['bad']}").get_data(as_text=True)
    other = post_form(browser, f"/admin/workflows/runs/{logged['ok']}",
                      f"/admin/workflows/runs/{logged['ok']}/jobs/{logged['job']}/retry")
    assert other.status_code == 404  # only the jobs of that run
    assert browser.get("/admin/workflows/runs/999999").status_code == 404


def test_the_pages_are_for_admins_only(client: Any, plain_user: Any, logged: dict[str, int]) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    assert client.get("/admin/workflows/runs").status_code == 403
    assert client.get(f"/admin/workflows/runs/{logged['ok']}").status_code == 403
    assert 'id="workflow-runs-link"' not in client.get("/").get_data(as_text=True)
