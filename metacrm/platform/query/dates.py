"""Relative dates ("this_month", "last_n_days:30") resolved against the caller's today.

A saved view like "deals closing this quarter" must keep meaning *this*
quarter, so the words are stored and resolved on every request. Each word is
a half-open period [start, end) of days; the caller passes ``today`` (and a
time zone for date-time fields) so results never depend on the server clock
and tests are deterministic. Weeks start on Monday (ISO 8601).

``last_n_days:N`` is the N days ending today (today included); ``next_n_days:N``
the N days starting today.
"""

from __future__ import annotations

import datetime as dt

Period = tuple[dt.date, dt.date]  # [start, end)

RELATIVE_WORDS = ("today", "yesterday", "tomorrow", "this_week", "last_week", "next_week", "this_month",
                  "last_month", "next_month", "this_quarter", "last_quarter", "next_quarter", "this_year",
                  "last_year", "next_year")
RELATIVE_COUNTS = ("last_n_days", "next_n_days")
MAX_DAYS = 36600  # a century: enough for any report, far from date overflow
RELATIVE_HELP = (*RELATIVE_WORDS, "last_n_days:N", "next_n_days:N")


class RelativeDateError(ValueError):
    """A relative-date word with a bad day count, or one that leaves the calendar."""


def _month_start(year: int, month: int) -> dt.date:
    """First day of a month, with month allowed to run past 1..12."""
    year += (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def _days(start: dt.date, n: int) -> Period:
    return start, start + dt.timedelta(days=n)


def _period(word: str, today: dt.date) -> Period | None:
    day = dt.timedelta(days=1)
    if word == "today":
        return today, today + day
    if word == "yesterday":
        return today - day, today
    if word == "tomorrow":
        return today + day, today + 2 * day
    if word.endswith("_week"):
        monday = today - dt.timedelta(days=today.weekday())
        shift = {"this_week": 0, "last_week": -1, "next_week": 1}[word]
        return _days(monday + dt.timedelta(weeks=shift), 7)
    if word.endswith("_month"):
        shift = {"this_month": 0, "last_month": -1, "next_month": 1}[word]
        return _month_start(today.year, today.month + shift), _month_start(today.year, today.month + shift + 1)
    if word.endswith("_quarter"):
        shift = {"this_quarter": 0, "last_quarter": -3, "next_quarter": 3}[word]
        first = (today.month - 1) // 3 * 3 + 1 + shift
        return _month_start(today.year, first), _month_start(today.year, first + 3)
    if word.endswith("_year"):
        year = today.year + {"this_year": 0, "last_year": -1, "next_year": 1}[word]
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return None


def _count(word: str, text: str, today: dt.date) -> Period:
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise RelativeDateError(f'"{word}:" needs a number of days from 1 to {MAX_DAYS}, like {word}:30')
    n = int(text)
    if word == "last_n_days":
        return _days(today - dt.timedelta(days=n - 1), n)
    return _days(today, n)


def relative_period(value: str, today: dt.date) -> Period | None:
    """The period a relative word names, None when ``value`` is not one; raises RelativeDateError."""
    word, colon, count = value.strip().partition(":")
    try:
        if word in RELATIVE_COUNTS:
            return _count(word, count, today)
        if colon or word not in RELATIVE_WORDS:
            return None
        return _period(word, today)
    except RelativeDateError:
        raise
    except (OverflowError, ValueError):  # e.g. last_year in year 1
        raise RelativeDateError(f'"{value}" falls outside the calendar') from None


def day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Midnight of ``day`` in ``tz``, as UTC (the form date-times are stored in)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz).astimezone(dt.timezone.utc)
