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
    }
)


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
