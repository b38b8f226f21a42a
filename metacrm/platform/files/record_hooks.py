"""Record hooks that keep ``file`` fields honest: a reference must name a file the actor may attach.

``FileType.coerce`` only checks a reference's shape (it has no database). Here,
in the record's own transaction, every new reference is looked up: an unknown
key, or a key someone *else* uploaded and never attached, is a 422 field error
with the same words in both cases (so the answer does not tell whether a key
exists). The stored reference is rebuilt from the store, so a client cannot
claim another name, size or type; after the write the file is marked attached.
"""

from __future__ import annotations

from typing import Any, Mapping

from metacrm.metadata.compiled import CompiledObject

from ..records.errors import FieldError
from ..records.hooks import SaveContext, WriteContext
from .store import FileStore

NOT_ATTACHABLE = ("is not a file you uploaded: upload the file (POST /api/v1/files, or the form's file input) "
                  "and save the reference it returns")


def file_fields(obj: CompiledObject) -> list[str]:
    return [name for name, f in obj.fields.items() if f.definition.type == "file"]


def _key(value: Any) -> str | None:
    return value.get("key") if isinstance(value, Mapping) else None


class FileReferences:
    def __init__(self, store: FileStore):
        self.store = store

    def before_save(self, ctx: SaveContext) -> None:
        previous = ctx.previous or {}
        for name in file_fields(ctx.obj):
            key = _key(ctx.values.get(name))
            if key is None:
                continue
            if key == _key(previous.get(name)):
                ctx.values[name] = previous[name]  # unchanged: keep the stored reference as it was
                continue
            found = self.store.info(key, ctx.conn)
            if found is None or not found.attachable_by(ctx.actor):
                ctx.values.pop(name, None)
                ctx.errors.append(FieldError(name, "file_not_found", NOT_ATTACHABLE))
            else:
                ctx.values[name] = found.reference()

    def after_write(self, ctx: WriteContext) -> None:
        if ctx.operation not in ("create", "update") or ctx.after is None:
            return
        before = ctx.before or {}
        keys = [key for name in file_fields(ctx.obj)
                if (key := _key(ctx.after.get(name))) is not None and key != _key(before.get(name))]
        self.store.attach(ctx.conn, keys)
