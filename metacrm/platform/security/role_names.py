"""Which role names may be assigned to a user: those the current metadata defines, and ``admin``.

Roles are metadata, user roles are rows; nothing joins them in the
database. Checking the name when it is assigned is what keeps a typo
(``--role salse``) from becoming a role that silently grants nothing.
A role removed from metadata later stays on its users (it grants nothing,
and revoking it stays possible), so only new assignments are checked.

``admin`` is built in: it is the user's ``is_admin`` flag, not a row, so
the user service translates it both ways.
"""

from __future__ import annotations

from typing import Collection, Iterable

from metacrm.metadata.definitions import ADMIN_ROLE
from metacrm.metadata.names import did_you_mean

from ..errors import Unprocessable


def assignable(defined: Iterable[str]) -> list[str]:
    """Every name that may be assigned, sorted, ``admin`` first."""
    return [ADMIN_ROLE, *sorted(set(defined) - {ADMIN_ROLE})]


def check_defined(names: Iterable[str], defined: Collection[str]) -> None:
    """Refuse names the metadata does not define, each with a did-you-mean and the list of valid roles."""
    valid = assignable(defined)
    unknown = sorted(set(names) - set(valid))
    if not unknown:
        return
    errors = [{"path": "roles", "code": "unknown_role",
               "message": f'"{name}" is not a role defined in the metadata{did_you_mean(name, valid)} '
                          f"(roles: {', '.join(valid)})"} for name in unknown]
    raise Unprocessable(f"Unknown role{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
                        f"{did_you_mean(unknown[0], valid) if len(unknown) == 1 else ''}", errors=errors)


def split_admin(names: Iterable[str]) -> tuple[bool, frozenset[str]]:
    """(whether ``admin`` is among the names, the other names): admin is a flag, the rest are rows."""
    names = frozenset(names)
    return ADMIN_ROLE in names, names - {ADMIN_ROLE}
