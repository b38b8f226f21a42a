"""What record pages need to know about one object for the signed-in user, asked of the platform.

Everything security-related is asked of the record service's own hooks —
which fields are hidden, which the actor may not write, whether an action is
allowed at all — so a page can never offer more than the API would accept.
Lookup titles are read through the reader, so a record the user may not read
shows as an id, never as a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from flask import current_app
from flask_babel import gettext as _

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.field_types import REFERENCE_TYPES
from metacrm.metadata.layouts import LayoutDef, layout_for

from ..errors import Forbidden, PlatformError
from ..records.actor import Actor
from ..records.errors import RecordNotFound
from ..records.hooks import AccessRequest
from ..runtime import Platform
from ..schema_cache import LiveSchema
from .forms import FORMS, RecordForm
from .forms.display import Labels
from .lists.page import live_schema
from .session import current_actor

MAX_LABELS = 200


@dataclass(frozen=True)
class RecordContext:
    platform: Platform
    actor: Actor
    live: LiveSchema
    obj: CompiledObject
    layout: LayoutDef
    hidden: frozenset[str]

    @property
    def label(self) -> str:
        return self.obj.definition.label

    def allows(self, action: str, fields: tuple[str, ...] = ()) -> bool:
        try:
            self.require(action, fields)
        except PlatformError:
            return False
        return True

    def require(self, action: str, fields: tuple[str, ...] = (), record: Mapping[str, Any] | None = None) -> None:
        """Raise the service's own Forbidden (its reason becomes the 403 page) unless allowed."""
        self.platform.records.hooks.check(AccessRequest(action, self.actor, self.obj, record, fields,
                                                        schema=self.live.compiled))

    def read_only(self, action: str) -> frozenset[str]:
        """Fields the actor may not set on ``action`` (create/update): asked field by field of the hooks."""
        if not self.allows(action):
            return frozenset(self.obj.fields)
        return frozenset(name for name in self.obj.fields if not self.allows(action, (name,)))

    def form_class(self, action: str) -> type[RecordForm]:
        return FORMS.build(self.obj, self.layout, hidden=self.hidden, read_only=self.read_only(action),
                           version=self.live.version)

    def title(self, record: Mapping[str, Any]) -> str:
        return title_of(self.obj, record)


def context_for(object_name: str) -> RecordContext:
    """The context of ``object_name`` for this request; 404 for an unknown object, 403 when unreadable."""
    platform: Platform = current_app.extensions["metacrm"]
    live = live_schema(platform)  # checked once per request, shared with the page's other reads
    obj = live.compiled.object(object_name)
    if obj is None:
        raise RecordNotFound(_('There is no object "%(name)s".', name=object_name))
    actor = current_actor()
    platform.records.hooks.check(AccessRequest("read", actor, obj, schema=live.compiled))
    layout = layout_for(obj.definition, actor.roles, is_admin=actor.is_admin)
    hidden = platform.records.hooks.hidden_fields(actor, live.compiled, obj)
    return RecordContext(platform, actor, live, obj, layout, hidden)


def title_of(obj: CompiledObject, record: Mapping[str, Any]) -> str:
    name_field = obj.definition.name_field
    value = record.get(name_field) if name_field else None
    if value is None or value == "" or getattr(value, "masked", False):
        return f"{obj.definition.label} #{record.get('id')}"
    return str(value)


def lookup_labels(ctx: RecordContext, obj: CompiledObject, records: Iterable[Mapping[str, Any]],
                  only: Iterable[str] | None = None) -> Labels:
    """Titles of the records that ``records``' lookups point at, read as the actor (unreadable ones absent);
    ``only``: the fields shown (a related list needs no title for the columns it does not show)."""
    wanted: dict[str, set[int]] = {}
    rows = list(records)
    shown = set(only) if only is not None else None
    for f in obj.fields.values():
        d = f.definition
        if d.type in REFERENCE_TYPES and d.target and (shown is None or d.name in shown):
            wanted.setdefault(d.target, set()).update(r[d.name] for r in rows if isinstance(r.get(d.name), int))
    return titles(ctx, wanted)


def titles(ctx: RecordContext, wanted: Mapping[str, set[int]]) -> Labels:
    out: dict[tuple[str, int], str] = {}
    reader = ctx.platform.records.reader
    for target, ids in wanted.items():
        target_obj = ctx.live.compiled.object(target)
        if not ids or target_obj is None:
            continue
        chosen = sorted(ids)[:MAX_LABELS]
        try:
            page = reader.list(ctx.actor, target, {"id__in": ",".join(map(str, chosen)), "limit": str(len(chosen))},
                               live=ctx.live)  # the page's schema: no second version check
        except (Forbidden, PlatformError):
            continue  # the actor may not read the target: ids stay ids
        for record in page.records:
            out[(target, record["id"])] = title_of(target_obj, record)
    return out


def user_names(platform: Platform, ids: Iterable[Any]) -> dict[int, str]:
    """Display names of users (audit actors, owners); unknown ids are left out."""
    return platform.users.display_names(ids)
