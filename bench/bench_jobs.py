"""Jobs per second end to end: enqueue N no-op jobs in one transaction, time until all are done.

Two deliveries, on the same database: RQ (Redis) with one ``metacrm worker``
process, and the in-process thread. The clock starts just before the commit
(that is when jobs are handed out) and stops when the job table shows all N
done, so it includes the hand-off, the atomic claim, the handler and the
outcome write of every job. Prints a Markdown table: median of ``--repeat``
runs, with the slowest run as a spread indicator.

    .venv/bin/python bench/bench_jobs.py --jobs 500 --repeat 3
    METACRM_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_jobs.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metacrm.platform.jobs import Jobs, JobSettings  # noqa: E402
from metacrm.platform.jobs.tables import job as job_table  # noqa: E402
from metacrm.platform.runtime import Platform  # noqa: E402

KIND = "bench.noop"


def register_jobs(jobs: Jobs) -> None:
    """Loaded by the worker process with ``--import bench_jobs``."""
    jobs.register(KIND, lambda ctx: None)


def database(url: str | None) -> tuple[str, callable]:  # type: ignore[valid-type]
    if not url:
        folder = tempfile.mkdtemp()
        return f"sqlite:///{folder}/bench.db", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", drop


def one_run(platform: Platform, jobs: Jobs, n: int) -> float:
    with platform.engine.begin() as conn:
        conn.execute(sa.delete(job_table))
    start = time.perf_counter()
    with platform.engine.begin() as conn:
        for i in range(n):
            jobs.enqueue(conn, KIND, {"i": i})
    done = sa.select(sa.func.count()).select_from(job_table).where(job_table.c.status == "done")
    while True:
        with platform.engine.connect() as conn:
            if conn.execute(done).scalar() == n:
                return n / (time.perf_counter() - start)
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("METACRM_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    url, drop = database(args.url)
    platform = Platform.from_url(url, migrate=True)
    rows = []
    try:
        jobs = Jobs(platform, JobSettings(poll_interval=0.05), mode="thread")
        platform.jobs = jobs
        register_jobs(jobs)
        rows.append(("in-process thread", [one_run(platform, jobs, args.jobs) for _ in range(args.repeat)]))
        jobs.stop()

        queue = f"metacrm-bench-{uuid.uuid4().hex[:8]}"
        jobs = Jobs(platform, JobSettings(redis_url=args.redis, queue=queue), mode="rq")
        platform.jobs = jobs
        register_jobs(jobs)
        env = {**os.environ, "METACRM_DATABASE_URL": url, "METACRM_REDIS_URL": args.redis,
               "METACRM_JOB_QUEUE": queue, "METACRM_INSTANCE_PATH": tempfile.mkdtemp(), "METACRM_SECRET_KEY": "b",
               "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)])}
        worker = subprocess.Popen([sys.executable, "-c", "from metacrm.cli import main; main()", "worker",
                                   "--import", "bench_jobs"], env=env, stdout=subprocess.DEVNULL)
        try:
            time.sleep(3)  # let the worker start before the clock does
            rows.append(("RQ, one worker", [one_run(platform, jobs, args.jobs) for _ in range(args.repeat)]))
        finally:
            worker.terminate()
            worker.wait(15)
            jobs.delivery.queue.delete(delete_jobs=True)
    finally:
        platform.engine.dispose()
        drop()
    print(f"{platform.engine.dialect.name}, {args.jobs} no-op jobs per run, {args.repeat} runs\n")
    print("| delivery | jobs/s (median) | slowest run |\n|---|---|---|")
    for name, rates in rows:
        print(f"| {name} | {statistics.median(rates):.0f} | {min(rates):.0f} |")
    print(f"\nRQ / in-process: {statistics.median(rows[1][1]) / statistics.median(rows[0][1]):.2f}")


if __name__ == "__main__":
    main()
