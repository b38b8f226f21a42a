"""Benchmark of reports: a grouped report over 1,000,000 rows, and a 6-widget dashboard page.

Why: "what will we close this quarter" is asked of every opportunity an
organisation ever had; the GROUP BY must run in the database and answer
while a person waits. Goal: p95 under 500 ms for the grouped report on
PostgreSQL at 1,000,000 rows.

    python bench/bench_reports.py --db sqlite|postgres [--rows N] [--repeat R]

The ``deal`` object (stage picklist, amount, probability, a stored weighted
formula, close date, owner) is filled with ``--rows`` rows by Core inserts
(set-up only: the figures time reads). Timed, each ``--repeat`` times:

- ``forecast``: group by close month and stage, sum of the weighted amount
  plus grand totals (two statements), through ReportRunner as the admin;
- ``forecast as rep``: the same as a sales rep on a private object (the row
  filter is a WHERE term of the GROUP BY; the rep owns 1/10 of the rows);
- ``dashboard page``: ``GET /dashboards/sales`` (6 widgets, each a grouped
  report plus its totals, rendered with charts and tables) signed in as the admin.

Reported: median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_metadata import DEFAULT_PG_URL, database  # noqa: E402
from metacrm.platform.records import SYSTEM, Actor  # noqa: E402
from metacrm.platform.reports import ReportRunner  # noqa: E402

STAGES = ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
CHUNK = 20_000
PASSWORD = "bench password for reports"
BUNDLE = {
    "objects": [{"name": "deal", "sharing": "private", "name_field": "title", "fields": [
        {"name": "title", "type": "text"}, {"name": "stage", "type": "picklist", "options": STAGES},
        {"name": "amount", "type": "currency"}, {"name": "probability", "type": "percent"},
        {"name": "weighted", "type": "formula", "formula": "amount * probability / 100", "result_type": "currency"},
        {"name": "close_date", "type": "date", "indexed": True}, {"name": "is_closed", "type": "boolean"}]}],
    "roles": [{"name": "rep", "objects": {"deal": {"read": True}}}],
    "reports": [
        {"name": "forecast", "object": "deal", "chart": "stacked_bar",
         "group_by": [{"field": "close_date", "bucket": "month"}, {"field": "stage"}],
         "aggregates": [{"function": "sum", "field": "weighted"}]},
        {"name": "pipeline", "object": "deal", "chart": "funnel", "filters": {"is_closed": "false"},
         "group_by": [{"field": "stage"}], "aggregates": [{"function": "sum", "field": "amount"}]},
        {"name": "by_quarter", "object": "deal", "chart": "bar",
         "group_by": [{"field": "close_date", "bucket": "quarter"}], "aggregates": [{"function": "count"}]},
        {"name": "by_owner", "object": "deal", "chart": "bar", "group_by": [{"field": "owner"}],
         "aggregates": [{"function": "count"}, {"function": "avg", "field": "amount"}]},
        {"name": "total", "object": "deal", "chart": "number", "aggregates": [{"function": "sum", "field": "amount"}]},
        {"name": "won_by_year", "object": "deal", "chart": "stacked_bar", "filters": {"is_closed": "true"},
         "group_by": [{"field": "close_date", "bucket": "year"}, {"field": "stage"}],
         "aggregates": [{"function": "count"}]},
    ],
    "dashboards": [{"name": "sales", "filters": ["owner", "date_range"], "widgets": [
        {"report": n, "date_field": "close_date"} for n in
        ("forecast", "pipeline", "by_quarter", "by_owner", "total", "won_by_year")]}],
}


def fill(platform: Any, rows: int, owners: list[int], seed: int = 11) -> None:
    rnd = random.Random(seed)
    table = platform.schema.get().tables["deal"]
    now = dt.datetime.now(dt.timezone.utc)
    start = dt.date(2022, 1, 1)
    for first in range(0, rows, CHUNK):
        batch = []
        for i in range(first, min(rows, first + CHUNK)):
            stage = rnd.choice(STAGES)
            amount = Decimal(rnd.randint(100, 500_000))
            probability = Decimal(rnd.choice((10, 20, 50, 75, 90, 100)))
            batch.append({"title": f"Deal {i}", "stage": stage, "amount": amount, "probability": probability,
                          "weighted": amount * probability / 100, "is_closed": stage in ("Won", "Lost"),
                          "close_date": start + dt.timedelta(days=rnd.randrange(1800)),
                          "owner": owners[i % len(owners)], "created_at": now, "updated_at": now})
        with platform.engine.begin() as conn:
            conn.execute(table.insert(), batch)


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    fn()  # warm: compiled schema, statement cache, buffers
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from metacrm.app import create_app

    with database(args.db, args.pg_url) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "AUTO_MIGRATE": True})
        platform = app.extensions["metacrm"]
        platform.metadata.apply(platform.metadata.plan(BUNDLE), author="bench", confirm=True)
        admin = platform.users.create("admin@example.com", PASSWORD, is_admin=True)
        reps = [platform.users.create(f"rep{i}@example.com", PASSWORD, roles=["rep"]) for i in range(10)]
        started = time.perf_counter()
        fill(platform, args.rows, [admin.id] + [r.id for r in reps[1:]])
        print(f"{args.db}: {args.rows:,} deals loaded in {time.perf_counter() - started:.0f} s")
        if args.db == "postgres":
            with platform.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        rep = Actor.from_user(reps[1])
        reader = platform.records.reader
        results = {
            "forecast (2 groupings, month bucket)": measure(lambda: ReportRunner(reader, SYSTEM).run("forecast"),
                                                            args.repeat),
            "forecast as rep (row filter)": measure(lambda: ReportRunner(reader, rep).run("forecast"), args.repeat),
        }
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        signed = client.post("/login", data={"email": "admin@example.com", "password": PASSWORD,
                                             "csrf_token": token.group(1) if token else ""})
        assert signed.status_code == 302, signed.get_data(as_text=True)[:500]

        def page() -> None:
            response = client.get("/dashboards/sales")
            assert response.status_code == 200, response.status_code
        results["dashboard page (6 widgets)"] = measure(page, max(3, args.repeat // 4))
        for name, (median, p95) in results.items():
            print(f"{args.db:8} {name:40} median {median:8.1f} ms   p95 {p95:8.1f} ms")
        platform.engine.dispose()


if __name__ == "__main__":
    main()
