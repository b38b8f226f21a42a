"""Admins see and retry jobs through the API and the CLI; nobody else does."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from metacrm.platform.jobs import Jobs
from tests.conftest import ADMIN_PASSWORD, basic_auth

from .conftest import fast_settings, use_jobs


def failed_job(app: Any) -> tuple[Jobs, int]:
    platform = app.extensions["metacrm"]
    jobs = use_jobs(platform, fast_settings(), "manual")
    jobs.register("test.down", lambda ctx: 1 / 0, max_attempts=1)
    with platform.engine.begin() as conn:
        job_id = jobs.enqueue(conn, "test.down", {"n": 1})
    jobs.run_pending()
    return jobs, job_id


def test_admins_list_inspect_and_retry_failed_jobs(app: Any, client: Any, admin_headers: Any) -> None:
    jobs, job_id = failed_job(app)
    listed = client.get("/api/v1/jobs?status=failed", headers=admin_headers).get_json()
    assert [j["id"] for j in listed["data"]] == [job_id]
    assert listed["data"][0]["last_error"].startswith("ZeroDivisionError")
    assert client.get("/api/v1/jobs?status=done", headers=admin_headers).get_json()["data"] == []
    one = client.get(f"/api/v1/jobs/{job_id}", headers=admin_headers).get_json()
    assert (one["status"], one["attempts"], one["kind"]) == ("failed", 1, "test.down")
    retried = client.post(f"/api/v1/jobs/{job_id}/retry", headers=admin_headers)
    assert retried.status_code == 200 and retried.get_json()["status"] == "pending"
    assert client.post(f"/api/v1/jobs/{job_id}/retry", headers=admin_headers).status_code == 409
    assert client.get("/api/v1/jobs/999999", headers=admin_headers).status_code == 404
    bad = client.get("/api/v1/jobs?status=weird", headers=admin_headers)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "status"
    jobs.stop()


def test_non_admins_are_refused(app: Any, client: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.users.create("rep@example.com", ADMIN_PASSWORD, name="Rep")
    assert client.get("/api/v1/jobs", headers=basic_auth("rep@example.com", ADMIN_PASSWORD)).status_code == 403
    assert client.get("/api/v1/jobs").status_code == 401


def test_the_openapi_document_describes_the_job_endpoints(client: Any, admin_headers: Any) -> None:
    paths = client.get("/api/v1/openapi.json", headers=admin_headers).get_json()["paths"]
    assert {"/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/retry"} <= set(paths)


def test_the_cli_lists_and_retries_jobs(app: Any) -> None:
    from metacrm.cli import cli

    jobs, job_id = failed_job(app)
    runner = CliRunner()
    listed = runner.invoke(cli, ["jobs", "list", "--status", "failed"], obj=_script_info(app))
    assert listed.exit_code == 0 and f"#{job_id}  failed" in listed.output and "ZeroDivisionError" in listed.output
    retried = runner.invoke(cli, ["jobs", "retry", str(job_id)], obj=_script_info(app))
    assert retried.exit_code == 0 and "pending again" in retried.output
    again = runner.invoke(cli, ["jobs", "retry", str(job_id)], obj=_script_info(app))
    assert again.exit_code == 1 and "only failed or cancelled" in again.output
    jobs.stop()


def _script_info(app: Any) -> Any:
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_the_cli_runs_due_jobs_and_ticks_the_scheduler(app: Any) -> None:
    from metacrm.cli import cli

    platform = app.extensions["metacrm"]
    jobs = use_jobs(platform, fast_settings(), "manual")
    with platform.engine.begin() as conn:
        jobs.enqueue(conn, "email.send", {"to": "ann@example.com", "subject": "Hi", "body": "x"})
    runner = CliRunner()
    ticked = runner.invoke(cli, ["scheduler", "--once"], obj=_script_info(app))
    assert ticked.exit_code == 0 and '"requeued": 0' in ticked.output
    ran = runner.invoke(cli, ["jobs", "run"], obj=_script_info(app))
    assert ran.exit_code == 0 and "Ran 1 job(s)." in ran.output
    refused = runner.invoke(cli, ["worker", "--burst"], obj=_script_info(app))
    assert refused.exit_code == 1 and "METACRM_REDIS_URL is not set" in refused.output
    jobs.stop()
