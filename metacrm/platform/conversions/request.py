"""What a caller asks of one conversion: the contract's options, named per target key.

The domain's contract is Salesforce's convertLead input, ``{leadId,
convertedStatus*, accountId?, contactId?, doNotCreateOpportunity?,
opportunityName?, ownerId?}``. A pack names its own targets (a Deal, a
Matter), so the options are spelt per target key, in the API's snake case:
``account_id`` (reuse that record, or ``"new"`` to create one even when a
match exists), ``do_not_create_opportunity`` (optional targets only),
``opportunity_name`` (the target object's name field), plus
``converted_status`` and ``owner_id``. Parsing is pure, so the API and the
web form share it and its errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from metacrm.metadata.conversions import ConversionDef

from ..errors import Unprocessable

NEW = "new"


@dataclass(frozen=True)
class ConversionRequest:
    converted_status: str | None = None
    owner: int | None = None
    #: target key → the id of an existing record to use, or ``"new"`` (create even when one matches)
    use: Mapping[str, int | str] = field(default_factory=dict)
    #: optional target keys not to create
    skip: frozenset[str] = frozenset()
    #: target key → the value of the target object's name field
    names: Mapping[str, str] = field(default_factory=dict)


def parse_request(conv: ConversionDef, body: Mapping[str, Any]) -> ConversionRequest:
    """The options of ``body`` for ``conv``; unknown keys and wrong types are a 422 naming each."""
    errors: list[dict[str, str]] = []
    use: dict[str, int | str] = {}
    skip: set[str] = set()
    names: dict[str, str] = {}
    known = {"converted_status", "owner_id"}
    for t in conv.targets:
        known |= {f"{t.key}_id", f"{t.key}_name"} | ({f"do_not_create_{t.key}"} if t.optional else set())
        raw = body.get(f"{t.key}_id")
        if raw not in (None, ""):
            if raw == NEW:
                use[t.key] = NEW
            elif _is_id(raw):
                use[t.key] = int(raw)
            else:
                errors.append(_error(f"{t.key}_id", "invalid_id", f'must be a record id or "{NEW}"'))
        flag = body.get(f"do_not_create_{t.key}")
        if t.optional and flag not in (None, False, "", "false", "0"):
            if flag not in (True, "true", "1", "on", "y"):
                errors.append(_error(f"do_not_create_{t.key}", "invalid_boolean", "must be true or false"))
            else:
                skip.add(t.key)
        name = body.get(f"{t.key}_name")
        if name not in (None, ""):
            if not isinstance(name, str):
                errors.append(_error(f"{t.key}_name", "invalid_text", "must be a text"))
            else:
                names[t.key] = name.strip()
    for key in body:
        if key not in known:
            errors.append(_error(key, "unknown_option", f'is not an option of the "{conv.name}" conversion (options: '
                                 f"{', '.join(sorted(known))})"))
    owner = body.get("owner_id")
    if owner not in (None, "") and not _is_id(owner):
        errors.append(_error("owner_id", "invalid_id", "must be a user id"))
    status = body.get("converted_status")
    if status not in (None, "") and not isinstance(status, str):
        errors.append(_error("converted_status", "invalid_text", "must be a text"))
    if errors:
        raise Unprocessable("The conversion options are invalid", errors=errors)
    return ConversionRequest(converted_status=status or None, owner=int(owner) if owner not in (None, "") else None,
                             use=use, skip=frozenset(skip), names=names)


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 0
    return isinstance(value, str) and value.isdigit() and int(value) > 0


def _error(name: str, code: str, message: str) -> dict[str, str]:
    return {"field": name, "code": code, "message": message}
