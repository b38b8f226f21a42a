"""The platform as one object: engine, schema cache and services, free of Flask.

The Flask app keeps one in ``app.extensions["metacrm"]``; the CLI, benchmarks
and tests can build one straight from a database URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from .conversions import conversion_lock
from .duplicates import BlockDuplicates
from .files.record_hooks import FileReferences
from .files.store import FileStore
from .logic.after_save import AfterSaveScripts
from .logic.api_scripts import ApiScripts
from .logic.org_settings import OrgSettings
from .jobs import Jobs
from .logic.dependents import Dependents
from .logic.recompute import recompute_after_apply
from .logic.record_logic import RecordLogic
from .logic.rollups import RollupFields
from .metadata_service import MetadataService
from .privacy.holds import LegalHolds
from .records import RecordHooks, RecordService
from .schema_cache import SchemaCache
from .security import masking, permissions
from .security.audit import AccessLog, AuditService, FieldHistory
from .security.record_access import RecordAccess
from .security.sharing_store import SharingStore
from .security.tokens import TokenService
from .security.users import UserService
from .storage.engine import make_engine
from .storage.migrate_platform import upgrade_platform
from .workflows import WorkflowEngine
from .workflows.approvals import Approvals
from .workflows.state_machines import StateMachines
from .workflows import schedules


@dataclass
class Platform:
    engine: Engine
    schema: SchemaCache
    metadata: MetadataService
    users: UserService
    records: RecordService
    tokens: TokenService
    audit: AuditService
    sharing: SharingStore
    files: FileStore
    #: Organisation settings (fiscal year, holidays, time zone) and API scripts (docs/logic.md).
    settings: OrgSettings | None = None
    scripts: ApiScripts | None = None
    jobs: Jobs = field(default=None, repr=False)  # type: ignore[assignment]  (set by from_url: it needs the platform)
    workflows: WorkflowEngine | None = field(default=None, repr=False)  # docs/workflows.md
    #: State machines and approvals (docs/workflows.md), beside the workflow engine they run actions with.
    state_machines: StateMachines | None = field(default=None, repr=False)
    approvals: Approvals | None = field(default=None, repr=False)
    #: Legal holds (docs/data.md): held records refuse delete, purge and erasure.
    legal_holds: LegalHolds | None = field(default=None, repr=False)
    #: The plugins applied to this platform, built-ins first (docs/plugins.md); later ``Jobs`` read their kinds.
    plugins: list = field(default_factory=list, repr=False)

    @classmethod
    def from_url(cls, url: str, *, migrate: bool = False) -> "Platform":
        engine = make_engine(url)
        if migrate:
            upgrade_platform(engine)
        cache = SchemaCache(engine)
        # Audit is on by default: field history for every write, the access log for sensitive reads.
        # Roles from metadata decide who may do what (admins and the system pass).
        # Masked fields come back masked and, like hidden ones, cannot be queried.
        # Record-level access (owner, hierarchy, sharing, teams, denies, portal) filters rows in SQL.
        access, sharing = RecordAccess(), SharingStore(engine)
        hooks = RecordHooks(authorize=[access.authorize, permissions.authorize],
                            redact=[permissions.redact, access.redact, masking.mask],
                            hidden=[permissions.hidden_fields, access.hidden], unqueryable=[masking.masked_fields],
                            row_filter=[access],
                            after_write=[FieldHistory(), sharing.after_write], after_read=[AccessLog(engine)])
        # Logic (docs/logic.md): expression defaults, before-save scripts, formulas and validation rules on
        # every save; formulas that are not stored are computed first thing when records are read.
        logic = RecordLogic(engine)
        hooks.before_save.append(logic.before_save)
        hooks.redact.insert(0, logic.compute_on_read)
        # Roll-ups are computed on the parent's save, before the formulas that read them; a child's write
        # (or a change of a field formulas read through a lookup) re-saves its dependants as the system.
        dependents = Dependents()
        hooks.before_save[hooks.before_save.index(logic.before_save):0] = [RollupFields().before_save,
                                                                          dependents.before_save]
        hooks.after_write.append(dependents.after_write)
        # File fields may only reference uploads the actor may attach; saved ones are marked attached.
        files = FileStore(engine)
        references = FileReferences(files)
        hooks.before_save.append(references.before_save)
        hooks.before_save.append(conversion_lock)  # converted leads are read-only (docs/packs.md)
        hooks.after_write.append(references.after_write)
        # After-save scripts run last after the write (after audit's history), in its transaction, before
        # its events (docs/logic.md).
        after_save = AfterSaveScripts(logic.scripts, logic.settings)
        hooks.after_write.append(after_save)
        legal_holds = LegalHolds(engine)
        hooks.authorize.append(legal_holds.authorize)  # held records refuse delete and purge (docs/data.md)
        records, metadata = RecordService(engine, cache, hooks=hooks), MetadataService(engine, cache)
        dependents.bind(records)
        hooks.before_save.append(BlockDuplicates(records).before_save)  # duplicate rules that block (docs/import.md)
        logic.records = after_save.records = records  # scripts' query/create/update go through it
        metadata.after_apply.append(recompute_after_apply(records))  # fill roll-ups/formulas a plan adds
        # Role names are checked against the roles the current metadata defines.
        users = UserService(engine, defined_roles=lambda: cache.get().compiled.roles)
        platform = cls(engine, cache, metadata, users,
                        records, TokenService(engine), AuditService(engine),
                        sharing, files=files, settings=logic.settings,
                        scripts=ApiScripts(records, logic.settings, logic.scripts))
        # Background jobs (docs/jobs.md): RQ when METACRM_REDIS_URL is set, else an in-process thread.
        platform.jobs = Jobs(platform)
        platform.legal_holds = legal_holds
        # Workflows (docs/workflows.md): on record events, in the save's transaction; email, webhooks and
        # time triggers are jobs.
        platform.workflows = WorkflowEngine(records, cache, engine, jobs=lambda: platform.jobs).install()
        # State machines check every writer's state change and hold locked states; approvals lock while pending
        # and run their final actions through the workflow engine (docs/workflows.md).
        platform.state_machines = StateMachines(records, cache, platform.workflows).install()
        platform.approvals = Approvals(platform.workflows).install()
        # Imports (docs/import.md) run as `import.run` jobs, chunk by chunk through the record service.
        from .imports.job import register_jobs as register_import_jobs  # noqa: PLC0415

        register_import_jobs(platform.jobs)
        platform.workflows.settings = logic.settings  # schedules are read in the organisation's time zone
        metadata.after_apply.append(schedules.after_apply(platform.workflows))  # plan/cancel schedule triggers
        # MetaCRM's own plugins (email, webhooks, rich text) through the plugin interface (docs/plugins.md).
        from metacrm.plugins.apply import apply_platform  # noqa: PLC0415
        from metacrm.plugins.builtin import builtin_contexts  # noqa: PLC0415

        apply_platform(platform, builtin_contexts())
        return platform

    def migrate(self) -> None:
        """Create or upgrade MetaCRM's own tables (idempotent)."""
        upgrade_platform(self.engine)
