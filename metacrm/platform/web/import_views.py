"""The import wizard: upload → mapping → preview → run (a job) → progress → summary.

Each step carries the uploaded file's key (the file is in the file store from
the first step on, readable only by whoever uploaded it) and the choices so
far, so no step keeps state in the session. Only users who may create (insert,
upsert) or update (update, upsert) records of the object see the wizard; the
import then runs as them, through the record service (docs/import.md).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask_login import login_required

from ..errors import NotFound, PlatformError
from ..imports import formats
from ..imports.formats import ImportFileError
from ..imports.mapping import auto_map, importable
from ..imports.service import MAX_BYTES, MODES, ImportService, Options
from .lists.page import context_for, may, platform
from .session import current_actor

bp = Blueprint("web_imports", __name__)
PREVIEW_ROWS = 20


def _ctx(object_name: str) -> Any:
    ctx = context_for(platform(), current_actor(), object_name)
    if not (may(ctx, "create") or may(ctx, "update")):
        abort(403)
    return ctx


def _service() -> ImportService:
    return ImportService(platform())


def _options(form: Any, columns: list[str]) -> Options:
    mapping = {c: form.get(f"map_{i}", "") for i, c in enumerate(columns)}
    return Options({c: t for c, t in mapping.items() if t}, mode=form.get("mode", "insert"),
                   key=form.get("key") or None, date_format=form.get("date_format") or None,
                   automations=form.get("automations") == "1")


@bp.route("/o/<object_name>/import", methods=["GET", "POST"])
@login_required
def upload(object_name: str) -> Any:
    ctx = _ctx(object_name)
    error = ""
    if request.method == "POST":
        sent = request.files.get("file")
        limit = current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES)
        data = sent.stream.read(limit + 1) if sent else b""
        if not sent or not sent.filename or not data:
            error = "Choose a CSV or Excel file to import."
        elif len(data) > limit:
            error = f"The file is larger than {limit // (1024 * 1024)} MB; split it, or use `metacrm import`."
        else:
            service = _service()
            try:
                format_name = formats.format_of(sent.filename)
                service.read(data, format_name)
                stored = service.store_file(ctx.actor, sent.filename, data, limit=limit)
            except PlatformError as exc:
                error = exc.detail
            else:
                return redirect(f"/o/{object_name}/import/map?file={stored.key}&format={format_name}")
    return render_template("web/imports/upload.html", ctx=ctx, obj=ctx.obj, error=error,
                           formats=formats.known_formats()), 422 if error else 200


def _loaded(ctx: Any, source: Any) -> tuple[Any, Any, str]:
    key, format_name = source.get("file", ""), source.get("format") or None
    try:
        stored, table = _service().load(ctx.actor, key, format_name)
    except (NotFound, ImportFileError) as exc:
        abort(Response(render_template("web/imports/upload.html", ctx=ctx, obj=ctx.obj, error=exc.detail,
                                       formats=formats.known_formats()), 422))
    return stored, table, format_name or formats.format_of(stored.name)


@bp.get("/o/<object_name>/import/map")
@login_required
def mapping_page(object_name: str) -> Any:
    ctx = _ctx(object_name)
    stored, table, format_name = _loaded(ctx, request.args)
    return render_template("web/imports/mapping.html", ctx=ctx, obj=ctx.obj, stored=stored, table=table,
                           format_name=format_name, mapping=auto_map(table.columns, ctx.obj),
                           fields=importable(ctx.obj), lookup_fields=_lookup_fields(ctx), modes=MODES,
                           options=Options({}), problems=[])


def _lookup_fields(ctx: Any) -> dict[str, list[str]]:
    """Lookup field → other fields of its target, offered as "matched by" (external ids)."""
    found = {}
    for f in ctx.obj.fields.values():
        target = ctx.schema.objects.get(f.definition.target or "")
        if f.definition.type in ("lookup", "master_detail") and target is not None:
            found[f.name] = [n for n, tf in target.fields.items() if tf.definition.unique]
    return found


@bp.post("/o/<object_name>/import/preview")
@login_required
def preview(object_name: str) -> Any:
    ctx = _ctx(object_name)
    stored, table, format_name = _loaded(ctx, request.form)
    options = _options(request.form, table.columns)
    service = _service()
    try:
        service.check(object_name, table.columns, options)
    except PlatformError as exc:
        return render_template("web/imports/mapping.html", ctx=ctx, obj=ctx.obj, stored=stored, table=table,
                               format_name=format_name, mapping=options.mapping, fields=importable(ctx.obj),
                               lookup_fields=_lookup_fields(ctx), modes=MODES, options=options,
                               problems=exc.extra.get("problems") or [exc.detail]), 422
    outcomes = service.preview(ctx.actor, object_name, table, options, limit=PREVIEW_ROWS)
    return render_template("web/imports/preview.html", ctx=ctx, obj=ctx.obj, stored=stored, table=table,
                           format_name=format_name, options=options, outcomes=outcomes,
                           rows=table.rows[:PREVIEW_ROWS], form=request.form)


@bp.post("/o/<object_name>/import/run")
@login_required
def run(object_name: str) -> Any:
    ctx = _ctx(object_name)
    stored, table, format_name = _loaded(ctx, request.form)
    options = _options(request.form, table.columns)
    run_id = _service().start_stored(ctx.actor, object_name, stored.key, options, format_name=format_name,
                                     table=table)
    return redirect(f"/imports/{run_id}")


def _run_for_user(run_id: int) -> dict[str, Any]:
    try:
        found = _service().get(run_id)
    except NotFound:
        abort(404)
    actor = current_actor()
    if not actor.is_admin and found["created_by"] != actor.id:
        abort(404)  # someone else's import: not even its existence is shown
    return found


def _progress(run_id: int, template: str) -> Any:
    found = _run_for_user(run_id)
    obj = platform().schema.get().compiled.object(found["object"])
    return render_template(template, run=found, obj=obj)


@bp.get("/imports/<int:run_id>")
@login_required
def progress_page(run_id: int) -> Any:
    return _progress(run_id, "web/imports/progress.html")


@bp.get("/imports/<int:run_id>/progress")
@login_required
def progress_fragment(run_id: int) -> Any:
    """htmx: the progress bar and counts, polled while the import runs."""
    return _progress(run_id, "web/imports/_progress.html")


@bp.get("/imports/<int:run_id>/failed.csv")
@login_required
def failed_rows(run_id: int) -> Response:
    found = _run_for_user(run_id)
    body = "\ufeff" + _service().failed_csv(run_id)  # the BOM: Excel then reads UTF-8
    name = f"import-{run_id}-failed-rows.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff", "X-MetaCRM-Import-Status": found["status"]})
