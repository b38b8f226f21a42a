"""What an expression (formula, rule, condition) refers to, found statically.

The dependency graph and impact analysis need to know which fields a formula
reads without running it; Python's ``ast`` gives that purely. Evaluation
belongs to the logic layer's sandbox, not here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

#: Names an expression may call or use besides the record's fields. The logic
#: layer implements each; keep this list and ``docs/logic.md`` in step.
HELPER_NAMES: frozenset[str] = frozenset(
    {
        "today", "now", "days", "months", "years", "days_between", "add_business_days",
        "business_days_between", "year", "month", "day", "fiscal_year", "fiscal_quarter",
        "concat", "upper", "lower", "trim", "left", "right", "contains", "startswith", "len",
        "if_", "is_blank", "coalesce", "round", "abs", "min", "max", "sum", "decimal", "int", "str",
        "current_user", "old", "query", "True", "False", "None",
        # added with the sandbox (metacrm/platform/logic): more helpers and the curated builtins
        "is_business_day", "money", "fail", "matches", "record", "params", "result", "range", "enumerate",
        "zip", "reversed", "list", "tuple", "set", "dict", "any", "all", "sorted", "float", "bool",
    }
)

#: Constructs admin code may never use, refused when the definition is saved (with line and column).
REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Import: "imports are not available; use the helpers (see docs/logic.md)",
    ast.ImportFrom: "imports are not available; use the helpers (see docs/logic.md)",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.ClassDef: "classes cannot be defined",
    ast.With: "with is not allowed",
    ast.AsyncWith: "async code is not allowed",
    ast.AsyncFor: "async code is not allowed",
    ast.AsyncFunctionDef: "async code is not allowed",
    ast.Await: "async code is not allowed",
    ast.Yield: "generators (yield) are not allowed",
    ast.YieldFrom: "generators (yield) are not allowed",
    ast.TryStar: "try/except* is not allowed",
}
#: Attributes refused wherever they appear: ``str.format``/``format_map`` walk attributes in C
#: (CVE-2023-41039), the others reach frames (CVE-2023-37271) or leaked objects (CVE-2024-47532).
REFUSED_ATTRIBUTES = frozenset({"format", "format_map", "mro", "gi_frame", "gi_code", "f_back", "f_globals",
                                "f_locals", "tb_frame", "cr_frame", "ag_frame", "obj"})


def node_refusal(node: ast.AST) -> str | None:
    """Why ``node`` may not appear in admin code, or None."""
    reason = REFUSED_NODES.get(type(node))
    if reason:
        return reason
    name = (node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute)
            else node.arg if isinstance(node, ast.arg) else node.name if isinstance(node, ast.FunctionDef)
            else None)
    if isinstance(name, str) and name.startswith("_"):
        return f'"{name}" starts with an underscore; such names are not available'
    if isinstance(node, ast.Attribute) and node.attr in REFUSED_ATTRIBUTES:
        return f'".{node.attr}" is not available'
    return None


def code_problem(source: str, mode: str = "eval") -> ExpressionSyntaxError | None:
    """The first syntax error or forbidden construct in ``source`` (pure: no RestrictedPython here;
    the logic layer compiles with it and refuses the same constructs)."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return ExpressionSyntaxError(exc.msg, exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return ExpressionSyntaxError(str(exc), 1, 1)
    for node in ast.walk(tree):
        reason = node_refusal(node)
        if reason:
            return ExpressionSyntaxError(reason, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)
    return None


@dataclass(frozen=True)
class ExpressionSyntaxError:
    message: str
    line: int
    column: int


def parse_expression(source: str) -> ast.Expression | ExpressionSyntaxError:
    try:
        return ast.parse(source, mode="eval")
    except SyntaxError as exc:
        return ExpressionSyntaxError(exc.msg, exc.lineno or 1, exc.offset or 1)


def references(source: str) -> set[tuple[str, ...]]:
    """Dotted name chains read by ``source``: {("amount",), ("company", "industry")}.

    Helpers (calls and constants in :data:`HELPER_NAMES`) and names bound
    inside comprehensions or lambdas are not references.
    """
    tree = parse_expression(source)
    if isinstance(tree, ExpressionSyntaxError):
        return set()
    found: set[tuple[str, ...]] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.comprehension):
            bound |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Lambda):
            bound |= {a.arg for a in node.args.args}
    for node in ast.walk(tree):
        chain = _chain(node)
        if chain and chain[0] not in HELPER_NAMES and chain[0] not in bound:
            found.add(chain)
    # Keep only the longest chains: ("company", "industry") implies ("company",).
    return {c for c in found if not any(o != c and o[: len(c)] == c for o in found)}


def _chain(node: ast.AST) -> tuple[str, ...] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return (node.id, *reversed(parts))
    return None
