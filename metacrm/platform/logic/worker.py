"""The script worker: a child process that runs server scripts, and nothing else.

Started by ``worker_client.ScriptRunner`` as ``python -m metacrm.platform.logic.worker``
with an emptied environment (no database URL, no secrets) and no inherited
file descriptors, so it has no database handle: every read or write a script
asks for (``query``, ``create``, ``update``) is a message the parent answers
through the record service with the acting user's permissions.

Limits the guards cannot enforce are the operating system's here:
RLIMIT_AS caps its memory and RLIMIT_CPU (raised before each run to the CPU
used so far plus the run's budget) kills it when one C call spins (``sum``
over a huge range, catastrophic regex backtracking). The parent also kills
it at the wall-clock deadline and starts a new one.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from typing import Any, BinaryIO

from . import helpers, wire
from .limits import LimitExceeded, Limits, SandboxError, ScriptFailure, current
from .sandbox import run
from .views import MutableRecord, RecordView, UserView


class Channel:
    """Requests to the parent for data: each call blocks until the parent answers."""

    def __init__(self, inp: BinaryIO, out: BinaryIO):
        self.inp, self.out = inp, out

    def send(self, message: Any) -> None:
        self.out.write(wire.dumps(message))
        self.out.flush()

    def call(self, name: str, **args: Any) -> Any:
        """The script's clock stops while the parent works: the deadline bounds the script's own time,
        and the parent's side is bounded by the query, row and write caps (a save through the record
        service on a loaded machine must not eat a script's budget)."""
        started = time.perf_counter()
        self.send({"call": name, "args": args})
        reply = wire.loads(self.inp.readline())
        current().deadline += time.perf_counter() - started
        if reply.get("error"):
            raise SandboxError(reply["error"])
        return reply.get("value")


def _api(channel: Channel, limits: Limits) -> dict[str, Any]:
    def query(object_name: str, **filters: Any) -> list[RecordView]:
        budget = current()
        budget.queries += 1
        if budget.queries > limits.max_queries:
            raise LimitExceeded(f"more than {limits.max_queries} queries in one run")
        rows = channel.call("query", object=str(object_name), filters={k: _filter_text(v) for k, v in filters.items()})
        return [RecordView(r, str(object_name)) for r in rows]

    def write(kind: str) -> Any:
        def call(object_name: str, *args: Any, **values: Any) -> Any:
            budget = current()
            budget.writes += 1
            if budget.writes > limits.max_writes:
                raise LimitExceeded(f"more than {limits.max_writes} records written in one run")
            payload = {"object": str(object_name), "values": values}
            if kind == "update":
                payload["id"] = int(args[0]) if args else None
            return channel.call(kind, **payload)
        return call

    return {"query": query, "create": write("create"), "update": write("update"), "matches": helpers.matches}


def _filter_text(value: Any) -> str:
    """A filter value as the query language spells it in a URL (``stage__in="Won,Lost"``, ``true``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_filter_text(v) for v in value)
    return str(value)


def handle(message: dict[str, Any], channel: Channel) -> dict[str, Any]:
    limits = Limits(**{k: float(v) if k == "seconds" else int(v) for k, v in message.get("limits", {}).items()})
    if "settings" in message:  # the organisation's settings as the parent has them now
        helpers.configure(helpers.LogicSettings.from_dict(message["settings"], helpers.LogicSettings.from_env()))
    scope: dict[str, Any] = dict(_api(channel, limits))
    user = message.get("user") or {}
    scope["current_user"] = UserView(user.get("id"), user.get("email", ""), user.get("roles", ()),
                                     bool(user.get("is_admin")))
    record = None
    if message.get("record") is not None and message.get("record_readonly"):
        scope["record"] = RecordView(message["record"], message.get("object", "record"))  # after-save: saved
    elif message.get("record") is not None:
        record = MutableRecord(message["record"], message.get("writable", ()), message.get("object", "record"))
        scope["record"] = record
    scope["old"] = RecordView(message["old"], "old") if message.get("old") is not None else None
    scope["params"] = message.get("params") or {}
    globals_ = run(message["code"], scope, limits=limits)
    out: dict[str, Any] = {"ok": True, "changes": record.changes if record is not None else {}}
    if "result" in globals_:
        out["result"] = globals_["result"]
    return out


def _set_cpu_limit(seconds: int) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    want = spent + seconds
    if hard != resource.RLIM_INFINITY and want > hard:
        sys.exit(3)  # the worker used its lifetime's CPU: the parent starts a fresh one
    resource.setrlimit(resource.RLIMIT_CPU, (want, hard))


def main() -> None:
    memory = int(os.environ.get("METACRM_WORKER_MEMORY", str(Limits().memory_bytes)))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))  # nothing to open: pipes only
    inp, out = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the protocol
    channel = Channel(inp, out)
    channel.send({"ready": True})
    for line in inp:
        try:
            message = wire.loads(line)
            _set_cpu_limit(int(message.get("limits", {}).get("cpu_seconds", Limits().cpu_seconds)))
            reply = handle(message, channel)
        except ScriptFailure as exc:
            reply = {"ok": False, "kind": "failure", "message": exc.message, "field": exc.field}
        except SandboxError as exc:
            reply = {"ok": False, "kind": exc.code, "message": exc.message, "line": exc.line}
        except MemoryError:
            reply = {"ok": False, "kind": "limit_exceeded", "message": "ran out of memory"}
        except Exception as exc:  # noqa: BLE001 - a malformed message must not end the worker
            reply = {"ok": False, "kind": "sandbox_error", "message": f"{type(exc).__name__}: {exc}"}
        try:
            channel.send(reply)
        except (TypeError, ValueError) as exc:
            channel.send({"ok": False, "kind": "sandbox_error", "message": f"the result cannot be sent: {exc}"})


if __name__ == "__main__":
    main()
