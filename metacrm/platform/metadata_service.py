"""The metadata service: the only way schema changes — plan, apply, roll back, purge.

CLI, REST API, the builder and pack installs all call this, so every change
is validated the same way, previewed as a plan, applied in one transaction
and recorded as a new version with author, reason and diff.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from metacrm.metadata.errors import MetadataError
from metacrm.metadata.field_types import FieldValueError
from metacrm.metadata.loader import bundle_from_snapshot, load_bundle, load_objects
from metacrm.metadata.rollback import rollback_hints

from .errors import ApplyFailed, Conflict, ConfirmationRequired, NotFound, Unprocessable
from .schema_cache import LiveSchema, SchemaCache
from .security import security_log
from .storage import store
from .storage.platform_tables import user
from .storage.operations import OPERATION_HANDLERS, ApplyContext
from .storage.planner import Plan, make_plan

log = logging.getLogger(__name__)


def invalid(error: MetadataError) -> Unprocessable:
    return Unprocessable(error.title, errors=[i.to_json() for i in error.issues])


class MetadataService:
    def __init__(self, engine: Engine, cache: SchemaCache):
        self.engine = engine
        self.cache = cache
        #: Steps run after a plan has committed, with the plan (the logic layer recomputes new roll-ups).
        self.after_apply: list[Callable[[Plan], None]] = []

    # --- reading -----------------------------------------------------------------------------
    def current(self) -> LiveSchema:
        return self.cache.get()

    def export(self, object_name: str | None = None) -> dict[str, Any]:
        bundle = self.current().compiled.bundle
        if object_name is None:
            return bundle.to_json()
        if object_name not in bundle.objects:
            raise NotFound(f'object "{object_name}" does not exist')
        return bundle.objects[object_name].to_json()

    def history(self, limit: int = 100) -> list[store.VersionInfo]:
        with self.engine.connect() as conn:
            return store.history(conn, limit)

    def archives(self) -> list[store.ArchiveEntry]:
        with self.engine.connect() as conn:
            return store.archives(conn)

    # --- planning ----------------------------------------------------------------------------
    def plan(self, document: Any, *, owner: str | None = None, replace_all: bool = False) -> Plan:
        """Plan an upsert of the objects in ``document`` (a bundle or one object).

        With ``replace_all`` the document is the whole truth: objects it does
        not list are planned for removal.
        """
        with self.engine.connect() as conn:
            live = self.cache.get(conn)
            base = None if replace_all else live.compiled.bundle
            try:
                loaded = load_bundle(document, base=base, owner=owner)
            except MetadataError as exc:
                raise invalid(exc) from None
            return make_plan(conn, live.compiled.bundle, live.version, loaded.bundle, loaded.renames)

    def plan_object(self, name: str, document: Any, *, owner: str | None = None) -> Plan:
        """Plan a PUT of one object; the document's name must match ``name``."""
        if isinstance(document, dict) and document.get("name", name) != name:
            raise Unprocessable("The object's name does not match the URL",
                                errors=[{"path": "name", "message": f'must be "{name}" (rename with '
                                         '"renamed_from" in a document named after the new name)',
                                         "code": "name_mismatch"}])
        if isinstance(document, dict):
            document = {"name": name, **document}
        with self.engine.connect() as conn:
            live = self.cache.get(conn)
            try:
                loaded = load_objects([document], base=live.compiled.bundle, prefix="", owner=owner)
            except MetadataError as exc:
                raise invalid(exc) from None
            return make_plan(conn, live.compiled.bundle, live.version, loaded.bundle, loaded.renames)

    def plan_delete(self, name: str) -> Plan:
        with self.engine.connect() as conn:
            live = self.cache.get(conn)
            if name not in live.compiled.bundle.objects:
                raise NotFound(f'object "{name}" does not exist')
            proposed = live.compiled.bundle.without_object(name)
            return make_plan(conn, live.compiled.bundle, live.version, proposed)

    def plan_rollback(self, version: int) -> Plan:
        with self.engine.connect() as conn:
            live = self.cache.get(conn)
            snapshot = store.load_snapshot(conn, version)
            if snapshot is None:
                raise NotFound(f"metadata version {version} does not exist")
            target = bundle_from_snapshot(snapshot)
            hints = rollback_hints(target, store.diffs_after(conn, version))
            return make_plan(conn, live.compiled.bundle, live.version, target, hints, restore=True)

    # --- applying ----------------------------------------------------------------------------
    def apply(self, plan: Plan, *, author: str, reason: str = "", confirm: bool = False,
              kind: str | None = None, restored_from: int | None = None,
              then: Callable[[Connection, int], None] | None = None) -> store.VersionInfo | None:
        """Run ``plan`` in one transaction and record the new version.

        ``then(conn, version)`` runs last in the same transaction, so a caller's own
        bookkeeping (the pack registry) commits or rolls back with the change.
        Returns None for an empty plan (nothing to do, no version created).
        """
        if not plan.ok:
            raise Unprocessable("The change cannot be applied", errors=[i.to_json() for i in plan.issues])
        if plan.destructive and not confirm:
            raise ConfirmationRequired(
                "This change removes or converts stored data; confirm it to proceed",
                operations=[op.to_json() for op in plan.operations if op.destructive],
            )
        if plan.empty:
            return None
        version = plan.base_version + 1
        try:
            with self.engine.begin() as conn:
                if store.head_version(conn) != plan.base_version:
                    raise Conflict("The metadata changed since this plan was made; plan again",
                                   base_version=plan.base_version)
                ctx = ApplyContext(conn, Operations(MigrationContext.configure(conn)), version, plan.restore)
                for op in plan.operations:
                    self._run(ctx, op)
                for step in ctx.deferred:
                    step()
                store.insert_version(
                    conn, version=version, author=author, reason=reason,
                    kind=kind or ("rollback" if plan.restore else "apply"),
                    diff=[op.to_json() for op in plan.operations], snapshot=plan.bundle.to_json(),
                    restored_from=restored_from,
                )
                if then is not None:
                    then(conn, version)
                _log_change(conn, author, {
                    "version": version, "kind": kind or ("rollback" if plan.restore else "apply"), "reason": reason,
                    "restored_from": restored_from, "operations": [op.summary for op in plan.operations]})
        except IntegrityError as exc:
            if "metacrm_meta_version" in str(exc):
                raise Conflict("Another change was applied at the same time; plan again") from None
            raise ApplyFailed(str(exc.orig)) from exc
        log.info("metadata version %s applied by %s (%d operations)", version, author, len(plan.operations))
        self.cache.invalidate()
        for step in self.after_apply:
            step(plan)
        return self.history(1)[0]

    def _run(self, ctx: ApplyContext, op: Any) -> None:
        try:
            OPERATION_HANDLERS[op.kind](ctx, op)
        except SQLAlchemyError as exc:
            raise ApplyFailed(f"{op.summary}: {getattr(exc, 'orig', exc)}", operation=op.to_json()) from exc
        except FieldValueError as exc:
            # The plan converted every value, but records written since then do not
            # convert: a stale plan (record writes do not move the metadata version).
            raise Conflict(f"{op.summary}: a value stored since this plan was made cannot be converted "
                           f"({exc.message}); plan again", operation=op.to_json()) from exc

    def rollback(self, version: int, *, author: str, reason: str = "", confirm: bool = False) -> store.VersionInfo | None:
        plan = self.plan_rollback(version)
        return self.apply(plan, author=author, reason=reason or f"restore version {version}", confirm=confirm,
                          kind="rollback", restored_from=version)

    # --- purging -----------------------------------------------------------------------------
    def purge(self, archive_id: int | None = None, *, author: str = "cli", reason: str = ""
              ) -> list[store.ArchiveEntry]:
        """Drop archived columns/tables for good (one entry, or all with None); logged like a change."""
        with self.engine.begin() as conn:
            entries = [e for e in store.archives(conn) if archive_id is None or e.id == archive_id]
            if archive_id is not None and not entries:
                raise NotFound(f"archive {archive_id} does not exist or was already purged or restored")
            ops = Operations(MigrationContext.configure(conn))
            tables = set(sa.inspect(conn).get_table_names())
            for entry in entries:
                if entry.field is None:
                    if entry.physical_table in tables:
                        ops.drop_table(entry.physical_table)
                elif entry.physical_table in tables:
                    with ops.batch_alter_table(entry.physical_table, recreate="auto") as batch:
                        for archived, _ in entry.physical_columns:
                            batch.drop_column(archived)
                store.set_archive_state(conn, entry.id, "purged")
            if entries:
                _log_change(conn, author, {"version": store.head_version(conn), "kind": "purge", "reason": reason,
                                           "archives": [e.id for e in entries],
                                           "purged": [f"{e.object}.{e.field}" if e.field else e.object
                                                      for e in entries]})
        return entries


def _log_change(conn: Any, author: str, detail: dict[str, Any]) -> None:
    """A security-log row in the change's own transaction: a metadata change alters who may see what.

    ``author`` is an email from the API (its user becomes the row's actor) or a label such as "cli".
    """
    actor_id = conn.execute(sa.select(user.c.id).where(user.c.email == author.strip().lower())).scalar()
    security_log.record(conn, security_log.METADATA_CHANGED, actor_id=actor_id, subject=author, detail=detail)
