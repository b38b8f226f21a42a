"""File fields on generated forms: an upload input, the current file, "replace" and "remove".

A browser posts the file with the form (``multipart/form-data``); the view
stores it first (``collect``) and hands the record service the reference, so
the service's hooks decide whether it may be attached, like any other writer's.
When another field fails, the upload is not lost: the form is shown again with
"current file: name (size)" and a hidden ``<name>__keep`` input carrying its key
(attachable only by its uploader, so a forged key gets the service's 422).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from flask import Request
from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms import FileField

from metacrm.metadata.definitions import FieldDef

from ...errors import Forbidden, PlatformError
from ...files.serving import allow_upload_body, sent_file, store_upload
from ...files.store import FileStore
from ...records.actor import Actor
from ...records.errors import FieldError
from .base import WidgetSpec, describe, validators_for

KEEP, REMOVE = "__keep", "__remove"
UNITS = ("bytes", "KB", "MB", "GB")


def upload(f: FieldDef) -> WidgetSpec:
    """A file input; its value reaches the record service through :func:`collect`, never ``record_data``."""
    field = FileField(f.label, validators=validators_for(f), description=describe(f))
    return WidgetSpec(field, "file", to_record=lambda value: None, to_form=lambda value: None)


def human_size(size: Any) -> str:
    """``1536`` → "1.5 KB", localised."""
    value, unit = float(size or 0), 0
    while value >= 1024 and unit < len(UNITS) - 1:
        value, unit = value / 1024, unit + 1
    shown = format_decimal(round(value, 1) if unit else int(value))
    return f"{shown} {_(UNITS[unit]) if unit == 0 else UNITS[unit]}"


@dataclass
class FileState:
    """What a file input shows besides itself: the current file and whether it is a pending upload."""

    current: Mapping[str, Any] | None = None
    pending: bool = False

    @property
    def size(self) -> str:
        return human_size((self.current or {}).get("size"))


@dataclass
class Collected:
    """Values for the record service (name → reference or None) and problems found while uploading."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)


def file_slots(form_cls: Any) -> list[str]:
    return [name for name, slot in form_cls.slots.items() if slot.spec.kind == "file"]


def prepare_request(request: Request, form_cls: Any, store: FileStore) -> None:
    """Before the form is parsed: a form with a file input may carry one upload per file field."""
    count = sum(1 for name in file_slots(form_cls) if form_cls.slots[name].editable)
    if count:
        allow_upload_body(request, store)
        extra = store.max_bytes * (count - 1)
        if extra and request.max_content_length is not None:
            request.max_content_length += extra


def collect(request: Request, form_cls: Any, store: FileStore, actor: Actor) -> Collected:
    """Store what the browser uploaded and say what each file field should become.

    A new file wins; else "remove" clears the field; else a kept key (from an earlier, failed submit)
    is resent; else the field is left out (unchanged). A file sent for a field the actor may not
    change is a forged post: 403, as for any read-only input.
    """
    out = Collected()
    for name in file_slots(form_cls):
        slot = form_cls.slots[name]
        upload_ = request.files.get(name)
        if not slot.editable:
            if sent_file(upload_) or request.form.get(name + KEEP) or request.form.get(name + REMOVE):
                raise Forbidden(_("These fields cannot be changed here: %(names)s.", names=name), fields=[name])
            continue
        kept = (request.form.get(name + KEEP) or "").strip()
        if sent_file(upload_):
            try:
                stored = store_upload(store, actor, upload_)  # type: ignore[arg-type]
            except PlatformError as exc:
                out.errors.append(FieldError(name, str(exc.extra.get("code") or "invalid_file"), exc.detail))
                continue
            out.values[name] = stored.reference()
        elif request.form.get(name + REMOVE):
            out.values[name] = None
        elif kept:
            out.values[name] = {"key": kept}
    return out


def states(form_cls: Any, store: FileStore, actor: Actor, record: Mapping[str, Any] | None,
           sent: Mapping[str, Any] | None = None) -> dict[str, FileState]:
    """What each file input shows: a pending upload (this actor's own, unattached) over the stored file."""
    shown: dict[str, FileState] = {}
    for name in file_slots(form_cls):
        value = (sent or {}).get(name, ...)
        if isinstance(value, Mapping) and value.get("key"):
            found = store.info(value["key"])
            stored_key = (record or {}).get(name, {}) or {}
            if found is not None and found.key == stored_key.get("key"):
                shown[name] = FileState(record[name] if record else None)  # type: ignore[index]
            elif found is not None and found.attachable_by(actor) and not actor.is_system:
                shown[name] = FileState(found.reference(), pending=True)
            else:
                shown[name] = FileState((record or {}).get(name))
        elif value is None:
            shown[name] = FileState(None)  # removed on this submit
        else:
            shown[name] = FileState((record or {}).get(name))
    return shown
