"""Pack manifests and version ranges, pure.

A pack says who it is and what it needs in ``pack.json``; the platform
refuses an install whose requirements are missing or out of range before
anything is planned. Kept here, beside the other definitions, so the
builder, the CLI and a pack author's CI can check a manifest without a
database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from .errors import MetadataError, MetadataIssue
from .validation import schema_issues

_VERSION_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


@dataclass(frozen=True, order=True)
class Version:
    """A semantic version; a pre-release sorts before its release (1.0.0-rc1 < 1.0.0)."""

    major: int
    minor: int
    patch: int
    release: tuple[int, str] = (1, "")  # (0, "rc1") for a pre-release

    @classmethod
    def parse(cls, text: str) -> "Version":
        match = _VERSION_RE.match(text.strip())
        if not match:
            raise ValueError(f'"{text}" is not a semantic version such as 1.2.0')
        pre = match.group(4)
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)), (0, pre) if pre else (1, ""))

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return f"{base}-{self.release[1]}" if self.release[0] == 0 else base


def _partial(text: str) -> tuple[Version, int]:
    """ "1", "1.2", "1.x", "1.2.3" → the lowest version matching and how many parts were given."""
    parts = [p for p in text.split(".") if p not in ("x", "X", "*")]
    if "-" in text and len(parts) == 3:
        return Version.parse(text), 3
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    return Version(*numbers[:3]), len(parts)


def _bump(v: Version, given: int) -> Version:
    """The first version outside a partial: 1.2 → 1.3.0, 1 → 2.0.0."""
    if given <= 1:
        return Version(v.major + 1, 0, 0, (0, ""))
    return Version(v.major, v.minor + 1, 0, (0, ""))


def _comparator(token: str, version: Version) -> bool:
    for op in (">=", "<=", ">", "<", "=", "^", "~"):
        if token.startswith(op):
            rest = token[len(op):]
            break
    else:
        op, rest = "", token
    if rest in ("", "*", "x", "X"):
        return True
    low, given = _partial(rest)
    if op == ">=":
        return version >= low
    if op == ">":
        return version >= _bump(low, given) if given < 3 else version > low
    if op == "<":
        return version < low
    if op == "<=":
        return version < _bump(low, given) if given < 3 else version <= low
    if op == "^":  # compatible: same left-most non-zero part
        if low.major > 0 or given == 1:
            high = Version(low.major + 1, 0, 0, (0, ""))
        elif low.minor > 0 or given == 2:
            high = Version(0, low.minor + 1, 0, (0, ""))
        else:
            high = Version(0, 0, low.patch + 1, (0, ""))
        return low <= version < high
    if op == "~":
        return low <= version < _bump(low, min(given, 2))
    if given < 3:  # "1.x", "=1.2"
        return low <= version < _bump(low, given)
    return version == low


def satisfies(version: str | Version, spec: str) -> bool:
    """Whether ``version`` is in ``spec``: space-separated comparators (all must hold), ``||`` alternatives.

    Supports ``*``, ``1.2.3``, ``1.x``, ``>=1.0.0 <2.0.0``, ``^1.2.0``, ``~1.2.0``.
    Raises ValueError for a malformed range.
    """
    v = version if isinstance(version, Version) else Version.parse(version)
    for alternative in spec.split("||"):
        tokens = alternative.split()
        if not tokens:
            return True
        try:
            if all(_comparator(t, v) for t in tokens):
                return True
        except (ValueError, TypeError) as exc:
            raise ValueError(f'"{spec}" is not a version range') from exc
    return False


@dataclass(frozen=True)
class PackManifest:
    """What ``pack.json`` declares (validated)."""

    name: str
    label: str
    version: str
    description: str = ""
    publisher: str = ""
    requires: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    min_platform_version: str | None = None

    @property
    def owner(self) -> str:
        """The owner stamped on everything this version of the pack defines."""
        return f"pack:{self.name}@{self.version}"

    @property
    def owner_prefix(self) -> str:
        """Owners of every version of this pack start with this."""
        return f"pack:{self.name}@"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label, "version": self.version}
        if self.description:
            out["description"] = self.description
        if self.publisher:
            out["publisher"] = self.publisher
        if self.requires:
            out["requires"] = dict(self.requires)
        if self.min_platform_version:
            out["min_platform_version"] = self.min_platform_version
        return out


def load_manifest(document: Any, prefix: str = "pack.json") -> PackManifest:
    """A :class:`PackManifest` from ``pack.json``'s content; raises MetadataError with JSON paths."""
    issues = schema_issues(document, "pack_manifest", "")
    issues = [MetadataIssue(f"{prefix}: {i.path}" if i.path else prefix, i.message, i.code) for i in issues]
    if not issues:
        for name, spec in document.get("requires", {}).items():
            try:
                satisfies("0.0.0", spec)
            except ValueError as exc:
                issues.append(MetadataIssue(f"{prefix}: requires.{name}", str(exc), "invalid_range"))
        if document.get("requires", {}).get(document["name"]):
            issues.append(MetadataIssue(f"{prefix}: requires.{document['name']}", "a pack cannot require itself"))
    if issues:
        raise MetadataError(issues, "The pack manifest is invalid")
    return PackManifest(
        name=document["name"], label=document["label"], version=document["version"],
        description=document.get("description", ""), publisher=document.get("publisher", ""),
        requires=MappingProxyType(dict(document.get("requires", {}))),
        min_platform_version=document.get("min_platform_version"),
    )
