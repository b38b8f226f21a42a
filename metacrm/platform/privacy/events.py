"""Security-log events of the privacy tools, added to the log's closed list of event names."""

from __future__ import annotations

from ..security import security_log

LEGAL_HOLD_SET = "legal_hold_set"
LEGAL_HOLD_CLEARED = "legal_hold_cleared"
PERSONAL_DATA_EXPORTED = "personal_data_exported"
PERSONAL_DATA_ERASED = "personal_data_erased"
RETENTION_ANONYMISED = "retention_anonymised"

security_log.EVENTS |= {LEGAL_HOLD_SET, LEGAL_HOLD_CLEARED, PERSONAL_DATA_EXPORTED, PERSONAL_DATA_ERASED,
                        RETENTION_ANONYMISED}
