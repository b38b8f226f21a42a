"""Email and webhooks: the jobs that deliver them and the workflow actions that enqueue them.

The handlers live with the jobs and workflow packages (``email_job``,
``webhook_job``, ``message_actions``); this module is only where they are
registered, through the plugin interface, so a deployment sees them in the
plugin report like any other contribution.
"""

from __future__ import annotations

from metacrm.metadata.workflows import ACTION_KEYS, REQUIRED_ACTION_KEYS

from ..context import PluginContext


def setup(ctx: PluginContext) -> None:
    from metacrm.platform.jobs import email_job, webhook_job  # noqa: PLC0415  (platform imports at the edge)
    from metacrm.platform.workflows import message_actions  # noqa: PLC0415

    ctx.add_job("email.send", email_job.send_email)
    ctx.add_job("webhook.call", webhook_job.call_webhook)
    for action_type, handler in (("send_email", message_actions.send_email),
                                 ("call_webhook", message_actions.call_webhook)):
        ctx.add_workflow_action(action_type, handler, keys=set(ACTION_KEYS[action_type]),
                                required=REQUIRED_ACTION_KEYS[action_type])
