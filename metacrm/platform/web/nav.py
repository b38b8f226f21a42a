"""What the app shell offers this user: the objects they may read, grouped by app, and recent items.

Whether an object is listed is asked of the record service's own authorize
hooks, so navigation can never show an object the API would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, session
from flask_babel import gettext as _

from metacrm.metadata.compiled import CompiledObject, CompiledSchema

from ..errors import PlatformError
from ..records.actor import Actor
from ..records.hooks import AccessRequest, RecordHooks

RECENT_KEY = "recent"
MAX_RECENT = 8
DEFAULT_ICON = "table"


@dataclass(frozen=True)
class NavItem:
    name: str
    label: str
    plural_label: str
    icon: str


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    items: tuple[NavItem, ...]


def app_of(owner: str) -> tuple[str, str]:
    """(group key, label) of an object's app: its pack, or the admin's own objects."""
    if owner.startswith("pack:"):
        pack = owner[len("pack:"):].split("@", 1)[0]
        return pack, pack.replace("_", " ").title()
    if owner == "core":
        return "core", _("CRM")
    return "custom", _("Custom objects")


def readable(hooks: RecordHooks, actor: Actor, schema: CompiledSchema, obj: CompiledObject) -> bool:
    try:
        hooks.check(AccessRequest("read", actor, obj, schema=schema))
    except PlatformError:
        return False
    return True


def nav_groups(hooks: RecordHooks, actor: Actor, schema: CompiledSchema) -> list[NavGroup]:
    groups: dict[str, tuple[str, list[NavItem]]] = {}
    for obj in sorted(schema.objects.values(), key=lambda o: o.definition.plural_label.lower()):
        if not readable(hooks, actor, schema, obj):
            continue
        key, label = app_of(obj.definition.owner)
        d = obj.definition
        groups.setdefault(key, (label, []))[1].append(NavItem(d.name, d.label, d.plural_label, d.icon or DEFAULT_ICON))
    order = sorted(groups, key=lambda k: (k == "custom", groups[k][0].lower()))
    return [NavGroup(k, groups[k][0], tuple(groups[k][1])) for k in order]


def cached_nav(hooks: RecordHooks, actor: Actor, schema: CompiledSchema) -> list[NavGroup]:
    if "metacrm_nav" not in g:
        g.metacrm_nav = nav_groups(hooks, actor, schema)
    return g.metacrm_nav


def remember_recent(object_name: str, record_id: int, title: str) -> None:
    """Put a record at the top of this session's recent items (kept in the signed session cookie)."""
    items = [i for i in session.get(RECENT_KEY, []) if (i["o"], i["id"]) != (object_name, record_id)]
    items.insert(0, {"o": object_name, "id": record_id, "t": title[:80]})
    session[RECENT_KEY] = items[:MAX_RECENT]


def recent_items(schema: CompiledSchema) -> list[dict[str, Any]]:
    """Recent items of objects that still exist (titles as last seen; reopening checks access)."""
    return [i for i in session.get(RECENT_KEY, []) if i["o"] in schema.objects]
