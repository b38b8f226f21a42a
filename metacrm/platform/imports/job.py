"""The ``import.run`` job: an import started in the wizard runs in a worker, not in the request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .service import ImportService

if TYPE_CHECKING:
    from ..jobs import JobContext, Jobs

KIND = "import.run"


def run_job(ctx: "JobContext") -> dict[str, Any]:
    """(Re)runs the import from its last committed chunk: a retry after a crash writes no row twice."""
    run = ImportService(ctx.platform).run(int(ctx.payload["run"]))
    return {key: run[key] for key in ("processed", "created", "updated", "skipped", "failed")}


def register_jobs(jobs: "Jobs") -> None:
    jobs.register(KIND, run_job, max_attempts=3, lease=120)
