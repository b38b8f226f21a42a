"""The packs page's rows: every pack MetaCRM can find, joined with what is installed (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from metacrm.metadata.packs import Version


@dataclass(frozen=True)
class PackRow:
    name: str
    label: str
    description: str
    available: str | None  # the version found on disk (None: installed but its folder is gone)
    installed: str | None
    requires: dict[str, str]
    required_by: tuple[str, ...]

    @property
    def can_install(self) -> bool:
        return self.installed is None and self.available is not None

    @property
    def can_upgrade(self) -> bool:
        return (self.installed is not None and self.available is not None
                and Version.parse(self.available) > Version.parse(self.installed))

    @property
    def can_uninstall(self) -> bool:
        return self.installed is not None and not self.required_by


def catalogue(available: Iterable[Any], installed: Iterable[Any]) -> list[PackRow]:
    """``available``: manifests found on disk; ``installed``: registry rows. Sorted by label."""
    found = {m.name: m for m in available}
    done = {p.name: p for p in installed}
    rows = []
    for name in sorted(set(found) | set(done)):
        m, p = found.get(name), done.get(name)
        requires = dict(m.requires) if m is not None else dict(p.requires)
        required_by = tuple(sorted(o.name for o in done.values() if name in o.requires))
        rows.append(PackRow(name, (m.label if m else p.label), (m.description if m else ""),
                            m.version if m else None, p.version if p else None, requires, required_by))
    return sorted(rows, key=lambda r: r.label.lower())
