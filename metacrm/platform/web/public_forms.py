"""Public forms: ``/f/<object>/<form>``, a standalone page anyone may fill in to create one record.

The page has no app shell, no login and no session: MetaCRM's own stylesheets
(served locally), the form's fields as the FormFactory generates them for a
layout made of only those fields, a honeypot input, a signed fill token (the
form's CSRF token, see :mod:`.public_guard`) and, when one is configured, a
CAPTCHA widget (:mod:`.captcha`). A post is checked in order of cost — body
size (413), rate limits (429), honeypot (a silent thank-you), fill token (too
fast or forged: 400), CAPTCHA — before the record service validates the values
(422 with the errors beside the fields, input kept) and the record is created
as the form's actor (:mod:`.public_submission`).

Embedding: every response says which sites may frame it
(``Content-Security-Policy: frame-ancestors 'self' <allowed_origins>``); an
admin finds the snippet to paste at ``/f/<object>/<form>/embed``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, abort, current_app, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.layouts import LayoutDef, LayoutSection
from metacrm.metadata.public_forms import PublicFormDef, find_form

from ..records.errors import RecordInvalid
from .captcha import provider_from
from .forms import FORMS, RecordForm
from .public_guard import TOKEN_FIELD, TokenProblem, check_token, honeypot_name, issue_token, limiter_for
from .public_submission import submit
from .record_forms import SummaryItem, show_errors

bp = Blueprint("web_public_forms", __name__)
log = logging.getLogger("metacrm.public_forms")
PREFIX = "/f/"
#: The largest public submission accepted (a contact form is a few kilobytes; files are never accepted).
DEFAULT_MAX_BYTES = 64 * 1024


def _form_or_404(object_name: str, form_name: str) -> tuple[Any, CompiledObject, PublicFormDef]:
    platform = current_app.extensions["metacrm"]
    live = platform.metadata.current()
    obj = live.compiled.object(object_name)
    form = find_form(obj.definition, form_name) if obj is not None else None
    if obj is None or form is None or not form.active:
        abort(_public_error(404, _("This form is not available"),
                            _("The link may be out of date, or the form was switched off.")))
    return live, obj, form


def _form_class(live: Any, obj: CompiledObject, form: PublicFormDef) -> type[RecordForm]:
    """The generated form restricted to the visitor's fields (the defaults are not theirs to change)."""
    names = tuple(n for n in form.field_names(obj.definition) if n not in form.defaults)
    layout = LayoutDef(f"public_form:{form.name}", form.title, (LayoutSection(form.title, names, columns=1),))
    return FORMS.build(obj, layout, version=live.version)


def _key(obj: CompiledObject, form: PublicFormDef) -> str:
    return f"{obj.name}/{form.name}"


def _frame_ancestors(form: PublicFormDef) -> str:
    return " ".join(("'self'", *form.allowed_origins))


