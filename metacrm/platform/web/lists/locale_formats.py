"""The request's locale, time zone and Babel patterns, resolved once for every cell of a page.

Why: Flask-Babel's ``format_*`` helpers find the request's locale and time zone
on every call (context lookups through Flask's proxies) and Babel then looks up
the locale's pattern again; a list page formats hundreds of cells, and those
lookups cost more than the formatting itself. Here they happen once per
request; each cell only applies a ready pattern. The output is the same as
Flask-Babel's (same Babel functions, same locale, time zone and configured
formats), so a value reads identically on a list, a card and a record page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import Locale, dates, numbers
from flask import g, has_request_context
from flask_babel import get_babel, get_locale, get_timezone

DATE_FORMAT = "medium"  # a list shows dates as "Mar 1, 2026" and timestamps short
DATETIME_FORMAT = "short"


@dataclass(frozen=True)
class LocaleFormats:
    """Babel's locale, a time zone and the patterns a list needs, for formatting many values."""

    locale: Locale
    tz: dt.tzinfo
    decimal_pattern: numbers.NumberPattern
    currency_pattern: numbers.NumberPattern
    date_pattern: dates.DateTimePattern
    datetime_format: str  # a name ("short") or a pattern configured for the app

    @classmethod
    def of(cls, locale: Locale, tz: dt.tzinfo, *, date_format: str = DATE_FORMAT,
           datetime_format: str = DATETIME_FORMAT) -> "LocaleFormats":
        date_pattern = (dates.get_date_format(date_format, locale=locale)
                        if date_format in ("short", "medium", "long", "full") else dates.parse_pattern(date_format))
        return cls(locale, tz, locale.decimal_formats[None], locale.currency_formats["standard"], date_pattern,
                   datetime_format)

    def decimal(self, value: Decimal | int | float) -> str:
        return numbers.format_decimal(value, self.decimal_pattern, self.locale)

    def currency(self, value: Decimal | int | float, code: str) -> str:
        return numbers.format_currency(value, code, self.currency_pattern, self.locale)

    def date(self, value: dt.date) -> str:
        return dates.format_date(value, self.date_pattern, self.locale)

    def datetime(self, value: dt.datetime) -> str:
        """In the user's time zone, as Flask-Babel's ``format_datetime`` would show it."""
        return dates.format_datetime(value, self.datetime_format, tzinfo=self.tz, locale=self.locale)


def _configured(kind: str, name: str) -> str:
    """The app's own pattern for e.g. ``date.medium`` (Flask-Babel's ``BABEL_*`` formats), else the name."""
    formats: Any = get_babel().instance.date_formats
    return formats.get(f"{kind}.{name}") or name


def request_formats() -> LocaleFormats:
    """This request's formats (built on first use, then kept for the rest of the request)."""
    if has_request_context() and "metacrm_formats" in g:
        return g.metacrm_formats
    locale = get_locale() or Locale.parse("en")
    formats = LocaleFormats.of(locale, get_timezone() or dt.timezone.utc,
                               date_format=_configured("date", DATE_FORMAT),
                               datetime_format=_configured("datetime", DATETIME_FORMAT))
    if has_request_context():
        g.metacrm_formats = formats
    return formats
