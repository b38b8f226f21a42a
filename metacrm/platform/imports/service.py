"""Running an import: chunk by chunk through the record service, every row accounted for.

Each chunk (``CHUNK`` rows) is one transaction of the record service
(:meth:`RecordService.write`): its records, the outcome of each of its rows
and the run's counters commit together. A job killed mid-way therefore leaves
whole chunks behind, and running the run again (the job's retry, or
``resume``) continues after the last committed one: no row is written twice
and none is lost. Rows that cannot be converted, resolved or validated fail
with their errors; the others are written (partial mode).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

import sqlalchemy as sa

from ..errors import NotFound, Unprocessable
from ..records.actor import SYSTEM, Actor
from ..records.errors import FieldError, RecordInvalid, RecordNotFound, VersionConflict
from ..storage.engine import write_transaction
from ..storage.store import utcnow
from ..workflows import data_loads
from . import convert, formats, lookups
from . import mapping as mapping_rules
from .formats import ImportFileError, SourceRow, SourceTable
from .tables import import_row, import_run

if TYPE_CHECKING:
    from ..runtime import Platform

CHUNK = 1000
#: The largest file an import takes (the wizard's ``IMPORT_MAX_BYTES`` setting defaults to it).
MAX_BYTES = 50 * 1024 * 1024
MODES = ("insert", "update", "upsert")
ERRORS_COLUMN = "import_errors"
Progress = Callable[[int, int], None]  # rows done, total


@dataclass(frozen=True)
class Options:
    mapping: dict[str, str]
    mode: str = "insert"
    key: str | None = None
    date_format: str | None = None
    #: Off by default: an import is a data load (workflows/data_loads.py), so record-triggered workflows
    #: and state-machine actions do not fire for 100,000 historical rows; validation, permissions,
    #: formulas and audit still apply.
    automations: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"mapping": self.mapping, "mode": self.mode, "key": self.key, "date_format": self.date_format,
                "automations": self.automations}


@dataclass(frozen=True)
class RowOutcome:
    number: int
    line: int
    action: str  # created, updated, skipped, failed
    record_id: int | None = None
    errors: tuple[dict[str, str], ...] = ()


class ImportService:
    def __init__(self, platform: "Platform"):
        self.platform = platform

    # --- preparing -------------------------------------------------------------------------
    def read(self, data: bytes, format_name: str) -> SourceTable:
        return formats.read(data, format_name)

    def check(self, object_name: str, columns: list[str], options: Options) -> None:
        """Refuse options that cannot work, before anything is written (422 naming the problem)."""
        live = self.platform.schema.get()
        obj = live.compiled.object(object_name)
        if obj is None:
            raise NotFound(f'there is no object "{object_name}"')
        problems = mapping_rules.check_mapping(options.mapping, obj, live.compiled.objects)
        if options.mode not in MODES:
            problems.append(f'the mode must be one of {", ".join(MODES)} (got "{options.mode}")')
        if options.mode != "insert":
            if not options.key:
                problems.append(f"the {options.mode} mode needs a key field (--key) to find existing records")
            elif options.key != "id" and options.key not in obj.fields:
                problems.append(f'{obj.definition.label} has no key field "{options.key}"')
            elif options.key not in options.mapping.values():
                problems.append(f'no column is mapped to the key field "{options.key}"')
        if not options.mapping:
            problems.append("no column is mapped to a field")
        if problems:
            raise Unprocessable("The import cannot start: " + "; ".join(problems), problems=problems)

    def start(self, actor: Actor, object_name: str, file_name: str, data: bytes, options: Options, *,
              format_name: str | None = None, enqueue: bool = True) -> int:
        """Store the file, record the run and (``enqueue``) hand it to a job; returns the run id."""
        format_name = format_name or formats.format_of(file_name)
        table = self.read(data, format_name)
        self.check(object_name, table.columns, options)
        stored = self.store_file(actor, file_name, data)
        return self.start_stored(actor, object_name, stored.key, options, format_name=format_name, table=table,
                                 enqueue=enqueue)

    def store_file(self, actor: Actor, file_name: str, data: bytes, *, limit: int = MAX_BYTES) -> Any:
        """Keep the file in the file store, whose own limit (for attachments) may be smaller than an import's."""
        store = self.platform.files
        if len(data) > store.max_bytes:
            store = type(store)(store.engine, max_bytes=limit)
        return store.put(actor, file_name, data)

    def load(self, actor: Actor, file_key: str, format_name: str | None = None) -> tuple[Any, SourceTable]:
        """An uploaded file of ``actor``'s (the wizard's steps carry its key) and its table."""
        found = self.platform.files.content(file_key)
        if found is None or not (actor.is_admin or found[0].created_by == actor.id):
            raise NotFound("the uploaded file is not there any more; upload it again")
        stored, data = found
        return stored, self.read(data, format_name or formats.format_of(stored.name))

    def start_stored(self, actor: Actor, object_name: str, file_key: str, options: Options, *,
                     format_name: str | None = None, table: SourceTable | None = None, enqueue: bool = True) -> int:
        """Start an import of a file already in the file store (the wizard uploaded it)."""
        stored, read_table = self.load(actor, file_key, format_name) if table is None else \
            (self.platform.files.info(file_key), table)
        format_name = format_name or formats.format_of(stored.name)
        self.check(object_name, read_table.columns, options)
        table = read_table
        store = self.platform.files
        now = utcnow()
        with write_transaction(self.platform.engine) as conn:
            store.attach(conn, [stored.key])  # kept for the failed-rows report (never pruned as an orphan)
            run_id = conn.execute(import_run.insert().values(
                object=object_name, file_key=stored.key, file_name=stored.name, format=format_name,
                options=options.to_json(), status="pending", total=len(table.rows),
                created_by=None if actor.is_system else actor.id, created_at=now, updated_at=now,
            ).returning(import_run.c.id)).scalar_one()
            if enqueue:
                job_id = self.platform.jobs.enqueue(conn, "import.run", {"run": run_id}, key=f"import:{run_id}")
                conn.execute(import_run.update().where(import_run.c.id == run_id).values(job_id=job_id))
        return run_id

    # --- running ---------------------------------------------------------------------------
    def run(self, run_id: int, *, progress: Progress | None = None, chunk: int = CHUNK) -> dict[str, Any]:
        """Process the run from its last committed chunk to the end; safe to call again after a crash."""
        run = self.get(run_id)
        if run["status"] == "done":
            return run
        actor = self._actor(run["created_by"])
        source = self._source(run)
        options = Options(**run["options"])
        self._set(run_id, status="running")
        repeated = repeated_keys(source, options)
        done = run["processed"]
        if progress:
            progress(done, len(source.rows))
        while done < len(source.rows):
            rows = source.rows[done:done + chunk]
            self._chunk(run_id, run["object"], actor, source.columns, rows, options, repeated)
            done += len(rows)
            if progress:
                progress(done, len(source.rows))
        self._set(run_id, status="done", finished_at=utcnow())
        return self.get(run_id)

    def _chunk(self, run_id: int, object_name: str, actor: Actor, columns: list[str], rows: list[SourceRow],
               options: Options, repeated: Mapping[int, int]) -> None:
        records = self.platform.records
        with records.write() as conn:
            if not options.automations:
                data_loads.mark(conn)
            live = self.platform.schema.get(conn)
            obj = live.compiled.objects[object_name]
            converted: list[dict[str, Any]] = []
            errors: list[list[FieldError]] = []
            for row in rows:
                values, errs = convert.convert_row(obj, columns, row.values, options.mapping, options.date_format)
                if row.number in repeated:
                    errs.append(FieldError(options.key or "", "repeated_key",
                                           f"the same {options.key} is on row {repeated[row.number]} of the file"))
                converted.append(values)
                errors.append(errs)
            lookups.resolve(conn, live, obj, options.mapping, converted, errors,
                            lambda target: records.hooks.row_clauses(actor, live, live.compiled.objects[target],
                                                                     "read"))
            existing = self._existing(conn, live, obj, options, converted) if options.mode != "insert" else {}
            outcomes = self._write(conn, actor, object_name, rows, converted, errors, options, existing)
            conn.execute(import_row.insert(), [
                {"run_id": run_id, "row_number": o.number, "line": o.line, "action": o.action,
                 "record_id": o.record_id, "errors": list(o.errors) or None} for o in outcomes])
            counts = {a: sum(1 for o in outcomes if o.action == a) for a in ("created", "updated", "skipped", "failed")}
            conn.execute(import_run.update().where(import_run.c.id == run_id).values(
                processed=import_run.c.processed + len(rows), updated_at=utcnow(),
                **{a: import_run.c[a] + n for a, n in counts.items()}))

    def _existing(self, conn: Any, live: Any, obj: Any, options: Options, rows: list[dict[str, Any]]
                  ) -> dict[str, tuple[int, int]]:
        """Key value (as text) → (id, version) of the live records the chunk's keys name."""
        key = options.key or "id"
        table = live.tables[obj.name]
        wanted = {str(r[key]) for r in rows if r.get(key) not in (None, "")}
        if key == "id":
            wanted = {w for w in wanted if w.isdigit()}
        if not wanted:
            return {}
        found: dict[str, tuple[int, int]] = {}
        values = [int(w) for w in wanted] if key == "id" else sorted(wanted)
        query = sa.select(table.c.id, table.c[key], table.c.version).where(table.c[key].in_(values),
                                                                          table.c.deleted_at.is_(None))
        for rid, value, version in conn.execute(query):
            found[str(value)] = (rid, version)
        return found

    def _write(self, conn: Any, actor: Actor, object_name: str, rows: list[SourceRow],
               converted: list[dict[str, Any]], errors: list[list[FieldError]], options: Options,
               existing: Mapping[str, tuple[int, int]]) -> list[RowOutcome]:
        records = self.platform.records
        outcomes: dict[int, RowOutcome] = {}
        creates: list[int] = []
        for i, row in enumerate(rows):
            if errors[i]:
                outcomes[i] = _failed(row, [e.to_json() for e in errors[i]])
                continue
            key_value = converted[i].get(options.key or "id") if options.mode != "insert" else None
            match = existing.get(str(key_value)) if key_value not in (None, "") else None
            if options.mode == "insert" or (match is None and options.mode == "upsert"):
                creates.append(i)
            elif match is None:
                outcomes[i] = _failed(row, [{"field": options.key or "id", "code": "not_found",
                                             "message": f'no record has {options.key} "{key_value}" to update'}])
            else:
                changes = {k: v for k, v in converted[i].items() if k != "id"}
                try:
                    with conn.begin_nested():
                        after = records.update_in(conn, actor, object_name, match[0], changes)
                    action = "skipped" if after.get("version") == match[1] else "updated"
                    outcomes[i] = RowOutcome(row.number, row.line, action, match[0])
                except (RecordInvalid, RecordNotFound, VersionConflict) as exc:
                    outcomes[i] = _failed(row, exc.extra.get("errors") or [{"field": "", "code": exc.type_slug,
                                                                            "message": exc.detail}])
        if creates:
            result = records.bulk_create_in(conn, actor, object_name,
                                            [{k: v for k, v in converted[i].items() if k != "id"} for i in creates])
            failed = {e["index"]: e["errors"] for e in result.errors}
            written = iter(result.records)
            for position, i in enumerate(creates):
                if position in failed:
                    outcomes[i] = _failed(rows[i], failed[position])
                else:
                    outcomes[i] = RowOutcome(rows[i].number, rows[i].line, "created", next(written)["id"])
        return [outcomes[i] for i in range(len(rows))]

    def preview(self, actor: Actor, object_name: str, table: SourceTable, options: Options, *, limit: int = 20
                ) -> list[RowOutcome]:
        """What the first ``limit`` rows would become, validated by the record service and rolled back."""
        rows = table.rows[:limit]
        outcomes: list[RowOutcome] = []

        class _Rollback(Exception):
            pass

        records = self.platform.records
        try:
            with records.write() as conn:
                if not options.automations:
                    data_loads.mark(conn)
                live = self.platform.schema.get(conn)
                obj = live.compiled.objects[object_name]
                converted, errors = [], []
                for row in rows:
                    values, errs = convert.convert_row(obj, table.columns, row.values, options.mapping,
                                                       options.date_format)
                    converted.append(values)
                    errors.append(errs)
                lookups.resolve(conn, live, obj, options.mapping, converted, errors,
                                lambda target: records.hooks.row_clauses(actor, live, live.compiled.objects[target],
                                                                         "read"))
                existing = self._existing(conn, live, obj, options, converted) if options.mode != "insert" else {}
                outcomes = self._write(conn, actor, object_name, rows, converted, errors, options, existing)
                raise _Rollback
        except _Rollback:
            pass
        return outcomes

    # --- reading runs ----------------------------------------------------------------------
    def get(self, run_id: int) -> dict[str, Any]:
        with self.platform.engine.connect() as conn:
            row = conn.execute(sa.select(import_run).where(import_run.c.id == run_id)).mappings().first()
        if row is None:
            raise NotFound(f"there is no import #{run_id}")
        return dict(row)

    def outcomes(self, run_id: int, *, action: str | None = None) -> list[RowOutcome]:
        query = sa.select(import_row).where(import_row.c.run_id == run_id).order_by(import_row.c.row_number)
        if action:
            query = query.where(import_row.c.action == action)
        with self.platform.engine.connect() as conn:
            return [RowOutcome(r.row_number, r.line, r.action, r.record_id, tuple(r.errors or ()))
                    for r in conn.execute(query)]

    def failed_csv(self, run_id: int) -> str:
        """The failed rows as CSV: the file's own columns (fix and import it again) plus their errors."""
        run = self.get(run_id)
        source = self._source(run)
        failed = {o.number: o for o in self.outcomes(run_id, action="failed")}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*source.columns, ERRORS_COLUMN])
        for row in source.rows:
            if row.number in failed:
                errs = "; ".join(f"{e.get('field') or 'row'}: {e.get('message')}" for e in failed[row.number].errors)
                writer.writerow([*row.values, f"line {row.line}: {errs}"])
        return out.getvalue()

    # --- helpers ---------------------------------------------------------------------------
    def _source(self, run: Mapping[str, Any]) -> SourceTable:
        found = self.platform.files.content(run["file_key"])
        if found is None:
            raise ImportFileError(f"the file of import #{run['id']} is no longer stored")
        return self.read(found[1], run["format"])

    def _actor(self, user_id: int | None) -> Actor:
        if user_id is None:
            return SYSTEM
        user = self.platform.users.get(user_id)
        if user is None or not user.is_active:
            raise Unprocessable(f"the user who started this import (#{user_id}) no longer exists or is disabled")
        return Actor.from_user(user)

    def _set(self, run_id: int, **values: Any) -> None:
        with write_transaction(self.platform.engine) as conn:
            conn.execute(import_run.update().where(import_run.c.id == run_id).values(updated_at=utcnow(), **values))


def _failed(row: SourceRow, errors: list[dict[str, str]]) -> RowOutcome:
    return RowOutcome(row.number, row.line, "failed", None, tuple(errors))


def repeated_keys(source: SourceTable, options: Options) -> dict[int, int]:
    """Row number → the earlier row with the same key (update/upsert): a row never silently overwrites another."""
    if options.mode == "insert" or not options.key:
        return {}
    column = next((c for c, t in options.mapping.items() if t.partition(".")[0] == options.key), None)
    if column is None or column not in source.columns:
        return {}
    index = source.columns.index(column)
    first: dict[str, int] = {}
    repeated: dict[int, int] = {}
    for row in source.rows:
        value = row.values[index].strip() if index < len(row.values) else ""
        if not value:
            continue
        if value in first:
            repeated[row.number] = first[value]
        else:
            first[value] = row.number
    return repeated
