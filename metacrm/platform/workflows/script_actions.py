"""The ``run_script`` action: run an ``after_save`` or ``api`` script of the workflow's object.

``{"type": "run_script", "script": "<name>"}`` runs the script in the logic
layer's worker, with the same messages and limits as the logic layer itself
(``logic/after_save.py``, ``logic/api_scripts.py``): ``record`` (the triggering
record, read-only), ``old`` (None), ``current_user`` (who the workflow acts
as), ``params`` (``{"workflow": ..., "trigger": ...}`` and, for webhook runs,
``payload``), ``query``, ``create``, ``update``, ``fail``. Its writes go
through ``create_in``/``update_in`` on the run's connection, so it is a
same-transaction action: a failure — ``fail()``, a limit, a refused write —
fails the step and rolls back the save, like ``set_field``.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..logic import helpers
from ..logic.after_save import user_dict
from ..logic.data_calls import ScriptCalls
from ..logic.limits import SCRIPT_LIMITS, SandboxError, ScriptFailure
from ..logic.worker_client import shared_runner
from .actions import ActionContext, action
from .message_actions import json_safe
from .record_actions import ActionFailed

RUNNABLE_EVENTS = ("after_save", "api")


@action("run_script")
def run_script(ctx: ActionContext) -> Mapping[str, Any]:
    name = ctx.params["script"]
    script = next((s for s in ctx.obj.definition.scripts if s.name == name and s.event in RUNNABLE_EVENTS), None)
    if script is None:
        raise ActionFailed(f'{ctx.obj.name} has no after_save or api script "{name}"')
    if not script.active:
        raise ActionFailed(f'the script "{name}" is not active')
    calls = ScriptCalls(ctx.engine.records, ctx.actor, SCRIPT_LIMITS, conn=ctx.conn)
    params: dict[str, Any] = {"workflow": ctx.workflow.name, "trigger": ctx.trigger}
    if "payload" in ctx.scope:
        params["payload"] = json_safe(ctx.scope["payload"].to_dict())
    record = dict(ctx.record) if ctx.record.get("id") is not None else None
    message = {"code": script.code, "object": ctx.obj.name, "record": record, "record_readonly": True,
               "old": None, "user": user_dict(ctx.actor), "params": params, "settings": helpers.settings.to_dict()}
    try:
        reply = shared_runner().run(message, calls, SCRIPT_LIMITS)
    except ScriptFailure as exc:
        raise ActionFailed(f'the script "{name}" failed: {exc.message}') from None
    except SandboxError as exc:
        if calls.refused is None:
            raise ActionFailed(f'the script "{name}" stopped: {exc}') from None
    if calls.refused is not None:  # even when the script caught the error and went on
        raise ActionFailed(f'the script "{name}": {calls.refused_message}')
    result = (reply or {}).get("result") if isinstance(reply, Mapping) else None
    return {"script": name, "writes": calls.writes, **({"result": json_safe(result)} if result is not None else {})}
