"""The state of one list page, read from and written back to its URL.

Everything a user changes on a list (view, columns, sort, filters, search,
page) lives in the query string, so a link, a bookmark, the back button and
a saved personal view all replay the same list. The URL speaks the REST
API's query language (``stage=Won&amount__gte=1000&sort=-amount&q=acme``)
plus four parameters of the page itself:

``view``   a metadata view name, or ``my:<id>`` for a personal view
``cols``   the columns, comma-separated (when they differ from the view's)
``cursor`` the reader's keyset cursor of this page
``back``   the cursors of the pages before it (``-`` for the first), for "previous"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlencode

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.list_views import ViewDef

from .cells import Column, column_of

PAGE_PARAMS = ("view", "cols", "col", "back", "cursor", "csrf_token")
FIRST_PAGE = "-"
MAX_BACK = 50  # pages of "previous" kept in the URL; beyond that "previous" restarts at page one
UNSORTABLE = ("multi_picklist", "long_text", "rich_text", "file", "polymorphic_lookup")


@dataclass
class ListState:
    obj: CompiledObject
    view: ViewDef
    columns: list[Column]
    sort: str
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # the user's own, on top of the view's
    cursor: str | None = None
    back: list[str] = field(default_factory=list)
    explicit_columns: bool = False

    # --- what the reader is asked ------------------------------------------------------------
    def query_params(self, *, limit: int | None = None, count: bool = True,
                     extra_fields: Sequence[str] = ()) -> dict[str, list[str]]:
        """Query-language parameters for :meth:`RecordReader.list`: the view's filters, the user's on top."""
        params: dict[str, list[str]] = {k: [v] for k, v in self.view.filters.items()}
        params.update(self.filters)
        if self.q:
            params["q"] = [self.q]
        params["sort"] = [self.sort]
        params["limit"] = [str(limit or self.view.page_size)]
        names = dict.fromkeys([c.name for c in self.columns] + list(extra_fields))
        params["fields"] = [",".join(n for n in names if n != "id") or "id"]
        if self.cursor:
            params["cursor"] = [self.cursor]
        if count:
            params["count"] = ["1"]
        return params

    # --- what the URL says --------------------------------------------------------------------
    def url_params(self, **changes: Any) -> list[tuple[str, str]]:
        """The canonical query string of this state with ``changes`` (None removes a key)."""
        data: dict[str, Any] = {
            "view": self.view.name if not self.view.default or self.view.name.startswith("my:") else None,
            "cols": ",".join(c.name for c in self.columns) if self.explicit_columns else None,
            "sort": self.sort if self.sort != self.view.sort else None,
            "q": self.q or None,
            "cursor": self.cursor,
            "back": list(self.back) or None,
        }
        filters = dict(self.filters)
        for key, value in changes.items():
            if key in data:
                data[key] = value
            else:
                filters[key] = value
        out: list[tuple[str, str]] = []
        for key in ("view", "cols", "sort", "q"):
            if data[key]:
                out.append((key, str(data[key])))
        for key in sorted(filters):
            values = filters[key]
            for value in ([values] if isinstance(values, str) else values or []):
                out.append((key, value))
        if data["cursor"]:
            out.append(("cursor", data["cursor"]))
            out.extend(("back", b) for b in data["back"] or [])
        return out

    def url(self, **changes: Any) -> str:
        query = urlencode(self.url_params(**changes))
        return f"/o/{self.obj.name}" + (f"?{query}" if query else "")

    def saved_state(self) -> str:
        """What a personal view keeps: columns, sort, search and filters (never the page)."""
        merged = {**{k: [v] for k, v in self.view.filters.items()}, **self.filters}
        pairs = [("cols", ",".join(c.name for c in self.columns)), ("sort", self.sort)]
        if self.q:
            pairs.append(("q", self.q))
        pairs.extend((k, v) for k in sorted(merged) for v in merged[k])
        return urlencode(pairs)

    # --- sorting and paging -------------------------------------------------------------------
    def sort_of(self, column: str) -> str | None:
        """"ascending"/"descending" when ``column`` is the primary sort key (for aria-sort)."""
        first = self.sort.split(",")[0]
        if first.lstrip("-") != column:
            return None
        return "descending" if first.startswith("-") else "ascending"

    def sort_url(self, column: str) -> str:
        """Clicking a header sorts by it ascending, clicking again descending; paging restarts."""
        new = f"-{column}" if self.sort_of(column) == "ascending" else column
        return self.url(sort=new, cursor=None, back=None)

    def next_url(self, next_cursor: str) -> str:
        back = [*self.back, self.cursor or FIRST_PAGE][-MAX_BACK:]
        return self.url(cursor=next_cursor, back=back)

    def previous_url(self) -> str | None:
        if not self.cursor:
            return None
        prev = self.back[-1] if self.back else FIRST_PAGE
        if prev == FIRST_PAGE:
            return self.url(cursor=None, back=None)
        return self.url(cursor=prev, back=self.back[:-1])

    @property
    def page_index(self) -> int:
        """0 for the first page (from the length of the trail of earlier pages)."""
        return len(self.back) if self.cursor else 0

    @property
    def filtered(self) -> bool:
        return bool(self.filters or self.q)


def sortable(column: Column) -> bool:
    return column.type not in UNSORTABLE


def read_state(obj: CompiledObject, view: ViewDef, args: Mapping[str, Any] | Any,
               visible: Iterable[str]) -> ListState:
    """The state a request asks for, with every name checked against what the actor may see.

    ``visible`` are the columns the actor may read; a hidden or unknown name in
    ``cols`` is dropped (the query parser reports hidden names in filters).
    """
    allowed = set(visible)
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: [args[k]] if k in args else [])
    first = (lambda k: (getlist(k) or [""])[-1])
    explicit = bool(getlist("col")) or bool(first("cols"))
    names = getlist("col") if getlist("col") else (first("cols").split(",") if first("cols") else view.columns)
    columns = [c for c in (column_of(obj, n.strip()) for n in dict.fromkeys(names) if n.strip() in allowed) if c]
    name_field = obj.definition.name_field
    if not columns and name_field and name_field in allowed:
        columns = [c for c in [column_of(obj, name_field)] if c]
    filters: dict[str, list[str]] = {}
    for key in (args.keys() if hasattr(args, "keys") else []):
        if key in PAGE_PARAMS or key in ("q", "sort", "limit", "offset", "count", "fields", "group_by", "agg"):
            continue
        values = [v for v in getlist(key) if v != ""]
        if values:
            filters[key] = values
    cursor = first("cursor") or None
    back = [b for b in getlist("back") if b] if cursor else []
    return ListState(obj, view, columns, first("sort") or view.sort, first("q").strip(), filters, cursor, back,
                     explicit)
