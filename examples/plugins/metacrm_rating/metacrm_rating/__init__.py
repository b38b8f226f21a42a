"""An example MetaCRM plugin, complete enough to copy: a field type with its widget, a workflow
action, a record-event listener and an API endpoint, declared in ``setup(ctx)``.

Installed with ``pip install ./examples/plugins/metacrm_rating``; the entry point in its
``pyproject.toml`` (group ``metacrm.plugins``) is how MetaCRM finds it.
"""

from __future__ import annotations

from typing import Any

from . import action
from .api import bp
from .field_type import RatingType, rating_widget

name = "rating"
version = "1.0.0"
description = "Star ratings (1–5) on any object, and a workflow action that posts to a chat webhook"

#: Every record event seen by this plugin's listener, newest last (a real plugin would do something useful).
SEEN: list[tuple[str, str, int]] = []


def _remember(event: Any) -> None:
    SEEN.append((event.name, event.object, event.record_id))
    del SEEN[:-100]


def setup(ctx: Any) -> None:
    ctx.add_field_type(RatingType, widget=rating_widget)
    ctx.add_workflow_action("post_to_chat", action.post_to_chat, keys=action.KEYS, required=action.REQUIRED)
    ctx.listen("record.created", _remember)
    ctx.add_blueprint(bp)


plugin = __import__(__name__)  # the module itself carries name, version, description and setup
