"""``metacrm worker``, ``metacrm scheduler`` and ``metacrm jobs ...``: run and inspect background jobs.

The worker and the scheduler are long-running processes for the RQ mode
(``METACRM_REDIS_URL`` set); without Redis, web processes run jobs in a thread
and these commands are not needed (``metacrm jobs run`` drains by hand).
"""

from __future__ import annotations

import importlib
import json
import threading
import time

import click

from .cli import cli, ready_platform
from .platform.jobs import Jobs
from .platform.workflows import schedules
from .platform.jobs import rq_entry


def _import_handlers(jobs: Jobs, modules: tuple[str, ...]) -> None:
    """``--import pkg.module``: a module whose ``register_jobs(jobs)`` registers more handlers."""
    for name in modules:
        module = importlib.import_module(name)
        register = getattr(module, "register_jobs", None)
        if register is None:
            raise click.ClickException(f"{name} has no register_jobs(jobs) function")
        register(jobs)


def _scheduler_loop(jobs: Jobs, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            jobs.tick()
        except Exception as exc:  # keep ticking: the database or Redis may come back
            click.echo(f"scheduler tick failed: {exc}", err=True)
        stop.wait(interval)


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--scheduler/--no-scheduler", default=True, show_default=True,
              help="Also run the scheduler loop in this process (due and abandoned jobs).")
@click.option("--interval", default=1.0, show_default=True, help="Scheduler tick, in seconds.")
@click.option("--import", "modules", multiple=True, help="Module with register_jobs(jobs), for extra handlers.")
def worker_command(burst: bool, scheduler: bool, interval: float, modules: tuple[str, ...]) -> None:
    """Run an RQ worker for MetaCRM's jobs (needs METACRM_REDIS_URL)."""
    from rq import SimpleWorker  # noqa: PLC0415

    p = ready_platform()
    if p.jobs.mode != "rq":
        raise click.ClickException("METACRM_REDIS_URL is not set: jobs run in-process; no worker is needed.")
    _import_handlers(p.jobs, modules)
    rq_entry.bind(p)
    stop = threading.Event()
    if scheduler:
        threading.Thread(target=_scheduler_loop, args=(p.jobs, interval, stop), daemon=True).start()
    delivery = p.jobs.delivery
    # SimpleWorker runs jobs in this process (no fork): handlers share the platform and its pool, and a
    # killed worker takes its job with it — the job table's lease hands that job out again.
    worker = SimpleWorker([delivery.queue], connection=delivery.redis)
    click.echo(f"Worker on queue {delivery.queue.name!r} (Ctrl+C to stop).")
    try:
        worker.work(burst=burst, logging_level="WARNING")
    finally:
        stop.set()


@cli.command("scheduler")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between ticks.")
@click.option("--once", is_flag=True, help="Tick once and exit.")
def scheduler_command(interval: float, once: bool) -> None:
    """Hand due jobs to the workers and re-hand jobs whose worker died (RQ mode)."""
    p = ready_platform()
    schedules.sync(p.workflows)  # plan the schedule triggers of the current metadata (docs/workflows.md)
    if once:
        click.echo(json.dumps(p.jobs.tick()))
        return
    click.echo(f"Scheduler ticking every {interval}s (Ctrl+C to stop).")
    while True:
        try:
            p.jobs.tick()
        except Exception as exc:
            click.echo(f"scheduler tick failed: {exc}", err=True)
        time.sleep(interval)


@cli.group("jobs")
def jobs_group() -> None:
    """List, retry and run background jobs."""


@jobs_group.command("list")
@click.option("--status", type=click.Choice(["pending", "running", "done", "failed", "cancelled"]))
@click.option("--kind", default=None)
@click.option("--limit", default=50, show_default=True)
def list_command(status: str | None, kind: str | None, limit: int) -> None:
    """The newest jobs first (``--status failed`` for those an admin should look at)."""
    found = ready_platform().jobs.list(status=status, kind=kind, limit=limit)
    if not found:
        click.echo("No jobs.")
    for job in found:
        key = f"  key={job.key}" if job.key else ""
        click.echo(f"#{job.id}  {job.status:<9} {job.kind:<16} attempts {job.attempts}/{job.max_attempts}  "
                   f"run_at {job.run_at:%Y-%m-%d %H:%M:%S}{key}")
        if job.last_error and job.status in ("failed", "pending"):
            click.echo(f"    last error: {job.last_error}")


@jobs_group.command("retry")
@click.argument("job_id", type=int)
def retry_command(job_id: int) -> None:
    """Make failed (or cancelled) job JOB_ID due again, with a fresh set of attempts."""
    p = ready_platform()
    if not p.jobs.retry(job_id):
        job = p.jobs.get(job_id)
        raise click.ClickException(f"job #{job_id} does not exist" if job is None else
                                   f"job #{job_id} is {job.status}; only failed or cancelled jobs can be retried")
    click.echo(f"Job #{job_id} is pending again.")


@jobs_group.command("run")
@click.option("--limit", default=None, type=int, help="At most this many jobs.")
def run_command(limit: int | None) -> None:
    """Run due jobs now, in this process, until none is left."""
    p = ready_platform()
    p.jobs.tick()
    click.echo(f"Ran {p.jobs.run_pending(limit=limit)} job(s).")
