"""Benchmarks of metadata changes and of the compiled schema.

Why: admins change the schema of a live CRM. Adding a field to an object with
a million records must not lock the table for minutes (on PostgreSQL a
nullable column without a default is a catalogue-only change), and every
worker recompiles the schema after each change, so compile time adds to the
first request after a change and the compiled schema's size to every
worker's memory. These figures keep those costs visible.

    python bench/bench_metadata.py --db sqlite|postgres [--rows N] [--repeat R]

PostgreSQL is reached through ``--url`` or ``METACRM_DATABASE_URL``; the run
uses a throw-away schema, dropped at the end. SQLite uses a temporary file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metacrm.metadata.compiled import compile_schema  # noqa: E402
from metacrm.metadata.loader import bundle_from_snapshot, load_bundle  # noqa: E402
from metacrm.platform.runtime import Platform  # noqa: E402
from metacrm.platform.storage.naming import table_name  # noqa: E402
from metacrm.platform.storage.tables import build_tables  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AUTHOR = "bench"
MIB = 1024 * 1024


@dataclass
class Result:
    label: str
    samples: list[float]
    unit: str = "ms"
    goal: str = ""
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def mixed_fields(target: str) -> list[dict[str, Any]]:
    """Thirty fields covering every stored field type; ``target`` is the lookup's object."""
    pick = ["new", "qualified", "won", "lost"]
    return [
        {"name": "title", "type": "text", "required": True, "max_length": 200},
        {"name": "summary", "type": "long_text"}, {"name": "notes", "type": "rich_text"},
        {"name": "email", "type": "email", "indexed": True}, {"name": "phone", "type": "phone"},
        {"name": "website", "type": "url"}, {"name": "quantity", "type": "integer"},
        {"name": "weight", "type": "decimal", "precision": 12, "scale": 3},
        {"name": "amount", "type": "currency"}, {"name": "probability", "type": "percent"},
        {"name": "close_date", "type": "date"}, {"name": "last_contacted", "type": "datetime"},
        {"name": "is_active", "type": "boolean"}, {"name": "stage", "type": "picklist", "options": pick},
        {"name": "tags", "type": "multi_picklist", "options": ["a", "b", "c"]},
        {"name": "ref_no", "type": "autonumber", "pattern": "D-{0000}"},
        {"name": "expected", "type": "formula", "formula": "amount * probability", "result_type": "currency"},
        {"name": "company", "type": "lookup", "target": target},
        {"name": "related", "type": "polymorphic_lookup", "targets": [target]},
        {"name": "attachment", "type": "file"}, {"name": "alt_email", "type": "email"},
        {"name": "mobile", "type": "phone"}, {"name": "score", "type": "integer"},
        {"name": "discount", "type": "percent"}, {"name": "start_date", "type": "date"},
        {"name": "end_date", "type": "date"}, {"name": "renewed_at", "type": "datetime"},
        {"name": "is_priority", "type": "boolean"}, {"name": "priority", "type": "picklist", "options": pick},
        {"name": "code", "type": "text", "max_length": 20, "unique": True},
    ]


def object_doc(name: str, target: str) -> dict[str, Any]:
    return {"name": name, "label": name.title(), "fields": mixed_fields(target)}


def bundle_doc(objects: int) -> dict[str, Any]:
    """``objects`` objects of 30 fields, each looking up the previous one (a chain)."""
    return {"objects": [object_doc(f"o{i:03d}", f"o{max(i - 1, 0):03d}") for i in range(objects)]}


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def pct(samples: list[float], q: float) -> float:
    """The ``q`` quantile by nearest rank (0.95: p95); the benches report medians and p95s this way."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def apply_doc(platform: Platform, doc: dict[str, Any]) -> tuple[float, float]:
    """Plan then apply ``doc``; returns (plan ms, apply ms)."""
    start = time.perf_counter()
    plan = platform.metadata.plan(doc)
    planned = time.perf_counter()
    platform.metadata.apply(plan, author=AUTHOR, confirm=True)
    return (planned - start) * 1000, (time.perf_counter() - planned) * 1000


@contextmanager
def database(kind: str, pg_url: str) -> Iterator[str]:
    """A URL to an empty database: a temporary SQLite file or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="metacrm-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def bench_create_object(platform: Platform, repeat: int) -> list[Result]:
    apply_doc(platform, {"name": "company", "fields": [{"name": "title", "type": "text"}]})
    plans, applies = [], []
    for i in range(repeat):
        p, a = apply_doc(platform, object_doc(f"deal_{i}", "company"))
        plans.append(p)
        applies.append(a)
    totals = [p + a for p, a in zip(plans, applies)]
    note = f"plan {statistics.median(plans):.0f} ms + apply {statistics.median(applies):.0f} ms"
    return [Result("create object, 30 mixed fields (plan + apply)", totals, note=note)]


FILL_COLUMNS = "created_at, updated_at, owner, title, amount, quantity, close_date, is_active, stage"
FILL_SQL = {
    "sqlite": f"""INSERT INTO {{table}} ({FILL_COLUMNS})
        WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {{rows}})
        SELECT '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 1, 'Deal ' || i,
               (i % 100000) * 125, i % 1000, date('2026-01-01', '+' || (i % 365) || ' days'), i % 2,
               CASE i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'won' ELSE 'lost' END FROM s""",
    "postgresql": f"""INSERT INTO {{table}} ({FILL_COLUMNS})
        SELECT now(), now(), 1, 'Deal ' || i, mod(i, 100000) * 1.25, mod(i, 1000), date '2026-01-01' + mod(i, 365),
               mod(i, 2) = 0, (ARRAY['new', 'won', 'lost'])[1 + mod(i, 3)] FROM generate_series(1, {{rows}}) AS i""",
}


