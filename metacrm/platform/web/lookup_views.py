"""The lookup type-ahead behind every lookup input, and "create new" from inside it.

``GET /o/<object>/lookup/<field>?q=`` searches the lookup's target through the
reader as the signed-in user (so permissions and record-level access apply)
and answers JSON for Tom Select. ``POST /o/<object>/lookup/<field>/new`` creates
a target record from its name through the record service and answers its id
and title, or the service's field errors (422) / refusal (403).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_login import login_required

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.field_types import REFERENCE_TYPES

from ..errors import Forbidden, PlatformError
from ..records.errors import RecordInvalid, RecordNotFound
from .record_context import RecordContext, context_for, title_of

bp = Blueprint("web_lookup", __name__)
RESULTS = 10
MAX_QUERY = 100


def _target(ctx: RecordContext, field_name: str) -> CompiledObject:
    compiled = ctx.obj.fields.get(field_name)
    if compiled is None or compiled.definition.type not in REFERENCE_TYPES or field_name in ctx.hidden:
        raise RecordNotFound(_('%(object)s has no lookup "%(field)s".', object=ctx.label, field=field_name))
    target = ctx.live.compiled.object(compiled.definition.target or "")
    if target is None:
        raise RecordNotFound(_("The lookup's target no longer exists."))
    return target


def _params(target: CompiledObject, text: str, hidden: frozenset[str]) -> dict[str, str]:
    params = {"limit": str(RESULTS)}
    name_field = target.definition.name_field
    if not text:
        params["sort"] = "-updated_at"
    elif target.search_fields and not set(target.search_fields) <= hidden:
        params["q"] = text
    elif name_field and name_field not in hidden:
        params[f"{name_field}__icontains"] = text
    else:
        params["id"] = text if text.isdigit() else "0"
    return params


@bp.get("/o/<object_name>/lookup/<field_name>")
@login_required
def search(object_name: str, field_name: str) -> Response:
    ctx = context_for(object_name)
    target = _target(ctx, field_name)
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    hooks, schema = ctx.platform.records.hooks, ctx.live.compiled
    hidden = hooks.unqueryable_fields(ctx.actor, schema, target)
    try:
        page = ctx.platform.records.reader.list(ctx.actor, target.name, _params(target, text, hidden))
    except PlatformError:
        return jsonify({"results": [], "can_create": False})
    results = [{"id": r["id"], "label": title_of(target, r)} for r in page.records]
    sub = RecordContext(ctx.platform, ctx.actor, ctx.live, target, ctx.layout, hidden)
    name_field = target.definition.name_field
    can_create = bool(name_field) and sub.allows("create", (name_field,) if name_field else ())
    return jsonify({"results": results, "can_create": can_create})


@bp.post("/o/<object_name>/lookup/<field_name>/new")
@login_required
def create(object_name: str, field_name: str) -> Any:
    ctx = context_for(object_name)
    target = _target(ctx, field_name)
    name_field = target.definition.name_field
    label = request.form.get("label", "").strip()
    if not name_field:
        return jsonify({"message": _("%(label)s records have no name field to create them from.",
                                     label=target.definition.label)}), 422
    try:
        record = ctx.platform.records.create(ctx.actor, target.name, {name_field: label})
    except RecordInvalid as exc:
        message = "; ".join(f"{_field_label(target, e.field)}: {e.message}" for e in exc.field_errors)
        return jsonify({"message": message or exc.detail, "errors": [e.to_json() for e in exc.field_errors]}), 422
    except Forbidden as exc:
        return jsonify({"message": exc.detail}), 403
    return jsonify({"id": record["id"], "label": title_of(target, record)}), 201


def _field_label(obj: CompiledObject, name: str) -> str:
    f = obj.fields.get(name)
    return f.definition.label if f is not None else name
