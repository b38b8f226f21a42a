"""Errors in metadata, each tied to the JSON path of what is wrong.

Every layer that rejects a definition (JSON Schema, cross-checks, impact
analysis, the planner) reports :class:`MetadataIssue` values so an admin sees
one list of plain sentences, each pointing at the place to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class MetadataIssue:
    path: str  # e.g. "objects[0].fields[3].target"
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "code": self.code}


class MetadataError(Exception):
    """Raised with every issue found, never just the first."""

    def __init__(self, issues: Iterable[MetadataIssue], title: str = "The metadata is not valid"):
        self.issues: list[MetadataIssue] = list(issues)
        self.title = title
        super().__init__(f"{title}:\n" + "\n".join(f"  - {i}" for i in self.issues))


def json_path(parts: Sequence[str | int], prefix: str = "") -> str:
    """Render ("fields", 3, "target") as "fields[3].target"."""
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
