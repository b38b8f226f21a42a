"""The platform as one object: engine, schema cache and services, free of Flask.

The Flask app keeps one in ``app.extensions["metacrm"]``; the CLI, benchmarks
and tests can build one straight from a database URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from .logic.record_logic import RecordLogic
from .metadata_service import MetadataService
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
        # Role names are checked against the roles the current metadata defines.
        users = UserService(engine, defined_roles=lambda: cache.get().compiled.roles)
        return cls(engine, cache, MetadataService(engine, cache), users,
                   RecordService(engine, cache, hooks=hooks), TokenService(engine), AuditService(engine),
                   sharing)

    def migrate(self) -> None:
        """Create or upgrade MetaCRM's own tables (idempotent)."""
        upgrade_platform(self.engine)
