"""Glue between generated forms and the record service: prefill, lookup labels, errors, forged input.

The service's answers are turned into what a form shows: each field error next
to its input (``is-invalid`` + ``invalid-feedback``), every error in the summary
at the top, the user's input left as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from flask import request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from metacrm.metadata.layouts import LAYOUT_SYSTEM_FIELDS

from ..errors import Forbidden
from ..records.errors import FieldError
from .forms import RecordForm
from .forms.choices import inactive_choices
from .record_context import RecordContext, titles

#: Form keys that are not record fields.
FORM_KEYS = ("csrf_token", "version", "next", "save_and_new")


@dataclass(frozen=True)
class SummaryItem:
    label: str
    message: str
    anchor: str | None  # the input's id, when the field is on the form


def prefill(form_cls: type[RecordForm], args: Mapping[str, Any]) -> dict[str, Any]:
    """Form data for a new record: the fields' literal defaults (a picklist shows its default value, as
    the record service would store it), then the query string (``?account=5`` from a related list's
    "New"); editable fields only. Expression defaults (``"=today()"``) are left to the service."""
    data: dict[str, Any] = {}
    for name, slot in form_cls.slots.items():
        default = slot.definition.default if slot.definition is not None else None
        if slot.editable and name not in args and default is not None and slot.spec.kind != "file" \
                and not (isinstance(default, str) and default.startswith("=")):
            data[slot.attr] = slot.spec.to_form(default)
        if not slot.editable or name not in args or slot.spec.kind == "file":
            continue
        raw = args.getlist(name) if hasattr(args, "getlist") else [args[name]]
        if slot.spec.kind == "multiselect":
            data[slot.attr] = [v for item in raw for v in str(item).split(",") if v]
        elif slot.spec.kind == "switch":
            data[slot.attr] = str(raw[-1]).lower() in ("1", "true", "on", "yes")
        else:
            data[slot.attr] = raw[-1]
    return data


def clone_data(form_cls: type[RecordForm], record: Mapping[str, Any]) -> dict[str, Any]:
    """A new record's form data from an existing one: without unique, computed and system fields."""
    initial = form_cls.initial(record)
    keep = {s.attr for s in form_cls.slots.values()
            if s.editable and s.definition is not None and not s.definition.unique}
    return {k: v for k, v in initial.items() if k in keep}


def prepare_choices(ctx: RecordContext, form: RecordForm, record: Mapping[str, Any] | None = None) -> None:
    """Per-instance choices: each lookup's current choice titled as the actor reads the target, and the
    no-longer-offered picklist values a record still holds (so an edit does not silently drop them)."""
    for name, slot in form.slots.items():
        field = form.field(name)
        if record and field is not None and slot.definition is not None and slot.spec.kind in ("select", "multiselect"):
            extra = inactive_choices(slot.definition, record.get(name))
            if extra:
                field.choices = [*field.choices, *extra]
    wanted: dict[str, set[int]] = {}
    chosen: dict[str, tuple[str, int]] = {}
    for name, slot in form.slots.items():
        field = form.field(name)
        if slot.spec.kind != "lookup" or field is None or slot.definition is None:
            continue
        value = str(field.data or "").strip()
        if value.isdigit() and 0 < int(value) < 2**63:
            target = slot.definition.target or ""
            wanted.setdefault(target, set()).add(int(value))
            chosen[name] = (target, int(value))
    labels = titles(ctx, wanted)
    for name, key in chosen.items():
        label = labels.get(key, f"#{key[1]}")
        form.field(name).choices = [SelectChoice("", ""), SelectChoice(str(key[1]), label)]


def show_errors(form: RecordForm, errors: Iterable[FieldError]) -> list[SummaryItem]:
    """Put each error next to its field; return the summary (every error, in form order)."""
    summary: list[SummaryItem] = []
    for error in errors:
        slot = form.slots.get(error.field)
        field = form.field(error.field)
        if slot is not None and field is not None and slot.editable:
            field.errors = [*list(field.errors or ()), error.message]
            summary.append(SummaryItem(str(slot.label), error.message, field.id))
        else:
            label = str(slot.label) if slot is not None else (error.field or _("Record"))
            summary.append(SummaryItem(label, error.message, None))
    order = {name: i for i, name in enumerate(form.slots)}
    return sorted(summary, key=lambda s: order.get(_field_of(form, s), len(order)))


def _field_of(form: RecordForm, item: SummaryItem) -> str:
    return (item.anchor or "")[2:]


def refuse_forged(ctx: RecordContext, form_cls: type[RecordForm], only: tuple[str, ...] | None = None) -> None:
    """A browser never sends a disabled (read-only) input, a hidden field or a system field: a post that
    does was made by hand, and is refused rather than silently trimmed."""
    allowed = set(only if only is not None else form_cls.editable())
    known = set(ctx.obj.fields) | set(LAYOUT_SYSTEM_FIELDS) | {"id", "currency_code"}
    forged = sorted(k for k in request.form.keys() if k in known and k not in allowed and k not in FORM_KEYS)
    if forged:
        raise Forbidden(_("These fields cannot be changed here: %(names)s.", names=", ".join(forged)),
                        object=ctx.obj.name, fields=forged)
