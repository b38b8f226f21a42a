"""Global search: the results page (``/search?q=``) and the top bar's suggestions (``/search/suggest``).

Both go through :meth:`RecordReader.search`, which searches only objects the
user may read, only in fields they may see, and only records they may read,
and logs reads of sensitive objects; a hit shows its title and a few values
of the object's default view, again only fields visible to the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template, request
from flask_login import login_required

from metacrm.metadata.list_views import views_of

from ..errors import PlatformError
from .lists import cells
from .lists.cells import REFERENCE_TYPES, column_of
from .lists.page import context_for, platform
from .session import current_actor

bp = Blueprint("web_search", __name__, template_folder="templates")

MAX_QUERY = 200
PER_OBJECT = 10
SUGGESTIONS = 8
DETAIL_FIELDS = 2


@dataclass
class Group:
    object: str
    label: str
    icon: str
    hits: list[dict[str, Any]] = field(default_factory=list)


def _search(text: str, per_object: int) -> list[Group]:
    plat, actor = platform(), current_actor()
    hits = plat.records.reader.search(actor, text, per_object=per_object, purpose="global search")
    groups: dict[str, Group] = {}
    for hit in hits:
        group = groups.get(hit["object"])
        if group is None:
            try:
                ctx = context_for(plat, actor, hit["object"])
            except PlatformError:
                continue
            d = ctx.obj.definition
            group = groups[hit["object"]] = Group(d.name, d.plural_label, d.icon or "table")
            group.ctx = ctx  # type: ignore[attr-defined]
        ctx = group.ctx  # type: ignore[attr-defined]
        group.hits.append({"id": hit["id"], "title": hit["title"], "details": _details(ctx, hit["record"])})
    return list(groups.values())


def _details(ctx: Any, record: dict[str, Any]) -> list[str]:
    """A couple of the default view's values (visible fields only; lookups left out: they need a read)."""
    name_field = ctx.obj.definition.name_field
    out = []
    for name in views_of(ctx.obj.definition)[0].columns:
        if name == name_field or name not in ctx.visible:
            continue
        column = column_of(ctx.obj, name)
        if column is None or column.kind in REFERENCE_TYPES or column.kind == "user":
            continue
        shown = cells.text(ctx.obj, column, record)
        if shown:
            out.append(shown)
        if len(out) == DETAIL_FIELDS:
            break
    return out


@bp.get("/search")
@login_required
def results() -> Any:
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    groups = _search(text, PER_OBJECT) if text else []
    return render_template("web/search/results.html", q=text, groups=groups,
                           total=sum(len(g.hits) for g in groups))


@bp.get("/search/suggest")
@login_required
def suggest() -> Any:
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    if not text:
        return ""  # an empty answer closes the dropdown (it is hidden while :empty)
    groups = _search(text, 3)
    hits = [(g, h) for g in groups for h in g.hits][:SUGGESTIONS]
    return render_template("web/search/_suggest.html", q=text, hits=hits).strip()
