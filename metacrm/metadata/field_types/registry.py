"""The registry of field types, keyed by name, that plugins extend before serving starts."""

from __future__ import annotations

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
        if self._frozen:
            raise RuntimeError(f"field type {cls.name!r} registered after the registry was frozen")
        self._types[cls.name] = cls()
        return cls

    def freeze(self) -> None:
        self._frozen = True

    def get(self, name: str) -> FieldType:
        return self._types[name]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return list(self._types)


FIELD_TYPES = FieldTypeRegistry()
