"""The platform as one object: engine, schema cache and services, free of Flask.

The Flask app keeps one in ``app.extensions["metacrm"]``; the CLI, benchmarks
and tests can build one straight from a database URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from .metadata_service import MetadataService
from .records import RecordHooks, RecordService
from .schema_cache import SchemaCache
from .security import permissions
from .security.audit import AccessLog, AuditService, FieldHistory
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

    @classmethod
    def from_url(cls, url: str, *, migrate: bool = False) -> "Platform":
        engine = make_engine(url)
        if migrate:
            upgrade_platform(engine)
        cache = SchemaCache(engine)
        # Audit is on by default: field history for every write, the access log for sensitive reads.
        # Roles from metadata decide who may do what (admins and the system pass).
        hooks = RecordHooks(authorize=[permissions.authorize], redact=[permissions.redact],
                            hidden=[permissions.hidden_fields],
                            after_write=[FieldHistory()], after_read=[AccessLog(engine)])
        return cls(engine, cache, MetadataService(engine, cache), UserService(engine),
                   RecordService(engine, cache, hooks=hooks), TokenService(engine), AuditService(engine))

    def migrate(self) -> None:
        """Create or upgrade MetaCRM's own tables (idempotent)."""
        upgrade_platform(self.engine)
