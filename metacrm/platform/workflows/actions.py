"""The action registry: one handler per action type, ``{type: handler}``, open to plugins.

A handler gets an :class:`ActionContext` — the transaction in progress, the
triggering record and its expression scope, who acts — and returns a small
JSON detail for the run log (the record it created, the job it enqueued).
It raises to fail: a same-transaction action's failure rolls back the save
that triggered it. Plugins add action types with :func:`register_action`
(and declare the keys their documents use, ``metadata.workflows.declare_action``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.workflows import ActionDef, WorkflowDef, declare_action

from ..records.actor import Actor
from ..schema_cache import LiveSchema

if TYPE_CHECKING:
    from .engine import WorkflowEngine


@dataclass
class ActionContext:
    engine: "WorkflowEngine"
    conn: Connection
    live: LiveSchema
    obj: CompiledObject
    workflow: WorkflowDef
    action: ActionDef
    index: int
    actor: Actor  # who the action writes as (docs/workflows.md: "Who actions act as")
    record: Mapping[str, Any]  # the triggering record as it is now
    scope: dict[str, Any]  # the expression names (conditions.names)
    trigger: str

    @property
    def params(self) -> Mapping[str, Any]:
        return self.action.params


ActionHandler = Callable[[ActionContext], "Mapping[str, Any] | None"]
ACTIONS: dict[str, ActionHandler] = {}


def register_action(type_: str, handler: ActionHandler, *, keys: set[str] | None = None,
                    required: tuple[str, ...] = ()) -> None:
    """Add (or replace) the handler of an action type; ``keys`` declares its document keys for the checks."""
    ACTIONS[type_] = handler
    if keys is not None:
        declare_action(type_, keys, required=required)


def action(type_: str) -> Callable[[ActionHandler], ActionHandler]:
    def decorator(fn: ActionHandler) -> ActionHandler:
        ACTIONS[type_] = fn
        return fn
    return decorator
