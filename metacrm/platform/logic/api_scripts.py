"""API scripts: ``POST /api/v1/scripts/<name>`` runs the ``api`` script of that name.

The script sees ``params`` (the JSON body), ``current_user`` (the caller),
the helpers, ``query``, ``create``, ``update`` and ``fail``, and answers by
setting ``result``. It runs in one write transaction, so everything it
creates or updates commits together or not at all; a refused write refuses
the whole call even if the script caught the error. Who may run it: admins,
and holders of a role the script lists in ``roles``. A read-scope token may
run any script it may call, but the script's first write is refused (the
scope is enforced at the write, not guessed from the code).

Pure of Flask: ``scripts_api.py`` is the HTTP edge.
"""

from __future__ import annotations

from typing import Any, Mapping

from metacrm.metadata.compiled import CompiledSchema
from metacrm.metadata.logic import ScriptDef

from ..errors import Forbidden, NotFound, PlatformError, Unprocessable
from ..records.actor import Actor
from . import helpers
from .after_save import user_dict
from .data_calls import ScriptCalls
from .limits import SCRIPT_LIMITS, DeadlineExceeded, Limits, SandboxError, ScriptFailure
from .worker_client import ScriptRunner, shared_runner


class ScriptFailed(Unprocessable):
    """The script called ``fail()`` or stopped on an error or a limit (422)."""

    title, type_slug = "Script failed", "script-failed"


class ScriptTimedOut(PlatformError):
    """The script ran past its deadline and was stopped (504: the work was cut short, nothing was saved)."""

    status, title, type_slug = 504, "Script timed out", "script-timed-out"


def api_scripts(schema: CompiledSchema) -> dict[str, tuple[str, ScriptDef]]:
    """Active API scripts by name (names are global: the metadata checks refuse duplicates), with their object."""
    found: dict[str, tuple[str, ScriptDef]] = {}
    for name in sorted(schema.objects):
        for script in schema.objects[name].definition.scripts:
            if script.event == "api" and script.active:
                found.setdefault(script.name, (name, script))
    return found


def may_run(script: ScriptDef, actor: Actor) -> bool:
    """Admins (and the system) always; others when they hold one of the script's ``roles``."""
    return actor.is_admin or actor.is_system or bool(set(script.roles) & set(actor.roles))


def runnable(schema: CompiledSchema, actor: Actor | None) -> list[tuple[str, ScriptDef]]:
    """The API scripts ``actor`` may run (None: every one, as for the full document)."""
    return [(obj, s) for obj, s in api_scripts(schema).values() if actor is None or may_run(s, actor)]


class ApiScripts:
    def __init__(self, records: Any, settings: Any = None, runner: ScriptRunner | None = None,
                 limits: Limits = SCRIPT_LIMITS):
        self.records = records
        self.settings = settings
        self.runner = runner or shared_runner()
        self.limits = limits

    def find(self, name: str, actor: Actor) -> tuple[str, ScriptDef]:
        """The script, or 404 (unknown) / 403 (the caller's roles may not run it)."""
        found = api_scripts(self.records.cache.get().compiled).get(name)
        if found is None:
            raise NotFound(f'there is no API script "{name}"')
        if not may_run(found[1], actor):
            allowed = ", ".join(found[1].roles) or "administrators only"
            raise Forbidden(f'you may not run the script "{name}" (allowed: {allowed})', script=name)
        return found

    def run(self, name: str, actor: Actor, params: Mapping[str, Any], *, read_only: str | None = None) -> Any:
        """The script's ``result``; ``read_only`` (a reason) refuses every write it asks for."""
        object_name, script = self.find(name, actor)
        with self.records.write() as conn:
            if self.settings is not None:
                self.settings.check(conn)
            calls = ScriptCalls(self.records, actor, self.limits, conn=conn, write_refusal=read_only)
            message = {"code": script.code, "object": object_name, "record": None, "old": None,
                       "user": user_dict(actor), "params": dict(params), "settings": helpers.settings.to_dict()}
            try:
                reply = self.runner.run(message, calls, self.limits)
            except ScriptFailure as exc:
                if calls.refused is None:
                    raise ScriptFailed(exc.message, script=name, field=exc.field) from None
                reply = {}
            except DeadlineExceeded as exc:
                raise ScriptTimedOut(f'the script "{name}" {exc.message}; nothing it wrote was saved',
                                     script=name) from None
            except SandboxError as exc:
                if calls.refused is None:
                    raise ScriptFailed(f'the script "{name}" stopped: {exc}', script=name, code=exc.code) from None
                reply = {}
            if calls.refused is not None:  # even when the script caught the error and went on
                refused = calls.refused
                refused.detail = f'the script "{name}": {calls.refused_message}'
                raise refused
        return reply.get("result")
