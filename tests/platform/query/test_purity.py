"""The parser is pure: its modules import no database or web code, only metadata and each other."""

from __future__ import annotations

import ast
from pathlib import Path

import metacrm.platform.query as package

PURE = {"errors", "model", "fields", "dates", "conditions", "cursor", "grouping", "parse"}
FORBIDDEN = ("sqlalchemy", "flask", "werkzeug", "alembic")


def imports(module: str) -> list[tuple[int, str]]:
    tree = ast.parse((Path(package.__file__).parent / f"{module}.py").read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def test_parsing_modules_import_nothing_impure() -> None:
    for module in sorted(PURE):
        for level, name in imports(module):
            assert not name.split(".")[0] in FORBIDDEN, (module, name)
            if level == 1:  # a sibling in this package: must be pure too
                assert name.split(".")[0] in PURE, (module, name)
            if level == 2:  # the platform package: only its plain error classes
                assert name == "errors", (module, name)
