"""MetaCRM's own email, webhook and rich-text features are plugins, applied to every platform."""

from __future__ import annotations

from typing import Any, Callable

from metacrm.platform.jobs import Jobs
from metacrm.platform.runtime import Platform
from metacrm.platform.web.forms.factory import DEFAULT_BUILDERS, FORMS
from metacrm.platform.workflows.actions import ACTIONS
from metacrm.plugins import PluginManager
from metacrm.plugins.builtin import BUILTIN, builtin_contexts
from metacrm.plugins.builtin import messaging
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth


def test_the_built_ins_are_reported_with_what_they_add(app: Any) -> None:
    response = app.test_client().get("/api/v1/plugins", headers=basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD))
    found = {p["name"]: p for p in response.get_json()["plugins"]}
    assert found["messaging"]["builtin"] and found["messaging"]["status"] == "loaded"
    assert found["messaging"]["contributes"] == ["workflow action send_email", "workflow action call_webhook",
                                                 "job email.send", "job webhook.call"]
    assert found["rich_text"]["contributes"] == ["field type rich_text"]
    assert found["messaging"]["entry_point"] == "metacrm.plugins.builtin.messaging"


def test_a_platform_without_an_app_gets_them(database_url: str) -> None:
    platform = Platform.from_url(database_url, migrate=True)
    try:
        assert [c.plugin for c in platform.plugins] == list(BUILTIN)
        assert platform.jobs.handler_for("email.send") is not None
        assert platform.jobs.handler_for("webhook.call") is not None
        assert ACTIONS["send_email"] is messaging_action("send_email")
        assert "rich_text" not in DEFAULT_BUILDERS and FORMS._builders["rich_text"] is not None
    finally:
        platform.engine.dispose()


def test_a_jobs_runner_made_later_takes_the_plugins_kinds(database_url: str) -> None:
    platform = Platform.from_url(database_url, migrate=True)
    try:
        platform.jobs = Jobs(platform, mode="manual")
        assert {"email.send", "webhook.call"} <= set(platform.jobs._handlers)
    finally:
        platform.engine.dispose()


def test_third_party_job_kinds_reach_a_later_jobs_runner_by_the_same_path(
        install: Callable[..., None], make_app: Callable[[], Any], tmp_path: Any) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "nightly.py").write_text("def report(job):\n    return None\n\n"
                                     "def setup(ctx):\n    ctx.add_job('nightly.report', report)\n")
    install("nightly", {"nightly": "nightly"}, code_dir=code)
    app = make_app()
    platform = app.extensions["metacrm"]
    assert platform.jobs.handler_for("nightly.report") is not None
    platform.jobs = Jobs(platform, mode="manual")
    assert platform.jobs.handler_for("nightly.report") is not None
    assert platform.jobs.handler_for("email.send") is not None


def test_a_plugin_cannot_take_a_built_in_action_name(
        install: Callable[..., None], make_app: Callable[[], Any], tmp_path: Any) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "mailer.py").write_text("def send(ctx):\n    return {}\n\n"
                                    "def setup(ctx):\n    ctx.add_workflow_action('send_email', send)\n")
    install("mailer", {"mailer": "mailer"}, code_dir=code)
    app = make_app()
    manager: PluginManager = app.extensions["metacrm_plugins"]
    [report] = [r for r in manager.reports if r.name == "mailer"]
    assert report.status == "failed" and 'workflow action "send_email" is already registered' in report.error
    assert ACTIONS["send_email"] is messaging_action("send_email")


def messaging_action(name: str) -> Any:
    [ctx] = [c for c in builtin_contexts() if c.plugin == messaging.__name__.rsplit(".", 1)[1]]
    return ctx.workflow_actions[name].handler
