"""Logic-layer benchmark: what each layer of the sandbox costs.

* evaluations/s of a cached simple formula in-process (goal ≥ 100,000/s), and the
  same expression as plain ``eval`` without guards (the cost of the guards);
* compile cost (cold) vs. the cache hit;
* overhead of 10 validation rules + 5 stored formulas on a record save through the
  RecordService, measured as the difference against the same object without them
  (goal ≤ 1 ms);
* the limit mechanisms: a warm worker round trip, worker start-up, the time to stop
  a runaway script (in-process deadline and parent kill);
* after-save scripts on a save (an empty one, one that creates a follow-up task)
  against the same save without scripts, and an API script call (trivial, and one
  with a ``query()``), as median and p95.

Prints a Markdown table of medians. Usage::

    .venv/bin/python bench/bench_logic.py --db sqlite --repeat 2000
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from decimal import Decimal
from typing import Any, Callable

from metacrm.platform.logic.limits import LimitExceeded, Limits
from metacrm.platform.logic.policy import _by_text, _cache, compiled
from metacrm.platform.logic.sandbox import evaluate
from metacrm.platform.logic.worker_client import ScriptRunner


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def rate(fn: Callable[[], Any], n: int) -> float:
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append(n / (time.perf_counter() - t))
    return statistics.median(runs)


def bench_expressions(rows: list[tuple[str, str]]) -> None:
    src = "amount * probability / 100"
    names = {"amount": Decimal("1000.00"), "probability": Decimal("25")}
    evaluate(src, names)
    rows.append(("cached formula `amount * probability / 100` (sandbox)", f"{rate(lambda: evaluate(src, names), 50_000):,.0f} /s"))
    plain = compile(src, "<plain>", "eval")
    rows.append(("same expression, plain eval (no guards)", f"{rate(lambda: eval(plain, dict(names)), 50_000):,.0f} /s"))

    def cold() -> None:
        _cache.clear()
        _by_text.clear()
        compiled(src)
    rows.append(("compile (RestrictedPython + policy), cache miss", f"{median_time(cold, 200) * 1e6:,.0f} µs"))
    rows.append(("compile, cache hit", f"{median_time(lambda: compiled(src), 2000) * 1e6:,.2f} µs"))
    loop = "sum([x * 2 for x in range(1000)])"
    rows.append(("1000-step comprehension (guarded iteration)", f"{median_time(lambda: evaluate(loop, {}), 200) * 1e6:,.0f} µs"))


def bench_save(rows: list[tuple[str, str]], url: str, repeat: int) -> None:
    from metacrm.platform.records.actor import SYSTEM
    from metacrm.platform.runtime import Platform

    p = Platform.from_url(url, migrate=True)
    fields = [{"name": f"n{i}", "type": "decimal", "scale": 2} for i in range(5)]
    rules = [{"name": f"r{i}", "condition": f"n{i % 5} is None or n{i % 5} >= 0", "message": "must be ≥ 0",
              "fields": [f"n{i % 5}"]} for i in range(10)]
    formulas = [{"name": f"f{i}", "type": "formula", "formula": f"n{i} * 2 + n{(i + 1) % 5}",
                 "result_type": "decimal", "scale": 2} for i in range(5)]
    plain = {"name": "plain", "fields": [{"name": "title", "type": "text"}, *fields]}
    logic = {"name": "logic", "fields": [{"name": "title", "type": "text"}, *fields, *formulas],
             "validation_rules": rules}
    p.metadata.apply(p.metadata.plan({"objects": [plain, logic]}), author="bench", confirm=True)
    data = {"title": "x", **{f"n{i}": str(i + 1) for i in range(5)}}
    samples: dict[str, list[float]] = {"plain": [], "logic": []}
    for _ in range(repeat):  # interleaved so drift affects both alike
        for name in ("plain", "logic"):
            t = time.perf_counter()
            p.records.create(SYSTEM, name, data)
            samples[name].append(time.perf_counter() - t)
    a, b = statistics.median(samples["plain"]), statistics.median(samples["logic"])
    rows.append(("record create, no logic (median)", f"{a * 1000:.2f} ms"))
    rows.append(("record create, 10 rules + 5 stored formulas (median)", f"{b * 1000:.2f} ms"))
    rows.append(("overhead of 10 rules + 5 formulas per save", f"{(b - a) * 1000:.3f} ms"))
    p.engine.dispose()


def _p(samples: list[float]) -> str:
    """Median and p95 in ms."""
    p95 = statistics.quantiles(samples, n=20)[18]
    return f"{statistics.median(samples) * 1000:.2f} ms (p95 {p95 * 1000:.2f} ms)"


def bench_scripts(rows: list[tuple[str, str]], url: str, repeat: int) -> None:
    from metacrm.platform.records.actor import SYSTEM
    from metacrm.platform.runtime import Platform

    p = Platform.from_url(url, migrate=True)
    follow_up = "create('s_task', subject=concat('Follow up ', record.title), parent=record.id)"
    objects = [
        {"name": "s_plain", "fields": [{"name": "title", "type": "text"}]},
        {"name": "s_empty", "fields": [{"name": "title", "type": "text"}],
         "scripts": [{"name": "noop", "event": "after_save", "code": "seen = record.id"}]},
        {"name": "s_follow", "fields": [{"name": "title", "type": "text"}],
         "scripts": [{"name": "follow_up", "event": "after_save", "code": follow_up}]},
        {"name": "s_task", "fields": [{"name": "subject", "type": "text"}, {"name": "parent", "type": "integer"}],
         "scripts": [{"name": "one", "event": "api", "code": "result = 1"},
                     {"name": "count", "event": "api", "code": "result = len(query('s_task', limit=10))"}]},
    ]
    p.metadata.apply(p.metadata.plan({"objects": objects}), author="bench", confirm=True)
    names = ("s_plain", "s_empty", "s_follow")
    for name in names:  # warm the worker and the caches
        p.records.create(SYSTEM, name, {"title": "warm"})
    samples: dict[str, list[float]] = {n: [] for n in (*names, "one", "count")}
    for _ in range(repeat):  # interleaved so drift affects all alike
        for name in names:
            t = time.perf_counter()
            p.records.create(SYSTEM, name, {"title": "x"})
            samples[name].append(time.perf_counter() - t)
        for script in ("one", "count"):
            t = time.perf_counter()
            p.scripts.run(script, SYSTEM, {})  # type: ignore[union-attr]
            samples[script].append(time.perf_counter() - t)
    rows.append(("record create, no script", _p(samples["s_plain"])))
    rows.append(("record create + empty after-save script", _p(samples["s_empty"])))
    rows.append(("record create + after-save script creating a task", _p(samples["s_follow"])))
    rows.append(("API script `result = 1` (service call, no HTTP)", _p(samples["one"])))
    rows.append(("API script with one query() of 10 rows", _p(samples["count"])))
    p.engine.dispose()


def bench_limits(rows: list[tuple[str, str]]) -> None:
    runner = ScriptRunner(Limits(seconds=0.5, cpu_seconds=1))
    t = time.perf_counter()
    runner.run({"code": "result = 1"})
    rows.append(("worker start-up (first script, cold)", f"{(time.perf_counter() - t) * 1000:,.0f} ms"))
    msg = {"code": "record.total = record.a * 2", "record": {"a": 2, "total": None}, "writable": ["total"]}
    rows.append(("before-save script round trip, warm worker", f"{median_time(lambda: runner.run(msg), 500) * 1e6:,.0f} µs"))

    def runaway() -> None:
        try:
            evaluate("[x for x in range(10**6) for y in range(10**6)]", {})
        except LimitExceeded:
            pass
    rows.append(("in-process deadline (50 ms budget): time to stop a runaway", f"{median_time(runaway, 5) * 1000:,.0f} ms"))

    def killed() -> None:
        try:
            runner.run({"code": "x = matches('(a+)+$', 'a' * 40 + 'b')"})
        except LimitExceeded:
            pass
    rows.append(("parent kill of a C-level runaway (0.5 s budget) + restart", f"{median_time(killed, 3) * 1000:,.0f} ms"))
    runner.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL"))
    ap.add_argument("--repeat", type=int, default=500)
    args = ap.parse_args()
    rows: list[tuple[str, str]] = []
    bench_expressions(rows)
    if args.db == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench_logic.db"
        bench_save(rows, url, args.repeat)
        bench_scripts(rows, url, args.repeat)
    else:
        import uuid
        import sqlalchemy as sa
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(args.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            sep = "&" if "?" in args.url else "?"
            bench_save(rows, f"{args.url}{sep}options=-csearch_path%3D{schema}", args.repeat)
            bench_scripts(rows, f"{args.url}{sep}options=-csearch_path%3D{schema}", args.repeat)
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    bench_limits(rows)
    print(f"| measure ({args.db}) | median |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
