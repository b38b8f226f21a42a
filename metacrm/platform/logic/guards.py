"""The guards RestrictedPython's rewritten code calls, and the curated builtins.

Attribute access is an *allow-list* by exact type: an object whose type is
not listed (a frame, generator, code object, module, exception, type...) has
no attributes at all, which closes the published escapes that walk
``gi_frame``/``f_back``/``tb_frame``, ``AttributeError.obj`` or
``__subclasses__`` even if RestrictedPython's name checks were bypassed.
``str.format``/``format_map`` are never offered (they traverse attributes in
C). Every operation that can build a large value checks the result's size
*before* computing it and charges it to the run's allocation budget.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from decimal import Decimal
from functools import wraps
from typing import Any, Callable, Iterable, Iterator

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from .limits import LimitExceeded, SandboxError, current

SEQUENCES = (str, bytes, list, tuple)
SIZED = (str, bytes, list, tuple, dict, set, frozenset, range)
SCALARS = (type(None), bool, int, float, Decimal, dt.date, dt.datetime, dt.timedelta)
#: Bytes charged per container item (a pointer) when estimating what an operation allocates.
ITEM_BYTES = 8
MAX_ALLOCATED = 64 * 1024 * 1024


class SandboxObject:
    """Objects made for admin code (records, the current user) answer attributes themselves."""

    def sandbox_attr(self, name: str) -> Any:  # pragma: no cover - overridden
        raise SandboxError(f'"{name}" is not available')


def _wrap_replace(s: str) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1) -> str:
        grow = max(0, len(str(new)) - len(str(old))) * (s.count(old) if old else len(s) + 1)
        _charge_text(len(s) + grow)
        return s.replace(old, new, count)
    return replace


def _wrap_join(s: str) -> Callable[[Iterable[Any]], str]:
    def join(items: Iterable[Any]) -> str:
        items = materialize(items)
        _charge_text(sum(len(x) if isinstance(x, str) else 0 for x in items) + len(s) * len(items))
        return s.join(items)
    return join


def _wrap_grow(method: str) -> Callable[[Any], Callable[..., Any]]:
    def wrap(seq: Any) -> Callable[..., Any]:
        bound = getattr(seq, method)

        def call(*args: Any) -> Any:
            if method == "extend":
                args = (materialize(args[0]),)
                _check_length(len(seq) + len(args[0]))
            else:
                _check_length(len(seq) + 1)
            return bound(*args)
        return call
    return wrap


STR_ATTRS = frozenset({"lower", "upper", "title", "capitalize", "casefold", "strip", "lstrip", "rstrip",
                       "startswith", "endswith", "split", "rsplit", "splitlines", "find", "rfind", "index",
                       "count", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "replace",
                       "join", "partition", "rpartition", "removeprefix", "removesuffix", "swapcase"})
ATTRS: dict[type, frozenset[str]] = {
    str: STR_ATTRS,
    list: frozenset({"append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "clear"}),
    tuple: frozenset({"index", "count"}),
    dict: frozenset({"get", "keys", "values", "items", "pop", "setdefault", "update", "clear"}),
    set: frozenset({"add", "discard", "remove", "pop", "union", "intersection", "difference", "issubset",
                    "issuperset", "clear"}),
    Decimal: frozenset({"quantize", "to_integral_value", "copy_abs", "is_signed", "is_zero", "adjusted"}),
    dt.date: frozenset({"year", "month", "day", "weekday", "isoweekday", "isoformat", "replace"}),
    dt.datetime: frozenset({"year", "month", "day", "hour", "minute", "second", "weekday", "isoweekday",
                            "isoformat", "date", "replace"}),
    dt.timedelta: frozenset({"days", "seconds", "total_seconds"}),
}
WRAPPED: dict[tuple[type, str], Callable[[Any], Any]] = {
    (str, "replace"): _wrap_replace, (str, "join"): _wrap_join,
    (list, "append"): _wrap_grow("append"), (list, "insert"): _wrap_grow("insert"),
    (list, "extend"): _wrap_grow("extend"), (set, "add"): _wrap_grow("add"),
}


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    if not isinstance(name, str) or name.startswith("_"):
        raise SandboxError(f'"{name}" is not available')
    if isinstance(obj, SandboxObject):
        return obj.sandbox_attr(name)
    if obj is None:  # an empty lookup: ``company.industry`` is empty too
        return None
    kind = type(obj)
    if name not in ATTRS.get(kind, ()):
        if default:
            return default[0]
        raise SandboxError(f'"{name}" is not available on a {_kind_name(obj)} value')
    wrap = WRAPPED.get((kind, name))
    return wrap(obj) if wrap else getattr(obj, name)


def _kind_name(obj: Any) -> str:
    return {str: "text", int: "number", float: "number", Decimal: "number", bool: "true/false",
            type(None): "empty", list: "list", dict: "dict", tuple: "tuple"}.get(type(obj), "this kind of")


GETITEM_TYPES = (dict, list, tuple, str, range)


def guarded_getitem(obj: Any, key: Any) -> Any:
    if isinstance(obj, SandboxObject) or type(obj) in GETITEM_TYPES:
        if isinstance(key, slice) and type(obj) in SEQUENCES:
            start, stop, step = key.indices(len(obj))
            current().charge(max(0, (stop - start) // (step or 1)) * (1 if type(obj) is str else ITEM_BYTES))
        elif isinstance(key, str) and key.startswith("_"):
            raise SandboxError(f'"{key}" is not available')
        return obj[key]
    raise SandboxError(f"a {_kind_name(obj)} value cannot be indexed")


WRITABLE = (list, dict, set)


def guarded_write(obj: Any) -> Any:
    """Only containers the code built itself (and a before-save script's record) may be changed."""
    if type(obj) in WRITABLE or getattr(obj, "sandbox_writable", False):
        return obj
    raise SandboxError(f"a {_kind_name(obj)} value cannot be changed")


def guarded_iter(obj: Any) -> Iterator[Any]:
    """Iteration counts a step per item (so the deadline reaches loops and comprehensions)."""
    budget = current()
    for item in iter(obj):
        budget.step()
        yield item


def materialize(obj: Any) -> Any:
    """A sized container for builtins that iterate in C (they would skip the iteration guard)."""
    if type(obj) in SIZED and type(obj) is not range:
        return obj
    if type(obj) is range:
        _check_length(len(obj))
        current().charge(len(obj) * ITEM_BYTES)
        return obj
    out = []
    for item in guarded_iter(obj):
        out.append(item)
        if len(out) > current().limits.max_length:
            raise LimitExceeded(f"would build a collection of more than {current().limits.max_length:,} items")
    current().charge(len(out) * ITEM_BYTES)
    return out


def _check_length(n: int) -> None:
    limit = current().limits.max_length
    if n > limit:
        raise LimitExceeded(f"would build a value of {n:,} items or characters (the limit is {limit:,})")


def _charge_text(n: int) -> None:
    _check_length(n)
    current().charge(n)


def _size(value: Any) -> int:
    return len(value) * (1 if isinstance(value, (str, bytes)) else ITEM_BYTES)


def guarded_mul(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        if a.bit_length() + b.bit_length() > current().limits.max_int_bits:
            raise LimitExceeded("the number would be too large")
    elif isinstance(a, SEQUENCES) and isinstance(b, int):
        _check_length(len(a) * max(b, 0))
        current().charge(_size(a) * max(b, 0))
    elif isinstance(b, SEQUENCES) and isinstance(a, int):
        return guarded_mul(b, a)
    return a * b


def guarded_pow(a: Any, b: Any, *mod: Any) -> Any:
    if mod:
        return pow(a, b, *mod)
    if type(a) is int and type(b) is int and b > 0 and abs(a) > 1:
        if a.bit_length() * b > current().limits.max_int_bits:
            raise LimitExceeded("the number would be too large")
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if abs(Decimal(b)) > 10_000:
            raise LimitExceeded("the exponent is too large")
    return a ** b


def guarded_lshift(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int and a.bit_length() + b > current().limits.max_int_bits:
        raise LimitExceeded("the number would be too large")
    return a << b


def guarded_add(a: Any, b: Any) -> Any:
    if isinstance(a, SEQUENCES) and type(a) is type(b):
        _check_length(len(a) + len(b))
        current().charge(_size(a) + _size(b))
    return a + b


#: %-format specs with a width or precision (``%1000000000d``, ``%*d``): capped.
PERCENT_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
FORMAT_WIDTH = re.compile(r"\d+")
MAX_WIDTH = 1000


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        for match in PERCENT_WIDTH.finditer(a):
            for part in match.groups():
                if part == "*" or (part and int(part) > MAX_WIDTH):
                    raise LimitExceeded(f"text formatting widths are limited to {MAX_WIDTH}")
        check_text_size(b)
        _charge_text(len(a) + text_estimate(b))
    return a % b


def guarded_format(value: Any, conversion: int, spec: str) -> str:
    """An f-string field: ``{value!r:>10}``; widths capped, containers size-checked first."""
    if any(int(n) > MAX_WIDTH for n in FORMAT_WIDTH.findall(spec)):
        raise LimitExceeded(f"text formatting widths are limited to {MAX_WIDTH}")
    check_text_size(value)
    if conversion == ord("r") or conversion == ord("a"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    if isinstance(value, SandboxObject):
        value = str(value)
    return format(value, spec)


def text_estimate(value: Any, limit: int | None = None) -> int:
    """About how many characters ``str(value)`` would produce, counting no further than ``limit``."""
    limit = limit if limit is not None else current().limits.max_length
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 * len(item) + 2
            stack.extend(item)
        elif isinstance(item, dict):
            total += 4 * len(item) + 2
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 24
    return total


def check_text_size(value: Any) -> None:
    if isinstance(value, SCALARS) or (isinstance(value, str) and len(value) < 10_000):
        return
    if text_estimate(value) > current().limits.max_length:
        raise LimitExceeded("the value is too large to turn into text")


def guarded_inplacevar(op: str, x: Any, y: Any) -> Any:
    fn = INPLACE.get(op)
    if fn is None:
        raise SandboxError(f"{op} is not supported")
    return fn(x, y)


INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": guarded_add, "*=": guarded_mul, "**=": guarded_pow, "<<=": guarded_lshift, "%=": guarded_mod,
    "-=": operator.sub, "/=": operator.truediv, "//=": operator.floordiv, ">>=": operator.rshift,
    "&=": operator.and_, "|=": operator.or_, "^=": operator.xor,
}


def guarded_function(func: Callable[..., Any]) -> Callable[..., Any]:
    """Every function and lambda an admin writes: counts depth (recursion) and checks the deadline."""
    @wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        budget = current()
        budget.depth += 1
        try:
            if budget.depth > budget.limits.max_depth:
                raise LimitExceeded(f"recursion deeper than {budget.limits.max_depth} calls")
            budget.step()
            return func(*args, **kwargs)
        finally:
            budget.depth -= 1
    return call


def step() -> None:
    current().step()


def apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)
