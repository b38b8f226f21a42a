"""The helper library admin code calls: the same functions in formulas, rules, defaults and scripts.

Documented (with examples) in ``docs/logic.md``; the names are listed in
``metacrm.metadata.expressions.HELPER_NAMES`` so the metadata checks know a
helper from a field. Money is exact (``Decimal``, never float); dates are
``datetime.date``; "today" is the UTC date unless a clock is configured.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable, Mapping

from dateutil.relativedelta import relativedelta

from .limits import LimitExceeded, SandboxError, ScriptFailure

MAX_DAYS = 366 * 200  # a date offset beyond two centuries is a mistake, and would be slow to walk


@dataclass(frozen=True)
class LogicSettings:
    """Organisation settings the date helpers use (one organisation per installation).

    The environment gives the defaults (``from_env``); the ``metacrm_setting`` table
    overrides them (``org_settings.py``), and the script worker receives them in each message.
    """

    holiday_country: str | None = None  # ISO 3166 code, e.g. "US", "DE"; None: weekends only
    holiday_subdivision: str | None = None  # e.g. "CA", "BY"
    fiscal_year_start: int = 1  # month the fiscal year starts in (4 = April)
    extra_holidays: frozenset[dt.date] = frozenset()  # days the organisation closes
    removed_holidays: frozenset[dt.date] = frozenset()  # calendar holidays the organisation works
    time_zone: str | None = None  # IANA name; today()/now() are in it (None: UTC)

    @classmethod
    def from_env(cls) -> "LogicSettings":
        return cls(os.environ.get("METACRM_HOLIDAY_COUNTRY") or None,
                   os.environ.get("METACRM_HOLIDAY_SUBDIVISION") or None,
                   int(os.environ.get("METACRM_FISCAL_YEAR_START", "1")),
                   time_zone=os.environ.get("METACRM_TIME_ZONE") or None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (for the worker message and the settings API)."""
        return {"fiscal_year_start": self.fiscal_year_start, "holiday_country": self.holiday_country,
                "holiday_subdivision": self.holiday_subdivision, "time_zone": self.time_zone,
                "extra_holidays": sorted(d.isoformat() for d in self.extra_holidays),
                "removed_holidays": sorted(d.isoformat() for d in self.removed_holidays)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: "LogicSettings | None" = None) -> "LogicSettings":
        """``base`` with the keys ``data`` names replaced (dates as ISO strings or dates)."""
        base = base or cls()
        days = lambda key: frozenset(_date(d) for d in data[key] or ()) if key in data else getattr(base, key)  # noqa: E731
        return cls(data.get("holiday_country", base.holiday_country) or None,
                   data.get("holiday_subdivision", base.holiday_subdivision) or None,
                   int(data.get("fiscal_year_start", base.fiscal_year_start) or 1),
                   days("extra_holidays"), days("removed_holidays"),  # type: ignore[arg-type]
                   data.get("time_zone", base.time_zone) or None)


settings = LogicSettings.from_env()
#: The clock behind today()/now(); tests and the bench replace it.
clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)


def configure(new: LogicSettings) -> None:
    global settings
    settings = new


# --- dates -----------------------------------------------------------------------------------
def now() -> dt.datetime:
    """The time now, in the organisation's time zone when one is set (UTC otherwise)."""
    moment = clock()
    return moment.astimezone(_zone(settings.time_zone)) if settings.time_zone else moment


def today() -> dt.date:
    return now().date()


@lru_cache(maxsize=8)
def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _count(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, Decimal)) or int(n) != n:
        raise SandboxError(f"{what}() needs a whole number, not {n!r}")
    if abs(int(n)) > MAX_DAYS:
        raise LimitExceeded(f"{what}({n}) is further than two hundred years")
    return int(n)


def days(n: Any) -> dt.timedelta:
    return dt.timedelta(days=_count(n, "days"))


def months(n: Any) -> relativedelta:
    return relativedelta(months=_count(n, "months"))


def years(n: Any) -> relativedelta:
    return relativedelta(years=_count(n, "years"))


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise SandboxError(f"{value!r} is not a date (write YYYY-MM-DD)") from None
    raise SandboxError(f"{value!r} is not a date")


def days_between(start: Any, end: Any) -> int | None:
    """Days from ``start`` to ``end`` (negative when ``end`` is earlier); None if either is empty."""
    a, b = _date(start), _date(end)
    return None if a is None or b is None else (b - a).days


def year(value: Any) -> int | None:
    d = _date(value)
    return None if d is None else d.year


def month(value: Any) -> int | None:
    d = _date(value)
    return None if d is None else d.month


def day(value: Any) -> int | None:
    d = _date(value)
    return None if d is None else d.day


def fiscal_year(value: Any) -> int | None:
    """The fiscal year a date falls in, named by the calendar year it ends in (FY starting April 2024 = 2025)."""
    d = _date(value)
    if d is None:
        return None
    start = settings.fiscal_year_start
    return d.year if start == 1 or d.month < start else d.year + 1


def fiscal_quarter(value: Any) -> int | None:
    d = _date(value)
    return None if d is None else ((d.month - settings.fiscal_year_start) % 12) // 3 + 1


