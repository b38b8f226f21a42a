"""Loading a pack's demo records through the record service, idempotently.

Records are written by :class:`RecordService` as the system actor, in bulk,
so demo data passes the same validation, autonumbers and audit as any
other write. Each record has a stable external id (``_id``); the id map
(``metacrm_pack_record``) makes a second load create nothing, and lets
records point at each other before they have database ids:

- ``{"_ref": "account:acme"}`` → the id of that pack's demo account ``acme``
  (``{"_ref": ..., "pack": "other"}`` for another pack's record); on a
  polymorphic lookup it becomes ``{"object": "account", "id": ...}``.
- ``{"_days_from_today": -40}`` → a date 40 days ago (on datetime fields with
  ``"_time": "14:30"``, UTC), so a demo pipeline always looks current.

Files load in name order; within a file, records referring to records of the
same file (a parent account) wait until those exist.

Demo data is a *data load* (``metacrm.platform.workflows.data_loads``): no
record automation fires (no lead routing, no emails to owners) and records are
created at the state they name, past any state machine's ``initial``. Each
batch and its id-map rows commit in one transaction, so a crash never leaves
records the map does not know (which a second load would duplicate). Records
without an ``owner`` get one round-robin from ``owners`` (the pack's users;
see ``PackService.demo_owners``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from metacrm.metadata.compiled import CompiledObject

from ..errors import Unprocessable
from ..records import RecordService
from ..records.actor import SYSTEM
from ..records.errors import RecordInvalid
from ..workflows import data_loads
from . import registry
from .source import DemoFile

CHUNK = 500


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    existing: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


class _Waiting(Exception):
    """A reference to a record of the same file that is not created yet."""


class DemoLoader:
    def __init__(self, records: RecordService, pack_name: str, *, today: Callable[[], dt.date] = dt.date.today,
                 owners: Sequence[int] = ()):
        self.records = records
        self.pack = pack_name
        self.today = today
        self.owners = tuple(owners)
        self._turns: dict[str, int] = {}  # round-robin position per object
        self._maps: dict[tuple[str, str], dict[str, int]] = {}

    def _ids(self, pack_name: str, object_name: str) -> dict[str, int]:
        key = (pack_name, object_name)
        if key not in self._maps:
            with self.records.engine.connect() as conn:
                self._maps[key] = registry.record_ids(conn, pack_name, object_name)
        return self._maps[key]

    def check(self, files: list[DemoFile], objects: Mapping[str, Any]) -> list[dict[str, str]]:
        """Problems visible before anything is written: unknown objects and fields (``objects``: name → ObjectDef)."""
        errors = []
        for f in files:
            obj = objects.get(f.object)
            if obj is None:
                errors.append({"path": f.path, "message": f'object "{f.object}" is not defined by the pack or '
                               "installed", "code": "unknown_object"})
                continue
            known = set(obj.field_names) | {"_id", "owner"}
            for key in sorted({k for r in f.records if isinstance(r, dict) for k in r} - known):
                errors.append({"path": f"{f.path}: {key}", "message": f"is not a field of {f.object}",
                               "code": "unknown_field"})
        return errors

    def load(self, files: list[DemoFile]) -> DemoResult:
        result = DemoResult()
        for f in files:
            self._load_file(f, result)
        return result

    def _load_file(self, f: DemoFile, result: DemoResult) -> None:
        live = self.records.cache.get()
        obj = live.compiled.object(f.object)
        if obj is None:
            raise Unprocessable(f'{f.path}: object "{f.object}" does not exist')
        done = self._ids(self.pack, f.object)
        index = {r["_id"]: i for i, r in enumerate(f.records)}
        pending = [r for r in f.records if r["_id"] not in done]
        result.existing += len(f.records) - len(pending)
        while pending:
            ready: list[tuple[str, dict[str, Any]]] = []
            waiting: list[dict[str, Any]] = []
            for record in pending:
                try:
                    ready.append((record["_id"], self._resolve(f, obj, record, index, pending_ids={
                        r["_id"] for r in pending})))
                except _Waiting:
                    waiting.append(record)
            if not ready:
                ids = ", ".join(r["_id"] for r in waiting[:5])
                raise Unprocessable(f"{f.path}: records refer to each other in a cycle ({ids})")
            for start in range(0, len(ready), CHUNK):
                self._write(f, obj, ready[start:start + CHUNK], index, result)
            pending = waiting

    def _write(self, f: DemoFile, obj: CompiledObject, batch: list[tuple[str, dict[str, Any]]],
               index: dict[str, int], result: DemoResult) -> None:
        rows = [self._owned(obj, row) for _, row in batch]
        with self.records.write() as conn:
            data_loads.mark(conn)
            try:
                written = self.records.bulk_create_in(conn, SYSTEM, f.object, rows)
                failed = written.errors
            except RecordInvalid as exc:
                failed = exc.extra.get("rows", []) or [{"index": 0, "errors": exc.extra.get("errors", [])}]
            if failed:  # raising rolls the whole batch back: a file loads entirely or not at all
                errors = []
                for row in failed:
                    pos = index[batch[row["index"]][0]]
                    errors.extend({"path": f"{f.path}: records[{pos}].{e['field']}", "message": e["message"],
                                   "code": e["code"]} for e in row["errors"])
                raise Unprocessable(f"{f.path}: demo records are invalid; this file was not loaded", errors=errors)
            pairs = [(ext, rec["id"]) for (ext, _), rec in zip(batch, written.records)]
            registry.map_records(conn, self.pack, f.object, pairs)
        self._ids(self.pack, f.object).update(pairs)
        result.created[f.object] = result.created.get(f.object, 0) + len(pairs)

    def _owned(self, obj: CompiledObject, row: dict[str, Any]) -> dict[str, Any]:
        """A record without an owner gets the next of ``owners`` (per object, so each list is spread)."""
        if not self.owners or row.get("owner") is not None:  # every object has the owner column
            return row
        turn = self._turns.get(obj.name, 0)
        self._turns[obj.name] = turn + 1
        return {**row, "owner": self.owners[turn % len(self.owners)]}

    def _resolve(self, f: DemoFile, obj: CompiledObject, record: Mapping[str, Any], index: dict[str, int],
                 pending_ids: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in record.items():
            if key == "_id":
                continue
            compiled = obj.fields.get(key)
            kind = compiled.definition.type if compiled is not None else ""
            if isinstance(value, dict) and "_ref" in value:
                out[key] = self._ref(f, key, value, kind, record["_id"], pending_ids)
            elif isinstance(value, dict) and "_days_from_today" in value:
                out[key] = self._date(value, kind)
            else:
                out[key] = value
        return out

    def _ref(self, f: DemoFile, key: str, value: Mapping[str, Any], kind: str, own_id: str,
             pending_ids: set[str]) -> Any:
        target, _, ext = str(value["_ref"]).partition(":")
        pack_name = value.get("pack", self.pack)
        rid = self._ids(pack_name, target).get(ext)
        if rid is None:
            if pack_name == self.pack and target == f.object and ext in pending_ids and ext != own_id:
                raise _Waiting
            raise Unprocessable(f'{f.path}: record "{own_id}" field {key} refers to {value["_ref"]}, '
                                f"which is not a demo record of pack {pack_name}")
        return {"object": target, "id": rid} if kind == "polymorphic_lookup" else rid

    def _date(self, value: Mapping[str, Any], kind: str) -> str:
        day = self.today() + dt.timedelta(days=int(value["_days_from_today"]))
        if kind != "datetime":
            return day.isoformat()
        hour, _, minute = str(value.get("_time", "09:00")).partition(":")
        return dt.datetime(day.year, day.month, day.day, int(hour), int(minute or 0),
                           tzinfo=dt.timezone.utc).isoformat()
