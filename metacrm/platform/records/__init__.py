"""The record path: the only way code creates, reads, changes or deletes records."""

from .actor import SYSTEM, Actor
from .errors import DeleteRestricted, FieldError, RecordInvalid, RecordNotFound, VersionConflict
from .events import RECORD_EVENTS, EventBus, RecordEvent
from .hooks import AccessRequest, ReadContext, RecordHooks, SaveContext, WriteContext
from .service import BulkResult, RecordService

__all__ = [
    "SYSTEM", "AccessRequest", "Actor", "BulkResult", "DeleteRestricted", "EventBus", "FieldError",
    "RECORD_EVENTS", "ReadContext", "RecordEvent", "RecordHooks", "RecordInvalid", "RecordNotFound", "RecordService",
    "SaveContext", "VersionConflict", "WriteContext",
]
