"""What a job handler receives, and how it says "do not retry"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..runtime import Platform


@dataclass(frozen=True)
class JobContext:
    """One attempt of one job. ``attempt`` starts at 1; handlers must be idempotent (see docs/jobs.md):
    a job whose worker died mid-run is handed out again, so the same ``job_id`` may run more than once."""

    job_id: int
    kind: str
    payload: dict
    attempt: int
    platform: "Platform"


Handler = Callable[[JobContext], Any]


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (a malformed payload): the job fails at once."""
