"""One translation function for every UI string, and the page direction per locale.

Strings go through Flask-Babel's ``gettext`` (``_`` in templates), dates and
numbers through Babel's locale-aware formatters, so adding a language is a
catalogue, not a code change. Right-to-left locales flip the layout with
Bootstrap's RTL stylesheet.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_login import current_user

#: Locales whose script runs right to left (Arabic first: many of our users write it).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
SUPPORTED = ("en", "ar", "fr", "de", "es")


def select_locale() -> str:
    if getattr(current_user, "is_authenticated", False):
        return current_user.locale or "en"
    return request.accept_languages.best_match(SUPPORTED) or "en"


def select_timezone() -> str:
    if getattr(current_user, "is_authenticated", False):
        return current_user.time_zone or "UTC"
    return "UTC"


def is_rtl(locale: str) -> bool:
    return locale.split("_")[0].split("-")[0].lower() in RTL_LANGUAGES


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