def _headers(response: Response, form: PublicFormDef | None) -> Response:
    """Who may frame the page, and that it is never cached (each render carries a fresh token)."""
    ancestors = _frame_ancestors(form) if form is not None else "'self'"
    response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _public_error(status: int, title: str, detail: str, form: PublicFormDef | None = None,
                  retry_after: int | None = None) -> Response:
    response = make_response(render_template("web/public/message.html", title=title, detail=detail,
                                             status=status, kind="error"), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return _headers(response, form)


def _page(obj: CompiledObject, form: PublicFormDef, form_obj: RecordForm, *, status: int = 200,
          summary: list[SummaryItem] | None = None, notice: str | None = None) -> Response:
    secret = current_app.config["SECRET_KEY"]
    captcha = provider_from(current_app.config)
    response = make_response(render_template(
        "web/public/form.html", obj=obj, public=form, form=form_obj, summary=summary or [], notice=notice,
        token=issue_token(secret, _key(obj, form)), token_field=TOKEN_FIELD,
        honeypot=honeypot_name(obj.fields), captcha=captcha,
        has_rich=any(s.spec.kind == "rich" for s in form_obj.slots.values())), status)
    return _headers(response, form)


def _thanks(obj: CompiledObject, form: PublicFormDef) -> Response:
    if form.redirect_url:
        return _headers(redirect(form.redirect_url, code=303), form)
    message = form.success_message or _("Thank you. We received your message and will be in touch.")
    response = make_response(render_template("web/public/message.html", title=form.title, detail=message,
                                              status=200, kind="success"))
    return _headers(response, form)


@bp.get("/f/<object_name>/<form_name>")
def show(object_name: str, form_name: str) -> Any:
    live, obj, form = _form_or_404(object_name, form_name)
    form_cls = _form_class(live, obj, form)
    return _page(obj, form, form_cls(meta={"csrf": False}))


@bp.post("/f/<object_name>/<form_name>")
def post(object_name: str, form_name: str) -> Any:
    live, obj, form = _form_or_404(object_name, form_name)
    platform = current_app.extensions["metacrm"]
    key, ip = _key(obj, form), (request.remote_addr or "")[:64]
    cap = int(current_app.config.get("PUBLIC_FORM_MAX_BYTES") or DEFAULT_MAX_BYTES)
    if request.content_length is not None and request.content_length > cap:
        log.warning("public form %s: refused a %s-byte body from %s", key, request.content_length, ip)
        return _public_error(413, _("That is too much text"), _("Shorten your message and send it again."), form)
    request.max_content_length = cap  # also bounds a body sent without a length (chunked)
    limiter = limiter_for(current_app.config.get("REDIS_URL"), platform.engine)
    tripped = limiter.attempt(key, ip, form.rate_limit.per_ip_per_minute, form.rate_limit.per_form_per_hour)
    if tripped:
        log.warning("public form %s: rate limit (%s) reached by %s", key, tripped, ip)
        return _public_error(429, _("Too many submissions"), _("Please wait a minute and try again."), form,
                             retry_after=60 if tripped == "ip" else 3600)
    if request.form.get(honeypot_name(obj.fields)):
        log.warning("public form %s: honeypot filled by %s; nothing saved", key, ip)
        return _thanks(obj, form)
    form_cls = _form_class(live, obj, form)
    form_obj = form_cls(meta={"csrf": False})
    try:
        took = check_token(current_app.config["SECRET_KEY"], key, request.form.get(TOKEN_FIELD),
                           min_seconds=float(current_app.config.get("PUBLIC_FORM_MIN_SECONDS", 2.0)))
    except TokenProblem as exc:
        log.warning("public form %s: fill token %s from %s; nothing saved", key, exc.reason, ip)
        notice = _("That was quicker than a person can type. Please check the form and send it again.") \
            if exc.reason == "too_fast" else _("This form had expired. Please check it and send it again.")
        return _page(obj, form, form_obj, status=400, notice=notice)
    captcha = provider_from(current_app.config)
    if captcha is not None and not captcha.verify(request.form.get(captcha.response_field, ""), ip):
        log.warning("public form %s: CAPTCHA not solved by %s", key, ip)
        return _page(obj, form, form_obj, status=400, notice=_("Please complete the challenge to show you are "
                                                                 "not a robot, then send the form again."))
    try:
        record = submit(platform, obj, form, form_obj.record_data())
    except RecordInvalid as exc:
        return _page(obj, form, form_obj, status=422, summary=show_errors(form_obj, exc.field_errors))
    log.info("public form %s: created %s #%s (filled in %.1f s)", key, obj.name, record["id"], took)
    return _thanks(obj, form)


@bp.get("/f/<object_name>/<form_name>/embed")
@login_required
def embed(object_name: str, form_name: str) -> Any:
    """For admins: the form's address and the HTML to paste into a web site."""
    if not current_user.is_admin:
        abort(403)
    platform = current_app.extensions["metacrm"]
    obj = platform.metadata.current().compiled.object(object_name)
    form = find_form(obj.definition, form_name) if obj is not None else None
    if form is None:
        abort(404)
    url = f"{request.host_url.rstrip('/')}{PREFIX}{obj.name}/{form.name}"
    snippet = (f'<iframe src="{url}" title="{Markup.escape(form.title)}" width="100%" height="720" '
               'style="border:0;max-width:40rem" loading="lazy"></iframe>')
    return render_template("web/public/embed.html", obj=obj, public=form, url=url, snippet=snippet,
                           ancestors=_frame_ancestors(form))
