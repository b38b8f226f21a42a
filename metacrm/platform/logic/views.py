"""What admin code sees of records and users: read-only views, plus the one record a script may change.

Views answer only their own field names (the guards route attribute access
here), so no attribute of the underlying dict, row or service is reachable.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from .guards import SandboxObject
from .limits import SandboxError

#: Loads a looked-up record: (object name, id) → its values, or None.
Loader = Callable[[str, int], Mapping[str, Any] | None]


class RecordView(SandboxObject):
    """A record's values by attribute or key (``deal.amount``, ``deal["amount"]``)."""

    __slots__ = ("_values", "_label")

    def __init__(self, values: Mapping[str, Any], label: str = "record"):
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_label", label)

    def sandbox_attr(self, name: str) -> Any:
        if name not in self._values:
            raise SandboxError(f'{self._label} has no field "{name}"')
        return self._values[name]

    def __getitem__(self, name: str) -> Any:
        return self.sandbox_attr(name)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Any:
        return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordView) and dict(self._values) == dict(other._values)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self._label}>"

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)


class LookupValue(int, SandboxObject):
    """A lookup field's value: the id (it compares and stores as an int) whose fields load on first use."""

    _loader: Loader
    _target: str
    _record: Mapping[str, Any] | None

    def __new__(cls, record_id: int, target: str, loader: Loader) -> "LookupValue":
        self = super().__new__(cls, record_id)
        self._target, self._loader, self._record = target, loader, None
        return self

    def sandbox_attr(self, name: str) -> Any:
        if name == "id":
            return int(self)
        if self._record is None:
            self._record = self._loader(self._target, int(self)) or {}
        if name not in self._record:
            raise SandboxError(f'{self._target} #{int(self)} has no field "{name}"')
        return self._record[name]


class UserView(SandboxObject):
    """``current_user``: id, email, roles, is_admin — nothing that reaches the account."""

    __slots__ = ("id", "email", "roles", "is_admin")

    def __init__(self, user_id: int | None, email: str, roles: Iterable[str] = (), is_admin: bool = False):
        self.id, self.email, self.roles, self.is_admin = user_id, email, tuple(sorted(roles)), is_admin

    def sandbox_attr(self, name: str) -> Any:
        if name not in self.__slots__:
            raise SandboxError(f'current_user has no "{name}"')
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "roles": list(self.roles), "is_admin": self.is_admin}


class MutableRecord(RecordView):
    """The record a before-save script may change: only writable fields, written through ``record.x = v``."""

    __slots__ = ("_writable", "changes")
    sandbox_writable = True

    def __init__(self, values: Mapping[str, Any], writable: Iterable[str], label: str = "record"):
        super().__init__(dict(values), label)
        object.__setattr__(self, "_writable", frozenset(writable))
        object.__setattr__(self, "changes", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._writable:
            raise SandboxError(f'{self._label} field "{name}" cannot be set by a script')
        self._values[name] = value  # type: ignore[index]
        self.changes[name] = value

    __setitem__ = __setattr__

    def __delattr__(self, name: str) -> None:
        raise SandboxError("fields cannot be deleted")

    __delitem__ = __delattr__
