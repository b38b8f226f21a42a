"""Personal list views: a user's own saved list states, one table row each.

A saved view is the list URL's query string (columns, sort, search, filters),
replayed through the same query language as any URL, so it can never show
more than its owner may read — permissions are applied when it is opened,
not when it is saved. Views are private to their owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import parse_qsl

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metacrm.metadata.list_views import DEFAULT_SORT, ViewDef

from ...storage.platform_tables import saved_view
from ...storage.store import utcnow
from ...storage.engine import write_transaction

PREFIX = "my:"
MAX_PER_OBJECT = 50


@dataclass(frozen=True)
class SavedView:
    id: int
    label: str
    state: str

    @property
    def key(self) -> str:
        return f"{PREFIX}{self.id}"

    def as_view(self, page_size: int) -> ViewDef:
        """The saved state as a view: its columns, sort and filters (``q`` rides along as a filter)."""
        pairs = parse_qsl(self.state, keep_blank_values=False)
        columns: tuple[str, ...] = ()
        sort = DEFAULT_SORT
        filters: dict[str, str] = {}
        for key, value in pairs:
            if key == "cols":
                columns = tuple(c for c in value.split(",") if c)
            elif key == "sort":
                sort = value
            else:
                filters[key] = value
        return ViewDef(self.key, self.label, columns, MappingProxyType(filters), sort, page_size)


class SavedViews:
    def __init__(self, engine: Engine):
        self.engine = engine

    def list(self, user_id: int, object_name: str) -> list[SavedView]:
        t = saved_view
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.id, t.c.label, t.c.state)
                                .where(t.c.user_id == user_id, t.c.object == object_name)
                                .order_by(sa.func.lower(t.c.label), t.c.id)).all()
        return [SavedView(r.id, r.label, r.state) for r in rows]

    def get(self, user_id: int, object_name: str, key: str) -> SavedView | None:
        if not key.startswith(PREFIX) or not key[len(PREFIX):].isdigit():
            return None
        wanted = int(key[len(PREFIX):])
        return next((v for v in self.list(user_id, object_name) if v.id == wanted), None)

    def save(self, user_id: int, object_name: str, label: str, state: str) -> SavedView:
        """Create the view, or replace the state of the user's view with the same label."""
        t = saved_view
        now = utcnow()
        label = label.strip()[:120]
        with write_transaction(self.engine) as conn:
            found = conn.execute(sa.select(t.c.id).where(t.c.user_id == user_id, t.c.object == object_name,
                                                         t.c.label == label)).first()
            if found:
                conn.execute(sa.update(t).where(t.c.id == found.id).values(state=state, updated_at=now))
                return SavedView(found.id, label, state)
            count = conn.execute(sa.select(sa.func.count()).select_from(t)
                                 .where(t.c.user_id == user_id, t.c.object == object_name)).scalar_one()
            if count >= MAX_PER_OBJECT:
                raise ValueError(f"you have {count} saved views of this list; delete one first")
            new_id = conn.execute(sa.insert(t).values(user_id=user_id, object=object_name, label=label,
                                                      state=state, created_at=now, updated_at=now)
                                  .returning(t.c.id)).scalar_one()
        return SavedView(new_id, label, state)

    def delete(self, user_id: int, object_name: str, view_id: int) -> bool:
        t = saved_view
        with write_transaction(self.engine) as conn:
            done = conn.execute(sa.delete(t).where(t.c.id == view_id, t.c.user_id == user_id,
                                                   t.c.object == object_name))
        return done.rowcount == 1
