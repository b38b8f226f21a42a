"""After-save scripts: run after the record's write, inside its transaction.

Installed as an ``after_write`` hook (``runtime.py``) rather than an
``in_transaction`` event listener, for three reasons: hooks are the record
pipeline's own layers, run in the order they are installed (after audit's
field history, so the history shows the save before what the script does);
they run before the in-transaction events, which is the architecture's order
(after-save scripts, then workflows, which then see the scripts' records);
and an exception from a hook refuses the write like a before-save error.

The script sees ``record`` (the saved values with ``id``, read-only),
``old`` (None on create), ``current_user``, ``params`` (empty), the helpers,
``query``, ``create``, ``update`` and ``fail``. Its writes go through
``RecordService.create_in``/``update_in`` on the same connection, as the
acting user: they commit or roll back with the triggering save. Any failure
(``fail()``, a limit, an error, a refused write, even one the script caught)
refuses the whole save with a 422 naming the script. Writes that trigger
more after-save scripts nest at most ``Limits.max_nesting`` deep, with at
most ``Limits.max_script_runs`` runs per save, so a script that updates its
own object cannot loop forever.
"""

from __future__ import annotations

import threading
from typing import Any

from ..records.errors import FieldError, RecordInvalid
from ..records.hooks import WriteContext
from . import helpers
from .data_calls import ScriptCalls
from .limits import SCRIPT_LIMITS, Limits, SandboxError, ScriptFailure
from .views import UserView
from .worker_client import ScriptRunner, shared_runner

EVENTS = ("create", "update")


def user_dict(actor: Any) -> dict[str, Any]:
    return UserView(actor.id, actor.email, actor.roles, actor.is_admin).to_dict()


class AfterSaveScripts:
    """The ``after_write`` hook; ``records`` (the RecordService) is set once the service exists."""

    def __init__(self, runner: ScriptRunner | None = None, settings: Any = None, limits: Limits = SCRIPT_LIMITS):
        self.runner = runner or shared_runner()
        self.settings = settings  # OrgSettings: checked once per save chain, sent to the worker
        self.limits = limits
        self.records: Any = None
        self._state = threading.local()  # nesting depth and runs of the save in progress on this thread

    def __call__(self, ctx: WriteContext) -> None:
        if ctx.operation not in EVENTS or ctx.after is None:
            return
        scripts = [s for s in ctx.obj.definition.scripts if s.active and s.event == "after_save"]
        if not scripts:
            return
        depth = getattr(self._state, "depth", 0)
        if depth == 0:
            self._state.runs = 0
            if self.settings is not None:
                self.settings.check(ctx.conn)
        if depth >= self.limits.max_nesting:
            raise self._refusal(ctx, scripts[0].name, "loop_limit",
                                f"after-save scripts nested more than {self.limits.max_nesting} deep (each save "
                                f"triggered another); the last was on {ctx.obj.name} #{ctx.record_id}")
        self._state.depth = depth + 1
        try:
            for script in scripts:
                self._run(ctx, script)
        finally:
            self._state.depth = depth

    def _run(self, ctx: WriteContext, script: Any) -> None:
        self._state.runs = getattr(self._state, "runs", 0) + 1
        if self._state.runs > self.limits.max_script_runs:
            raise self._refusal(ctx, script.name, "loop_limit",
                                f"one save ran more than {self.limits.max_script_runs} after-save scripts")
        if self.records is None:
            raise RuntimeError("AfterSaveScripts.records is not set (runtime.py wires the record service)")
        calls = ScriptCalls(self.records, ctx.actor, self.limits, conn=ctx.conn)
        message = {"code": script.code, "object": ctx.obj.name, "record": dict(ctx.after), "record_readonly": True,
                   "old": dict(ctx.before) if ctx.before is not None else None, "user": user_dict(ctx.actor),
                   "settings": helpers.settings.to_dict()}
        try:
            self.runner.run(message, calls, self.limits)
        except ScriptFailure as exc:
            if calls.refused is None:
                field = exc.field if exc.field in ctx.obj.fields else ""
                raise RecordInvalid(f'The {ctx.obj.definition.label} was not saved: after-save script '
                                    f'"{script.name}" failed: {exc.message}',
                                    [FieldError(field, "script_failed", exc.message)]) from None
        except SandboxError as exc:
            if calls.refused is None:
                raise self._refusal(ctx, script.name, exc.code if exc.code != "sandbox_error" else "script_error",
                                    f"stopped: {exc}") from None
        if calls.refused is not None:  # even when the script caught the error and went on
            raise self._refusal(ctx, script.name, "script_refused", calls.refused_message)

    @staticmethod
    def _refusal(ctx: WriteContext, name: str, code: str, message: str) -> RecordInvalid:
        text = f'after-save script "{name}" {message}' if message.startswith("stopped") else \
            f'after-save script "{name}": {message}'
        return RecordInvalid(f"The {ctx.obj.definition.label} was not saved: {text}", [FieldError("", code, text)])
