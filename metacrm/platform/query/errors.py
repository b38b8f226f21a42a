"""The one error a record-list query can fail with, listing every problem at once.

A client building a filter URL should learn about all of its mistakes from a
single response (like a form listing every invalid field), and each mistake
names the parameter it came from and, where the choice is closed, the valid
alternatives — so an API user can fix a typo without reading documentation.
"""

from __future__ import annotations

from typing import Any, Iterable

from metacrm.metadata.names import did_you_mean

from ..errors import PlatformError


class QueryError(PlatformError):
    """400 with ``errors=[{"parameter", "message", "valid"}]``; rendered as problem details."""

    status, title, type_slug = 400, "Invalid query", "invalid-query"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any):
        self.errors = list(errors or [])
        extra.setdefault("errors", self.errors)
        super().__init__(detail, **extra)


class Problem(Exception):
    """Raised inside the parser for one bad parameter; collected into a QueryError."""

    def __init__(self, message: str, valid: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        self.valid = list(valid)


def unknown(word: str, what: str, valid: Iterable[str]) -> Problem:
    """"x" is not a <what> — did you mean "y"? — with the valid names attached."""
    names = list(valid)
    return Problem(f'"{word}" is not {what}{did_you_mean(word, names)}', names)


class Problems:
    """Collects problems while parsing continues, then raises them together."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, parameter: str, message: str, valid: Iterable[str] = ()) -> None:
        self.items.append({"parameter": parameter, "message": message, "valid": list(valid)})

    def add_problem(self, parameter: str, problem: Problem, *, prefix: str = "") -> None:
        self.add(parameter, prefix + problem.message, problem.valid)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            only = self.items[0]
            detail = f'The query parameter "{only["parameter"]}" is invalid: {only["message"]}'
        else:
            names = ", ".join(dict.fromkeys(i["parameter"] for i in self.items))
            detail = f"The query has {len(self.items)} problems (parameters: {names})"
        raise QueryError(detail, self.items)
