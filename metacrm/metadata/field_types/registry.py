"""The registry of field types, keyed by name, that plugins extend before serving starts."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .base import FieldType


class FieldTypeRegistry:
    """Field types by name. Plugins register before the registry is frozen.

    Freezing happens when the app starts serving, so a compiled schema never
    sees the set of types change underneath it.
    """

    def __init__(self) -> None:
        self._types: dict[str, FieldType] = {}
        self._frozen = False

    def register(self, cls: type[FieldType]) -> type[FieldType]:
        known = self._types.get(cls.name)
        if known is not None and type(known) is cls:
            return cls  # the same class again (a second app in one process): nothing changes
        if self._frozen:
            raise RuntimeError(f"field type {cls.name!r} registered after the registry was frozen")
        if known is not None:
            raise ValueError(f"field type {cls.name!r} is already registered by {type(known).__module__}")
        self._types[cls.name] = cls()
        return cls

    @property
    def frozen(self) -> bool:
        return self._frozen

    @contextmanager
    def isolated(self) -> Iterator["FieldTypeRegistry"]:
        """Register freely inside, and find the registry as it was afterwards (tests that load plugins
        in a process that has already served requests)."""
        types, frozen = dict(self._types), self._frozen
        self._frozen = False
        try:
            yield self
        finally:
            self._types, self._frozen = types, frozen

    def freeze(self) -> None:
        self._frozen = True

    def get(self, name: str) -> FieldType:
        return self._types[name]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return list(self._types)


FIELD_TYPES = FieldTypeRegistry()