@lru_cache(maxsize=16)
def _calendar(country: str | None, subdivision: str | None) -> Any:
    if not country:
        return {}
    import holidays  # imported on first use: the calendar data is large

    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        raise SandboxError(f'no holiday calendar for country "{country}"') from None


def is_business_day(value: Any) -> bool:
    """A weekday that is not a holiday: the country calendar, plus the organisation's extra closing days,
    minus the calendar holidays it works."""
    d = _date(value)
    if d is None or d.weekday() >= 5:
        return False
    if d in settings.extra_holidays:
        return False
    return d in settings.removed_holidays or d not in _calendar(settings.holiday_country, settings.holiday_subdivision)


def add_business_days(start: Any, n: Any) -> dt.date | None:
    """The date ``n`` business days after ``start`` (before it if negative); weekends and holidays skipped."""
    d, count = _date(start), _count(n, "add_business_days")
    if d is None:
        return None
    step = 1 if count >= 0 else -1
    left = abs(count)
    while left:
        d += dt.timedelta(days=step)
        if is_business_day(d):
            left -= 1
    return d


def business_days_between(start: Any, end: Any) -> int | None:
    """Business days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    a, b = _date(start), _date(end)
    if a is None or b is None:
        return None
    sign = 1 if b >= a else -1
    lo, hi = (a, b) if sign == 1 else (b, a)
    if (hi - lo).days > MAX_DAYS:
        raise LimitExceeded("business_days_between() spans more than two hundred years")
    count, d = 0, lo
    while d < hi:
        d += dt.timedelta(days=1)
        count += is_business_day(d)
    return sign * count


# --- numbers and money -------------------------------------------------------------------------
def decimal(value: Any) -> Decimal | None:
    """An exact decimal; floats go through their shortest text (0.1 → Decimal("0.1"))."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise SandboxError("decimal() needs a number")
    try:
        return Decimal(str(value).strip()) if len(str(value)) <= 100 else _too_long()
    except InvalidOperation:
        raise SandboxError(f"{value!r} is not a number") from None


def _too_long() -> Decimal:
    raise LimitExceeded("decimal() takes at most 100 characters")


def money(value: Any, places: int = 2) -> Decimal | None:
    """Rounded half up to ``places`` (2: cents), exactly."""
    d = decimal(value)
    if d is None:
        return None
    if not 0 <= int(places) <= 18:
        raise SandboxError("money() rounds to 0..18 places")
    return d.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


# --- text ------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return "" if value is None else str(value)


def concat(*parts: Any) -> str:
    """Joined text; empty values count as "" (``concat(first_name, " ", last_name)``)."""
    total = sum(len(p) if isinstance(p, str) else 40 for p in parts)
    if total > 1_000_000:
        raise LimitExceeded("concat() would build more than 1,000,000 characters")
    return "".join(_text(p) for p in parts)


def upper(value: Any) -> str:
    return _text(value).upper()


def lower(value: Any) -> str:
    return _text(value).lower()


def trim(value: Any) -> str:
    return _text(value).strip()


def left(value: Any, n: int) -> str:
    return _text(value)[: max(int(n), 0)]


def right(value: Any, n: int) -> str:
    n = max(int(n), 0)
    return _text(value)[-n:] if n else ""


def contains(value: Any, part: Any) -> bool:
    return _text(part) in _text(value)


def startswith(value: Any, part: Any) -> bool:
    return _text(value).startswith(_text(part))


# --- logic ---------------------------------------------------------------------------------
def if_(condition: Any, then: Any, otherwise: Any = None) -> Any:
    return then if condition else otherwise


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def coalesce(*values: Any) -> Any:
    for v in values:
        if not is_blank(v):
            return v
    return None


def fail(message: Any, field: Any = "") -> None:
    """Stop a script and refuse the save with ``message`` (shown to the user, on ``field`` if given)."""
    raise ScriptFailure(_text(message)[:500], _text(field))


def matches_in_process(pattern: Any, text: Any) -> bool:
    raise SandboxError("matches() is available in server scripts only (a regular expression can run for "
                       "minutes inside one call, which only the script worker's kill can stop)")


def query_in_process(*args: Any, **filters: Any) -> Any:
    raise SandboxError("query() is available in server scripts only (formulas, rules and defaults run on "
                       "every save and read and must not query other records)")


def matches(pattern: Any, text: Any) -> bool:
    """Whether ``text`` matches the regular expression ``pattern`` (scripts only: runs in the worker)."""
    import re

    return re.search(_text(pattern), _text(text)) is not None


HELPERS: dict[str, Any] = {
    "today": today, "now": now, "days": days, "months": months, "years": years, "days_between": days_between,
    "year": year, "month": month, "day": day, "fiscal_year": fiscal_year, "fiscal_quarter": fiscal_quarter,
    "is_business_day": is_business_day, "add_business_days": add_business_days,
    "business_days_between": business_days_between, "decimal": decimal, "money": money, "concat": concat,
    "upper": upper, "lower": lower, "trim": trim, "left": left, "right": right, "contains": contains,
    "startswith": startswith, "if_": if_, "is_blank": is_blank, "coalesce": coalesce, "fail": fail,
    "matches": matches_in_process, "query": query_in_process,
}
