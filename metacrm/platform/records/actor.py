"""Who performs a record operation.

Every service call names its actor explicitly (never a request global), so
permissions, audit and ``created_by`` work the same for forms, the API,
imports, workflows and pack installs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    id: int | None
    email: str
    is_admin: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    #: True for the platform itself (pack installs, workflows acting as the system).
    is_system: bool = False
    #: An external (portal) user: reaches only objects that declare ``portal``, and only their own records.
    is_portal: bool = False

    @classmethod
    def from_user(cls, user: Any) -> "Actor":
        return cls(id=user.id, email=user.email, is_admin=bool(user.is_admin),
                   roles=frozenset(getattr(user, "roles", ()) or ()), is_portal=bool(getattr(user, "is_portal", False)))


SYSTEM = Actor(id=None, email="system", is_admin=True, is_system=True)
