"""The parent side of the script worker: start, talk to, time out and restart it.

One persistent child per process (starting Python costs ~100 ms; a run on a
warm worker costs well under a millisecond of overhead — see the bench).
Runs are serialised by a lock. A run may nest: while the parent answers a
script's ``create``, the new record's own before- or after-save scripts run;
the busy worker cannot take them, so a nested run goes to a child runner (a
second worker, started on first need; the after-save depth limit bounds the
chain). The parent enforces the wall-clock deadline
itself with ``select``: when it passes, the child is killed (SIGKILL stops
any C call) and the next run starts a fresh one.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from typing import Any, Callable

from . import wire
from .limits import SCRIPT_LIMITS, DeadlineExceeded, LimitExceeded, Limits, SandboxError, ScriptFailure

#: Answers a script's data request: (name, args) → value; raise SandboxError to refuse.
CallHandler = Callable[[str, dict[str, Any]], Any]


class ScriptRunner:
    def __init__(self, limits: Limits = SCRIPT_LIMITS):
        self.limits = limits
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._running = threading.local()  # set while this thread is inside run(): a nested run goes to the child
        self._child: ScriptRunner | None = None
        self.starts = 0

    def _start(self) -> subprocess.Popen[bytes]:
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "random",
               "METACRM_WORKER_MEMORY": str(self.limits.memory_bytes)}
        for key in ("METACRM_HOLIDAY_COUNTRY", "METACRM_HOLIDAY_SUBDIVISION", "METACRM_FISCAL_YEAR_START"):
            if os.environ.get(key):
                env[key] = os.environ[key]
        proc = subprocess.Popen([sys.executable, "-m", "metacrm.platform.logic.worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, close_fds=True,
                                cwd="/")
        self.starts += 1
        ready = self._read(proc, time.monotonic() + 30)
        if not ready or not ready.get("ready"):
            proc.kill()
            raise SandboxError("the script worker could not start")
        return proc

    def _read(self, proc: subprocess.Popen[bytes], deadline: float) -> Any:
        assert proc.stdout is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([proc.stdout], [], [], remaining)[0]:
            return None
        line = proc.stdout.readline()
        return wire.loads(line) if line else {"died": True}

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
        if self._child is not None:
            self._child.stop()

    def _nested(self) -> "ScriptRunner":
        if self._child is None:
            self._child = ScriptRunner(self.limits)
        return self._child

    def run(self, message: dict[str, Any], calls: CallHandler | None = None,
            limits: Limits | None = None) -> dict[str, Any]:
        """Run one script message; returns the worker's reply or raises ScriptFailure/SandboxError."""
        limits = limits or self.limits
        if getattr(self._running, "active", False):
            return self._nested().run(message, calls, limits)
        with self._lock:
            self._running.active = True
            try:
                reply = self._exchange(message, calls, limits)
            finally:
                self._running.active = False
        if reply.get("ok"):
            return reply
        if reply.get("kind") == "failure":
            raise ScriptFailure(reply.get("message", ""), reply.get("field", ""))
        error = {"limit_exceeded": LimitExceeded, "deadline_exceeded": DeadlineExceeded}.get(reply.get("kind", ""),
                                                                                              SandboxError)
        raise error(reply.get("message", "failed"), reply.get("line"), 1 if reply.get("line") else None)

    def _exchange(self, message: dict[str, Any], calls: CallHandler | None, limits: Limits) -> dict[str, Any]:
        """Send one run and answer its data requests until the reply comes (or the deadline passes)."""
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        proc = self._proc
        assert proc.stdin is not None
        deadline = time.monotonic() + limits.seconds
        proc.stdin.write(wire.dumps({**message, "limits": asdict(limits)}))
        proc.stdin.flush()
        while True:
            reply = self._read(proc, deadline)
            if reply is None:
                self._kill()
                raise DeadlineExceeded(f"took longer than {limits.seconds:g} s and was stopped")
            if reply.get("died"):
                self._kill()
                raise LimitExceeded("used more CPU time or memory than allowed and was stopped")
            if "call" not in reply:
                break
            answering = time.monotonic()
            proc.stdin.write(wire.dumps(self._answer(reply, calls)))
            proc.stdin.flush()
            deadline += time.monotonic() - answering  # the parent's time is not the script's (see worker.Channel)
        return reply

    def _kill(self) -> None:
        """Kill this runner's worker only (a child may be serving an outer run's siblings later)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    @staticmethod
    def _answer(request: dict[str, Any], calls: CallHandler | None) -> dict[str, Any]:
        if calls is None:
            return {"error": f"{request['call']}() is not available here"}
        try:
            return {"value": calls(request["call"], request.get("args") or {})}
        except SandboxError as exc:
            return {"error": exc.message}
        except Exception as exc:  # noqa: BLE001 - the script sees why its request failed, not a traceback
            return {"error": getattr(exc, "detail", None) or str(exc)}


_shared: ScriptRunner | None = None
_shared_lock = threading.Lock()


def shared_runner() -> ScriptRunner:
    """The process's one script worker (started on first use, killed at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit

            _shared = ScriptRunner()
            atexit.register(_shared.stop)
        return _shared
