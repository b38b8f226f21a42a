"""Limits of one sandboxed run, and the errors a run ends with.

RestrictedPython guards the language, not the machine, so every run also
carries a :class:`Budget`: a deadline checked at each loop step, iteration
and function call, a recursion depth, and caps on the size of values an
operation may produce (checked *before* the operation allocates). What a
guard cannot stop (work inside one C call) is bounded by the size caps for
expressions, and by the worker process's rlimits and the parent's kill for
scripts (``worker_client.py``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


class SandboxError(Exception):
    """A script or expression did something it may not do; the message is for the admin."""

    code = "sandbox_error"

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return f"{self.message}{where}"


class LimitExceeded(SandboxError):
    """A time, size, recursion or record limit was hit: only that run stops."""

    code = "limit_exceeded"


class DeadlineExceeded(LimitExceeded):
    """The wall-clock deadline passed (the API answers 504 rather than 422: the work was cut short)."""

    code = "deadline_exceeded"


class ScriptFailure(Exception):
    """Raised by ``fail(message, field)`` in a script: a user-facing refusal, not a bug."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = str(message)
        self.field = str(field or "")


@dataclass(frozen=True)
class Limits:
    """Hard limits of one run (defaults: the issue's 50 ms for expressions, 2 s for scripts)."""

    seconds: float = 0.05
    max_depth: int = 50
    max_length: int = 1_000_000  # characters of a string, items of a list/tuple/dict/set
    max_range: int = 1_000_000
    max_int_bits: int = 100_000  # about 30,000 decimal digits
    max_allocated: int = 64 * 1024 * 1024  # bytes the size-checked operations of one run may build
    max_rows: int = 200  # rows one query() returns at most (its ``limit`` is capped to this)
    max_queries: int = 50  # query() calls in one run
    max_rows_total: int = 2000  # rows all query() calls of one run may return together
    max_writes: int = 20  # records an after-save or API script may create or update
    max_nesting: int = 5  # after-save scripts triggered by the writes of after-save scripts, deep
    max_script_runs: int = 50  # after-save scripts one save may run in all (nested ones included)
    memory_bytes: int = 512 * 1024 * 1024  # worker RLIMIT_AS
    cpu_seconds: int = 2  # worker RLIMIT_CPU per run (whole seconds: the OS's granularity)


EXPRESSION_LIMITS = Limits()
SCRIPT_LIMITS = Limits(seconds=2.0, max_depth=100)


class Budget:
    """The running count of one evaluation; checked cheaply (the clock every 256 steps)."""

    __slots__ = ("limits", "deadline", "steps", "depth", "queries", "writes", "allocated", "exhausted")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.perf_counter() + limits.seconds
        self.steps = 0
        self.depth = 0
        self.queries = 0
        self.writes = 0
        self.allocated = 0
        self.exhausted = False  # once a limit is hit every later check fails: a bare except cannot resume

    def step(self) -> None:
        self.steps += 1
        if self.exhausted or (not self.steps & 255 and time.perf_counter() > self.deadline):
            self.exhausted = True
            raise DeadlineExceeded(f"took longer than {self.limits.seconds * 1000:.0f} ms and was stopped")

    def charge(self, n_bytes: int) -> None:
        """Count what an operation is about to allocate; refuse past ``max_allocated``."""
        self.allocated += n_bytes
        if self.allocated > self.limits.max_allocated:
            self.exhausted = True
            raise LimitExceeded(f"built more than {self.limits.max_allocated // 2**20} MB of values")

    def check_time(self) -> None:
        if time.perf_counter() > self.deadline:
            raise DeadlineExceeded(f"took longer than {self.limits.seconds * 1000:.0f} ms and was stopped")


_state = threading.local()


def current() -> Budget:
    """The budget of the run on this thread (a fresh default one outside a run)."""
    budget = getattr(_state, "budget", None)
    if budget is None:
        budget = _state.budget = Budget(EXPRESSION_LIMITS)
    return budget


def begin(limits: Limits) -> Budget | None:
    """Start a run on this thread; returns the budget it replaces (runs may nest: a rule calling query)."""
    previous = getattr(_state, "budget", None)
    _state.budget = Budget(limits)
    return previous


def end(previous: Budget | None) -> None:
    _state.budget = previous
