"""Handlers the subprocess workers of the tests load with ``metacrm worker --import``."""

from __future__ import annotations

import time
from pathlib import Path

from metacrm.platform.jobs import JobContext, Jobs


def slow_append(ctx: JobContext) -> None:
    """Writes "start" then, after ``seconds``, "end" to the payload's file: a run that was killed shows a
    start without an end."""
    path = Path(ctx.payload["file"])
    with path.open("a") as handle:
        handle.write(f"start {ctx.job_id} {ctx.attempt}\n")
    time.sleep(float(ctx.payload.get("seconds", 0)))
    with path.open("a") as handle:
        handle.write(f"end {ctx.job_id} {ctx.attempt}\n")


def register_jobs(jobs: Jobs) -> None:
    jobs.register("test.slow_append", slow_append, lease=1.0)
