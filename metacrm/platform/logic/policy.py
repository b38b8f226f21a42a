"""Compiling admin code: RestrictedPython plus MetaCRM's own, stricter policy.

RestrictedPython already refuses underscore names and attributes, rewrites
attribute/item access, iteration and in-place operators into guard calls, and
refuses ``try/except*`` (CVE-2025-22153) and positional-only guard shadowing.
On top of that this policy:

* refuses imports, ``global``, classes, ``with``, ``yield``/``await`` and
  ``async`` at compile time (so the builder reports them with line and column,
  instead of a run failing later);
* rewrites the operators that can allocate without bound — ``*``, ``**``,
  ``<<``, ``+``, ``%`` — into size-checked calls (``'x' * 10**9`` and
  ``10**10**10`` are refused before anything is allocated);
* rewrites every f-string field into ``_fmt_`` (width/precision capped);
* counts a step at the top of every loop body and wraps every function and
  lambda in ``_fn_`` (recursion depth and the deadline).

Compiled code is cached by the SHA-256 of (mode, source): a formula is
compiled once per process however many records it runs on.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from dataclasses import dataclass
from types import CodeType
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer

from metacrm.metadata.expressions import REFUSED_NODES, node_refusal

from .limits import SandboxError

Mode = Literal["eval", "exec"]

#: Binary operators that can build huge values, and the guard each becomes.
GUARDED_OPS: dict[type[ast.operator], str] = {
    ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Add: "_add_", ast.Mod: "_mod_",
}
#: Constructs refused at compile time; shared with the pure metadata checks so both agree.
REFUSED = REFUSED_NODES


@dataclass(frozen=True)
class CompileProblem:
    """A definition-time error: what and where (1-based line and column)."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class MetaCRMPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with MetaCRM's refusals and size/step guards."""

    def generic_visit(self, node: ast.AST) -> ast.AST:  # type: ignore[override]
        reason = REFUSED.get(type(node))
        if reason:
            self.error(node, reason)
            return node
        return super().generic_visit(node)

    def visit(self, node: ast.AST) -> ast.AST:  # type: ignore[override]
        reason = REFUSED.get(type(node))
        if reason:
            self.error(node, reason)
            return node
        return super().visit(node)

    def visit_Expression(self, node: ast.Expression) -> ast.AST:
        return ast.fix_missing_locations(super().visit_Expression(node))

    def visit_Module(self, node: ast.Module) -> ast.AST:
        return ast.fix_missing_locations(super().visit_Module(node))

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = GUARDED_OPS.get(type(node.op))
        if guard is None:
            return node
        return ast.copy_location(ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right],
                                          keywords=[]), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        call = ast.Call(func=ast.Name("_fmt_", ast.Load()),
                        args=[node.value, ast.Constant(node.conversion), spec], keywords=[])
        return ast.copy_location(ast.FormattedValue(value=ast.copy_location(call, node), conversion=-1,
                                                    format_spec=None), node)

    def _stepped(self, body: list[ast.stmt], at: ast.AST) -> list[ast.stmt]:
        step = ast.Expr(ast.Call(func=ast.Name("_step_", ast.Load()), args=[], keywords=[]))
        return [ast.copy_location(step, at), *body]

    def visit_While(self, node: ast.While) -> ast.AST:
        node = self.node_contents_visit(node)
        node.body = self._stepped(node.body, node)
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        node = super().visit_For(node)
        node.body = self._stepped(node.body, node)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = super().visit_FunctionDef(node)
        node.decorator_list.insert(0, ast.copy_location(ast.Name("_fn_", ast.Load()), node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node = super().visit_Lambda(node)
        return ast.copy_location(ast.Call(func=ast.Name("_fn_", ast.Load()), args=[node], keywords=[]), node)


_cache: dict[tuple[str, str], CodeType] = {}
_lock = threading.Lock()
_by_text: dict[tuple[str, str], CodeType] = {}
CACHE_SIZE = 4096


def source_key(mode: Mode, source: str) -> tuple[str, str]:
    return mode, hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def problems(source: str, mode: Mode = "eval") -> list[CompileProblem]:
    """Every reason ``source`` cannot run, with line and column; [] when it compiles."""
    try:
        compiled(source, mode)
    except SandboxError as exc:
        return [CompileProblem(exc.message, exc.line or 1, exc.column or 1)]
    return []


def compiled(source: str, mode: Mode = "eval") -> CodeType:
    """The code object for ``source``, compiled once per process (cached by source hash)."""
    fast = _by_text.get((mode, source))  # str objects cache their hash: no SHA-256 on the hot path
    if fast is not None:
        return fast
    key = source_key(mode, source)
    code = _cache.get(key)
    if code is not None:
        return code
    code = _compile(source, mode)
    with _lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = code
        if len(_by_text) >= CACHE_SIZE:
            _by_text.clear()
        _by_text[(mode, source)] = code
    return code


def _compile(source: str, mode: Mode) -> CodeType:
    if not isinstance(source, str) or not source.strip():
        raise SandboxError("is empty", 1, 1)
    if len(source) > 20_000:
        raise SandboxError("is longer than 20,000 characters", 1, 1)
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise SandboxError(f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SandboxError(f"cannot be read: {exc}", 1, 1) from None
    for node in ast.walk(tree):  # refusals first, with their own position
        reason = _refusal(node)
        if reason:
            raise SandboxError(reason, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)
    compile_fn = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_fn(source, filename="<metacrm>", policy=MetaCRMPolicy)
    if result.errors or result.code is None:
        raise _restricted_error(result.errors[0] if result.errors else "cannot be compiled")
    return result.code


def _refusal(node: ast.AST) -> str | None:
    """Why ``node`` may not appear (checked before RestrictedPython, which reports no column)."""
    return node_refusal(node)


def _restricted_error(message: str) -> SandboxError:
    """RestrictedPython reports "Line 3: ..." (and sometimes a column); keep both."""
    line, column, text = 1, 1, message
    if message.startswith("Line "):
        head, _, rest = message.partition(": ")
        try:
            line = int(head[5:].split(",")[0])
        except ValueError:
            pass
        text = rest or message
    text = text.replace("Line None: ", "")
    return SandboxError(text, line, column)
