"""From ``field__op=raw`` to a typed :class:`Condition` (pure).

Values are coerced by the field's own type, the same code that validates
records, so a filter accepts exactly what a form would store. Dates add
relative words: a period compared with ``eq`` means "within it", with the
ordering operators its start or end, whichever reading is natural
("lte this_month" = up to the end of this month). On a date-time field a
bare date is a period too: ``created_at=2026-01-31`` is that whole day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from metacrm.metadata.field_types import FieldValueError

from .dates import RELATIVE_HELP, RelativeDateError, day_start, relative_period
from .errors import Problem, unknown
from .fields import Resolved, value_definition
from .model import FAMILY_OPERATORS, Condition

MAX_LIST = 500  # values in one in/nin list: far above any UI, well below database parameter limits
TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no")
TEXT_MATCH = ("contains", "icontains", "startswith", "istartswith")


@dataclass(frozen=True)
class Span:
    """A period on the column's own scale: start <= x < end."""

    start: Any
    end: Any


def split_list(raw: str, sep: str = ",") -> list[str]:
    """Split on ``sep``; a backslash before it keeps it literal (``a\\,b`` is one value)."""
    items, current, i = [], [], 0
    while i < len(raw):
        if raw[i] == "\\" and raw[i + 1:i + 2] == sep:
            current.append(sep)
            i += 2
            continue
        if raw[i] == sep:
            items.append("".join(current))
            current = []
        else:
            current.append(raw[i])
        i += 1
    items.append("".join(current))
    return items


