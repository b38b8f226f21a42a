"""Roll-up benchmark: what keeping roll-ups right costs a child write, and recompute throughput.

* a child create whose parent has 3 roll-ups (count, sum, filtered max) vs the
  same child under a parent without roll-ups: medians, p95 and the ratio, measured
  in one run, alternating the two so drift hits both alike;
* ``recompute`` of every parent (the path of ``metacrm logic recompute``): records/s,
  once with every value wrong (each record rewritten) and once with none wrong.

Prints a Markdown table. Usage::

    .venv/bin/python bench/bench_rollups.py --db sqlite --repeat 500
    METACRM_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
      .venv/bin/python bench/bench_rollups.py --db postgres --repeat 500
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

import sqlalchemy as sa

from metacrm.platform.logic.recompute import recompute
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform


def rollup(name: str, function: str, field: str | None = None, **filter_: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"child": "deal", "relationship_field": "account", "function": function}
    if field:
        spec["field"] = field
    if filter_:
        spec["filter"] = filter_
    return {"name": name, "type": "rollup", "rollup": spec, "result_type": "currency"}


def schema() -> dict[str, Any]:
    child = [{"name": "title", "type": "text"}, {"name": "amount", "type": "currency"},
             {"name": "stage", "type": "picklist", "options": ["Open", "Won", "Lost"]}]
    return {"objects": [
        {"name": "account", "fields": [{"name": "name", "type": "text"}, rollup("deals", "count"),
                                       rollup("total", "sum", "amount"), rollup("best_won", "max", "amount", stage="Won")]},
        {"name": "plain", "fields": [{"name": "name", "type": "text"}]},
        {"name": "deal", "fields": [*child, {"name": "account", "type": "lookup", "target": "account",
                                             "on_delete": "set_null"}]},
        {"name": "plain_deal", "fields": [*child, {"name": "plain", "type": "lookup", "target": "plain",
                                                   "on_delete": "set_null"}]},
    ]}


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


def bench(url: str, repeat: int, parents: int, children: int) -> list[tuple[str, str]]:
    p = Platform.from_url(url, migrate=True)
    p.metadata.apply(p.metadata.plan(schema()), author="bench")
    acme = p.records.create(SYSTEM, "account", {"name": "Acme"})["id"]
    plain = p.records.create(SYSTEM, "plain", {"name": "Acme"})["id"]
    with_rollups, without = [], []
    for i in range(repeat):
        for samples, obj, link, parent in ((without, "plain_deal", "plain", plain),
                                           (with_rollups, "deal", "account", acme)):
            data = {"title": f"d{i}", "amount": "12.34", "stage": "Won" if i % 3 else "Open", link: parent}
            t = time.perf_counter()
            p.records.create(SYSTEM, obj, data)
            samples.append(time.perf_counter() - t)
    a, b = statistics.median(with_rollups), statistics.median(without)
    rows = [("child create, parent without roll-ups (median / p95)", f"{b * 1e3:.2f} / {p95(without) * 1e3:.2f} ms"),
            ("child create, parent with 3 roll-ups (median / p95)",
             f"{a * 1e3:.2f} / {p95(with_rollups) * 1e3:.2f} ms"),
            ("**overhead of 3 roll-ups per child create**", f"**{(a - b) * 1e3:.2f} ms (×{a / b:.2f})**")]
    ids = [r["id"] for r in p.records.bulk_create(SYSTEM, "account", [{"name": f"A{i}"} for i in range(parents)]).records]
    for start in range(0, len(ids), 100):
        p.records.bulk_create(SYSTEM, "deal", [{"title": "x", "amount": "1.50", "stage": "Won", "account": rid}
                                               for rid in ids[start:start + 100] for _ in range(children)])
    table = p.schema.get().tables["account"]
    with p.engine.begin() as conn:
        conn.execute(sa.update(table).values(total=0, deals=0, best_won=None))
    for label in ("every value wrong", "nothing to fix"):
        t = time.perf_counter()
        report = recompute(p.records, "account")
        took = time.perf_counter() - t
        rows.append((f"recompute {report.records:,} parents × {children} children, {label} ({report.changed:,} changed)",
                     f"{report.records / took:,.0f} records/s"))
    p.engine.dispose()
    return rows


@contextmanager
def database(kind: str, url: str | None) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp()}/bench_rollups.db"
        return
    assert url, "set METACRM_DATABASE_URL or --url for PostgreSQL"
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL"))
    ap.add_argument("--repeat", type=int, default=500, help="child creates of each kind")
    ap.add_argument("--parents", type=int, default=2000)
    ap.add_argument("--children", type=int, default=5, help="children per parent for the recompute")
    args = ap.parse_args()
    with database(args.db, args.url) as url:
        rows = bench(url, args.repeat, args.parents, args.children)
    print(f"| measure ({args.db}) | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
