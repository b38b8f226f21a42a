"""The ``post_to_chat`` workflow action: a chat message (Slack/Mattermost-style incoming webhook).

It does not post from inside the record's transaction: it enqueues the built-in ``webhook.call``
job, which runs after commit with retries, so a rolled-back save never posts.

    {"type": "post_to_chat", "url": "https://chat.example.com/hooks/abc",
     "text": "{{ record.title }} got {{ record.stars }} stars"}
"""

from __future__ import annotations

from typing import Any, Mapping

from metacrm.platform.workflows.actions import ActionContext
from metacrm.platform.workflows.message_actions import merge_fields
from metacrm.platform.workflows.templates import render

#: The action's document keys, for the definition checks (unknown keys are reported with their path).
KEYS = {"url", "text"}
REQUIRED = ("url", "text")


def post_to_chat(ctx: ActionContext) -> Mapping[str, Any]:
    text = render(ctx.params["text"], merge_fields(ctx))
    job = ctx.engine.require_jobs().enqueue(ctx.conn, "webhook.call",
                                            {"url": ctx.params["url"], "body": {"text": text}})
    return {"posted": text, "job": job}
