"""Values every page template sees: the shell's navigation, direction and formatting helpers."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from .i18n import is_rtl
from .lists.page import live_schema
from .nav import cached_nav, recent_items
from .session import current_actor


def template_context() -> dict[str, Any]:
    locale = str(get_locale() or "en")
    out: dict[str, Any] = {"locale": locale, "rtl": is_rtl(locale), "format_date": format_date,
                           "format_datetime": format_datetime, "format_decimal": format_decimal}
    if getattr(current_user, "is_authenticated", False):
        platform = current_app.extensions["metacrm"]
        live = live_schema(platform)  # the version this request's page was read in (checked once per request)
        out["nav"] = cached_nav(platform.records.hooks, current_actor(), live.compiled)
        out["recent"] = recent_items(live.compiled)
    return out
