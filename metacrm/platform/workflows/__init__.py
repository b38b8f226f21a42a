"""Workflow automation: triggers, conditions, actions and the run log (docs/workflows.md).

``engine`` subscribes to record events and runs workflows; ``matching`` says
which workflows an event triggers; ``conditions`` evaluates expressions in
the logic sandbox; ``actions`` is the ``{type: handler}`` registry filled by
``record_actions`` (same transaction) and ``message_actions`` (enqueued
jobs); ``timers`` plans time triggers; ``run_log`` records every run.
"""

from . import hook_tables  # noqa: F401 - declares the inbound-webhook secrets table with the others
from .actions import ACTIONS, ActionContext, register_action
from .engine import WorkflowEngine, WorkflowFailed

__all__ = ["ACTIONS", "ActionContext", "WorkflowEngine", "WorkflowFailed", "register_action"]
