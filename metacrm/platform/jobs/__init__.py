"""Durable background jobs: the job table is the truth, RQ or an in-process thread delivers.

``platform.jobs`` (a :class:`Jobs`) is the whole public surface: ``register``
a handler for a kind, ``enqueue`` inside a transaction, ``cancel`` by key,
``schedule_recurring`` by cron, ``run_pending`` to drain synchronously.
See docs/jobs.md.
"""

from __future__ import annotations

from .context import Handler, JobContext, PermanentJobError
from .service import Jobs
from .settings import JobSettings
from .store import JobRow

__all__ = ["Handler", "JobContext", "JobRow", "JobSettings", "Jobs", "PermanentJobError"]