def fill(platform: Platform, table: str, rows: int) -> float:
    """Bulk-insert ``rows`` records in one statement, then vacuum/checkpoint (untimed)."""
    dialect = platform.engine.dialect.name
    start = time.perf_counter()
    with platform.engine.begin() as conn:  # the commit is part of the fill
        conn.exec_driver_sql(FILL_SQL[dialect].format(table=table, rows=rows))
    ms = (time.perf_counter() - start) * 1000
    tidy = f"VACUUM ANALYZE {table}" if dialect == "postgresql" else "PRAGMA wal_checkpoint(TRUNCATE)"
    with platform.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(tidy)
    return ms


def bench_add_field(platform: Platform, rows: int, repeat: int) -> list[Result]:
    apply_doc(platform, object_doc("big", "company"))
    fill_ms = fill(platform, table_name("big"), rows)
    results = [Result(f"fill {rows:,} rows (one INSERT ... SELECT)", [fill_ms], note="not a metadata operation")]
    for kind, extra in (("nullable", {}), ("indexed", {"indexed": True})):
        plans, applies = [], []
        for i in range(repeat):
            doc = platform.metadata.export("big")
            doc["fields"].append({"name": f"{kind}_{i}", "type": "text", "max_length": 80, **extra})
            p, a = apply_doc(platform, doc)
            plans.append(p)
            applies.append(a)
        note = f"plan {statistics.median(plans):.0f} ms + apply {statistics.median(applies):.0f} ms"
        goal = "< 1 s on PostgreSQL" if kind == "nullable" else ""
        results.append(Result(f"add {kind} text field, {rows:,} rows (plan + apply)",
                              [p + a for p, a in zip(plans, applies)], goal=goal, note=note))
    with platform.engine.connect() as conn:
        count = conn.exec_driver_sql(f"SELECT count(*) FROM {table_name('big')}").scalar()
    assert count == rows, f"expected {rows} rows, found {count}"
    return results


def bench_compile(objects: int, repeat: int) -> list[Result]:
    doc = bundle_doc(objects)
    label = f"{objects} objects x 30 fields"
    loads = [timed(lambda: load_bundle(doc)) for _ in range(repeat)]
    bundle = load_bundle(doc).bundle
    compiles = [timed(lambda: compile_schema(bundle, 1)) for _ in range(repeat)]
    snapshot = bundle.to_json()
    rebuilds = [timed(lambda: build_tables(compile_schema(bundle_from_snapshot(snapshot), 1))) for _ in range(repeat)]
    return [
        Result(f"load_bundle (validate + check), {label}", loads),
        Result(f"compile_schema, {label}", compiles, goal="< 200 ms"),
        Result(f"schema cache rebuild (snapshot -> compiled + tables), {label}", rebuilds,
               note="what SchemaCache.build does after each version"),
    ]


def bench_memory(objects: int) -> list[Result]:
    """Allocations of compile_schema alone (bundle already loaded), and of the whole chain."""
    bundle = load_bundle(bundle_doc(objects)).bundle
    compile_schema(bundle, 1)  # warm lazy imports and caches
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    compiled = compile_schema(bundle, 1)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    base2 = tracemalloc.get_traced_memory()[0]
    whole = build_tables(compile_schema(load_bundle(bundle_doc(objects)).bundle, 2))
    current2, peak2 = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del compiled, whole
    label = f"{objects} objects x 30 fields"
    return [
        Result(f"compile_schema memory retained, {label}", [(current - base) / MIB], "MiB", note="tracemalloc current"),
        Result(f"compile_schema memory peak, {label}", [(peak - base) / MIB], "MiB", note="tracemalloc peak"),
        Result(f"document -> bundle -> compiled + tables, retained, {label}", [(current2 - base2) / MIB], "MiB",
               note=f"peak {(peak2 - base2) / MIB:.1f} MiB"),
    ]


def markdown(results: list[Result], header: str) -> str:
    lines = [header, "", "| measurement | median | min | max | n | goal | note |", "|---|---:|---:|---:|---:|---|---|"]
    for r in results:
        fmt = "{:.1f}" if r.unit == "MiB" or r.median < 100 else "{:.0f}"
        cells = [fmt.format(v) + f" {r.unit}" for v in (r.median, min(r.samples), max(r.samples))]
        lines.append(f"| {r.label} | {' | '.join(cells)} | {len(r.samples)} | {r.goal} | {r.note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--rows", type=int, default=1_000_000, help="records in the add-field object")
    parser.add_argument("--repeat", type=int, default=5, help="repeats per timed step (the median is reported)")
    parser.add_argument("--objects", type=int, default=100, help="objects in the compiled-schema bundle")
    parser.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL") or DEFAULT_PG_URL,
                        help="PostgreSQL URL (default: $METACRM_DATABASE_URL or a local server)")
    args = parser.parse_args(argv)
    if args.db == "postgres" and not args.url.startswith("postgresql"):
        parser.error(f"--url must be a PostgreSQL URL, not {args.url!r}")
    results: list[Result] = []
    with database(args.db, args.url) as url:
        platform = Platform.from_url(url, migrate=True)
        try:
            results += bench_create_object(platform, args.repeat)
            results += bench_add_field(platform, args.rows, args.repeat)
        finally:
            platform.engine.dispose()
    results += bench_compile(args.objects, args.repeat)
    results += bench_memory(args.objects)
    print(markdown(results, f"### {args.db}: {args.rows:,} rows, {args.repeat} repeats, Python "
                            f"{sys.version.split()[0]}, SQLAlchemy {sa.__version__}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