def parse_flag(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise Problem(f'must be true or false (got "{raw}")', ["true", "false"])


class ConditionBuilder:
    """Builds conditions for one query; ``today`` and ``tz`` resolve relative dates."""

    def __init__(self, today: dt.date, tz: dt.tzinfo):
        self.today = today
        self.tz = tz

    def build(self, parameter: str, res: Resolved, op: str, raw: str) -> Condition:
        ref = res.ref
        valid_ops = FAMILY_OPERATORS[ref.family]
        if op not in valid_ops:
            raise Problem(f'the operator "{op}" does not apply to "{ref.name}" '
                          f"({res.definition.type} field)", valid_ops)
        if "\x00" in raw:
            raise Problem("contains a NUL character")
        if op == "isnull":
            return Condition(parameter, ref, "isnull", (parse_flag(raw),))
        if not raw.strip():
            raise Problem(f'needs a value; to find records where it is empty use {ref.name}__isnull=true')
        if op in TEXT_MATCH:
            if ref.family == "choices":
                return Condition(parameter, ref, "has", (self.choice(res, raw),))
            return Condition(parameter, ref, op, (raw,))
        if op in ("in", "nin"):
            items = split_list(raw)
            if len(items) > MAX_LIST:
                raise Problem(f"lists at most {MAX_LIST} values (got {len(items)})")
            if any(not item.strip() for item in items):
                raise Problem("has an empty value in its list (values are separated by commas)")
            if ref.family in ("date", "datetime") and any(self.is_relative(i) for i in items):
                raise Problem("relative dates work with eq, ne, gt, gte, lt, lte and between, not in lists")
            if ref.family == "datetime" and any(len(i.strip()) == 10 for i in items):
                raise Problem(f"lists exact date-times; for whole days use {ref.name}=2026-01-31 or "
                              f"{ref.name}__between=2026-01-01,2026-01-31")
            values: list[Any] = []
            for item in items:  # keep order, drop repeats (polymorphic values are unhashable dicts)
                value = self.scalar(res, item)
                if value not in values:
                    values.append(value)
            return Condition(parameter, ref, op, tuple(values))
        if op == "between":
            return self.between(parameter, res, raw)
        value = self.temporal(res, raw) if ref.family in ("date", "datetime") else self.scalar(res, raw)
        if isinstance(value, Span):
            return self.period_condition(parameter, res, op, value)
        return Condition(parameter, ref, op, (value,))

    def is_relative(self, raw: str) -> bool:
        try:
            return relative_period(raw, self.today) is not None
        except RelativeDateError:
            return True

    # --- values --------------------------------------------------------------------------------
    def scalar(self, res: Resolved, raw: str) -> Any:
        """One value coerced by the field type; a Problem naming the field's rule otherwise."""
        if res.ref.family == "polymorphic":
            return self.polymorphic(res, raw)
        try:
            return res.field_type.coerce(raw, res.definition)
        except FieldValueError as exc:
            valid = list(value_definition(res.definition, res.field_type).option_values)
            if res.ref.family in ("date", "datetime"):
                valid += RELATIVE_HELP
            message = exc.message if f'"{raw}"' in exc.message else f'{exc.message} (got "{raw}")'
            raise Problem(message, valid) from None
        except (ValueError, ArithmeticError, TypeError):
            raise Problem(f'"{raw}" is not a valid {res.definition.type} value') from None

    def choice(self, res: Resolved, raw: str) -> str:
        options = value_definition(res.definition, res.field_type).option_values
        if raw not in options:
            raise unknown(raw, f'a choice of "{res.ref.name}"', options)
        return raw

    def polymorphic(self, res: Resolved, raw: str) -> dict[str, Any]:
        obj, colon, rid = raw.strip().partition(":")
        if not colon:
            example = (res.definition.targets or ("account",))[0]
            raise Problem(f'"{raw}" must name a record as object:id, like {example}:42', res.definition.targets)
        try:
            return res.field_type.coerce({"object": obj, "id": rid}, res.definition)
        except FieldValueError as exc:
            raise Problem(f'{exc.message} (got "{raw}")', res.definition.targets) from None

    def temporal(self, res: Resolved, raw: str) -> Any:
        """A date or date-time point, or a Span for relative words (and bare dates on date-times)."""
        try:
            period = relative_period(raw, self.today)
        except RelativeDateError as exc:
            raise Problem(str(exc), RELATIVE_HELP) from None
        if period is None and res.ref.family == "datetime" and len(raw.strip()) == 10:
            try:
                day = dt.date.fromisoformat(raw.strip())
                period = (day, day + dt.timedelta(days=1))
            except (ValueError, OverflowError):
                period = None
        if period is None:
            return self.scalar(res, raw)
        if res.ref.family == "date":
            return Span(*period)
        try:
            return Span(day_start(period[0], self.tz), day_start(period[1], self.tz))
        except (OverflowError, ValueError):
            raise Problem(f'"{raw}" falls outside the calendar') from None

    # --- periods and ranges ----------------------------------------------------------------------
    def period_condition(self, parameter: str, res: Resolved, op: str, span: Span) -> Condition:
        ref = res.ref
        if op == "eq":
            return Condition(parameter, ref, "within", (span.start, span.end))
        if op == "ne":
            return Condition(parameter, ref, "outside", (span.start, span.end))
        if op == "gt":  # after the whole period
            return Condition(parameter, ref, "gte", (span.end,))
        if op == "gte":
            return Condition(parameter, ref, "gte", (span.start,))
        if op == "lt":
            return Condition(parameter, ref, "lt", (span.start,))
        return Condition(parameter, ref, "lt", (span.end,))  # lte: up to the period's end

    def between(self, parameter: str, res: Resolved, raw: str) -> Condition:
        items = split_list(raw)
        if len(items) != 2 or not all(i.strip() for i in items):
            raise Problem(f'needs exactly two values separated by a comma, like 10,20 (got "{raw}")')
        temporal = res.ref.family in ("date", "datetime")
        low, high = (self.temporal(res, i) if temporal else self.scalar(res, i) for i in items)
        start = low.start if isinstance(low, Span) else low
        if isinstance(high, Span):
            if start >= high.end:
                raise Problem(f'the first value must come before the second (got "{raw}")')
            return Condition(parameter, res.ref, "within", (start, high.end))
        if start > high:
            raise Problem(f'the first value must not be greater than the second (got "{raw}")')
        return Condition(parameter, res.ref, "between", (start, high))
