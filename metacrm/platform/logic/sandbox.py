"""Running compiled admin code in-process: the fast path for formulas, rules and defaults.

``evaluate`` runs an expression with the guards, curated builtins and helpers
as globals and the record's fields as names. Everything it does is bounded by
the guards (size, depth, steps, deadline); work inside one C call cannot be
interrupted here, which is why server scripts run in the worker process
(``worker_client.py``) and expressions get no regular expressions.
"""

from __future__ import annotations

import builtins
import sys
from types import TracebackType
from typing import Any, Mapping

from . import guards, helpers
from .limits import EXPRESSION_LIMITS, LimitExceeded, Limits, SandboxError, ScriptFailure, begin, end
from .policy import Mode, compiled


def _str(value: Any = "") -> str:
    guards.check_text_size(value)
    return str(value)


def _wrap_iterating(fn: Any) -> Any:
    """Builtins that iterate in C get a materialised, counted argument (RestrictedPython 9 removed them)."""
    def call(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1:
            args = (guards.materialize(args[0]),)
        return fn(*args, **kwargs)
    call.__name__ = fn.__name__
    return call


def _range(*args: int) -> range:
    r = range(*args)
    limit = guards.current().limits.max_range
    if len(r) > limit:
        raise LimitExceeded(f"range() of {len(r):,} numbers (the limit is {limit:,})")
    return r


def _enumerate(items: Any, start: int = 0) -> Any:
    return enumerate(guards.materialize(items), start)


def _zip(*items: Any) -> Any:
    return zip(*(guards.materialize(i) for i in items))


def _reversed(items: Any) -> Any:
    return reversed(guards.materialize(items))


SAFE_BUILTINS: dict[str, Any] = {
    "True": True, "False": False, "None": None,
    "abs": abs, "bool": bool, "float": float, "int": int, "len": len, "round": round, "str": _str,
    "range": _range, "enumerate": _enumerate, "zip": _zip, "reversed": _reversed,
    **{fn.__name__: _wrap_iterating(fn) for fn in (all, any, max, min, sum, sorted, list, tuple, set, dict)},
}

GUARDS: dict[str, Any] = {
    "_getattr_": guards.guarded_getattr, "_getitem_": guards.guarded_getitem, "_write_": guards.guarded_write,
    "_getiter_": guards.guarded_iter, "_iter_unpack_sequence_": guards.guarded_iter_unpack_sequence,
    "_unpack_sequence_": guards.guarded_unpack_sequence, "_inplacevar_": guards.guarded_inplacevar,
    "_apply_": guards.apply, "_mul_": guards.guarded_mul, "_pow_": guards.guarded_pow,
    "_lshift_": guards.guarded_lshift, "_add_": guards.guarded_add, "_mod_": guards.guarded_mod,
    "_fmt_": guards.guarded_format, "_fn_": guards.guarded_function, "_step_": guards.step,
}

#: Guards and helpers live in the builtins mapping: a name lookup falls back to it (also inside
#: comprehensions and lambdas), so each run copies only the record's names, not ~60 entries.
SCOPE_BUILTINS: dict[str, Any] = {**SAFE_BUILTINS, **GUARDS, **helpers.HELPERS}
BASE_GLOBALS: dict[str, Any] = {"__builtins__": SCOPE_BUILTINS, "__name__": "metacrm_logic"}
assert builtins  # the real builtins are never handed to admin code


def evaluate(source: str, names: Mapping[str, Any], *, limits: Limits = EXPRESSION_LIMITS) -> Any:
    """The value of the expression ``source`` with ``names`` (fields, current_user, old...) in scope."""
    code = compiled(source, "eval")
    scope = {"__builtins__": SCOPE_BUILTINS, **names}
    previous = begin(limits)
    try:
        return eval(code, scope)  # noqa: S307 - RestrictedPython-compiled, guarded globals
    except (SandboxError, ScriptFailure):
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes the admin's error message
        raise translate(exc) from None
    finally:
        end(previous)


def run(source: str, scope: dict[str, Any], *, mode: Mode = "exec", limits: Limits) -> dict[str, Any]:
    """Run a script (in the worker); returns its globals so callers can read ``result``."""
    code = compiled(source, mode)
    globals_ = {**BASE_GLOBALS, **scope}
    previous = begin(limits)
    try:
        exec(code, globals_)  # noqa: S102 - RestrictedPython-compiled, guarded globals
    except (SandboxError, ScriptFailure):
        raise
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None
    finally:
        end(previous)
    return globals_


def translate(exc: BaseException) -> SandboxError:
    """A Python error inside admin code → a SandboxError naming the kind, message and line."""
    line = _user_line(exc.__traceback__)
    if isinstance(exc, RecursionError):
        return LimitExceeded("recursion too deep", line, 1)
    if isinstance(exc, MemoryError):
        return LimitExceeded("ran out of memory", line, 1)
    if isinstance(exc, NameError):
        return SandboxError(f"{exc} (not a field of this object or a helper)", line, 1 if line else None)
    text = str(exc)[:300]
    return SandboxError(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, line, 1 if line else None)


def _user_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<metacrm>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
