"""Benchmarks of record reads and writes: the service and the REST API against raw SQL.

Why: every record write goes through RecordService (coercion, reference and
uniqueness checks, hooks, optimistic locking) and every list through the
query language. That pipeline must cost a small multiple of the SQL it runs,
or imports, forms and list views slow down as data grows. Each operation is
timed next to the same operation written with plain SQLAlchemy Core (the
floor), interleaved in the same run, so the ratio shows the pipeline's own
cost whatever the machine's speed.

    python bench/bench_records.py --db sqlite|postgres [--records N] [--companies N] [--repeat R]

Setup fills a ``company`` object and a 10-field ``deal`` object through
bulk_create (1000 rows per call). HTTP figures use the Flask test client with
a cheap argon2 work factor, because Basic auth verifies a password on every
request. Search is also timed with a trigram index the bench creates and
drops itself (pg_trgm GIN on PostgreSQL, an FTS5 table on SQLite), and sorted
lists with ``amount`` made indexed; the product has neither by default.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import datetime as dt
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from statistics import median
from typing import Any, Callable

import sqlalchemy as sa
from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_metadata import DEFAULT_PG_URL, apply_doc, database, timed  # noqa: E402
from metacrm.app import create_app  # noqa: E402
from metacrm.platform.records import Actor  # noqa: E402
from metacrm.platform.security import users  # noqa: E402
from metacrm.platform.storage.naming import table_name  # noqa: E402

PASSWORD, CHUNK, DEALS = "bench-password-1234", 1000, "/api/v1/records/deal"
STAGES = ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
NOUNS = ["renewal", "upgrade", "pilot", "expansion", "licence", "services", "support", "rollout"]
# 100 words, none inside another or inside a noun: "q=falcon" matches exactly 1% of titles.
WORDS = ("acorn amber anchor apex aspen atlas aurora azure badger basil beacon birch bison blaze bolt bramble "
         "breeze bronze cactus canyon cedar cinder citrus clover cobalt comet coral cosmos cricket crimson cypress "
         "dahlia delta dune eagle ember falcon fern fjord flint forge frost garnet geyser glacier granite gull "
         "harbor hazel heron hollow indigo iris jasper juniper kelp kestrel lagoon larch lotus lynx magnet maple "
         "marble meadow mesa mint nectar nimbus oasis onyx orchid osprey otter pebble pepper pine plume prism "
         "quartz quill raven reef ridge saffron sequoia sierra slate sparrow spruce summit thistle thunder tundra "
         "umber vapor velvet willow yarrow zephyr").split()
WORD = "falcon"
NOTES = ["Called the buyer; follow up after the budget meeting. " * k for k in (1, 2, 3, 4)]
COMPANY = {"name": "company", "name_field": "name", "fields": [
    {"name": "name", "type": "text", "required": True},
    {"name": "industry", "type": "picklist", "options": ["Software", "Retail", "Energy"]},
    {"name": "city", "type": "text"}, {"name": "website", "type": "url"}, {"name": "employees", "type": "integer"}]}
DEAL = {"name": "deal", "name_field": "title", "search_fields": ["title"], "fields": [
    {"name": "title", "type": "text", "required": True}, {"name": "amount", "type": "currency"},
    {"name": "stage", "type": "picklist", "options": STAGES}, {"name": "close_date", "type": "date"},
    {"name": "probability", "type": "percent"}, {"name": "company", "type": "lookup", "target": "company"},
    {"name": "owner_email", "type": "email"}, {"name": "notes", "type": "long_text"},
    {"name": "is_hot", "type": "boolean"}, {"name": "external_id", "type": "text", "max_length": 40, "unique": True}]}
Op = Callable[[int], Any]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


@dataclass
class Row:
    """One table line: ms samples per path (service, HTTP, raw); a rate row shows ``per_op`` / median."""

    label: str
    samples: dict[str, list[float]]
    rate: bool = False
    per_op: int = 1
    goal: str = ""
    note: str = ""

    def cell(self, path: str) -> str:
        s = self.samples.get(path)
        if not s:
            return ""
        return f"{self.per_op * 1000 / median(s):,.0f}/s" if self.rate else f"{median(s):.2f} / {p95(s):.2f}"

    def ratio(self, path: str) -> str:
        if path not in self.samples or "raw" not in self.samples:
            return ""
        mid = f"{median(self.samples[path]) / median(self.samples['raw']):.1f}×"
        return mid if self.rate else f"{mid} / {p95(self.samples[path]) / p95(self.samples['raw']):.1f}×"


def interleave(ops: dict[str, Op], n: int, warmup: int = 3) -> dict[str, list[float]]:
    """Call every op ``n`` times, rotating their order each round so a drifting load hits all alike."""
    names = list(ops)
    for i in range(warmup):
        for name in names:
            ops[name](-1 - i)
    out: dict[str, list[float]] = {name: [] for name in names}
    for i in range(n):
        for name in names[i % len(names):] + names[:i % len(names)]:
            out[name].append(timed(lambda: ops[name](i)))
    return out


def as_json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, (Decimal, dt.date)) else v for k, v in values.items()}


def basic(email: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{PASSWORD}".encode()).decode()}


class Bench:
    def __init__(self, url: str, args: argparse.Namespace):
        # A cheap argon2 cost for the bench user: verification reads the cost from the stored hash.
        users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        self.app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "AUTO_MIGRATE": True})
        self.platform = self.app.extensions["metacrm"]
        self.service, self.engine = self.platform.records, self.platform.engine
        self.pg = self.engine.dialect.name == "postgresql"
        self.client, self.headers = self.app.test_client(), basic("bench@example.com")
        self.args, self.rng, self.serial = args, random.Random(7), 0
        self.actor = Actor.from_user(self.platform.users.create("bench@example.com", PASSWORD, is_admin=True))
        apply_doc(self.platform, COMPANY)
        apply_doc(self.platform, DEAL)
        self.deal = self.platform.schema.get().tables["deal"]
        self.company_ids: list[int] = []
        self.rows: list[Row] = []

    def deal_values(self) -> dict[str, Any]:
        i, rng = self.serial, self.rng
        self.serial += 1
        return {"title": f"{WORDS[i % 100].title()} {NOUNS[i // 100 % len(NOUNS)]} {i}",
                "amount": Decimal(rng.randrange(10_000, 2_000_000)).scaleb(-2), "stage": rng.choice(STAGES),
                "close_date": dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(730)),
                "probability": Decimal(rng.randrange(0, 101)), "company": rng.choice(self.company_ids),
                "owner_email": f"rep{rng.randrange(40)}@example.com", "notes": NOTES[i % len(NOTES)],
                "is_hot": rng.random() < 0.2, "external_id": f"D-{i:09d}"}

    def raw_row(self, values: dict[str, Any]) -> dict[str, Any]:
        now, uid = dt.datetime.now(dt.timezone.utc), self.actor.id
        return {**values, "created_at": now, "updated_at": now, "created_by": uid, "updated_by": uid,
                "owner": uid, "version": 1}

    def http(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        response = self.client.open(path, method=method, headers=headers or self.headers, **kwargs)
        assert response.status_code in (200, 201), response.get_data(as_text=True)[:300]
        return response

    def raw(self, stmt: sa.Select[Any], one: bool = False) -> Any:
        with self.engine.connect() as conn:
            result = conn.execute(stmt).mappings()
            return result.first() if one else result.all()

    def explain(self, stmt: sa.Select[Any]) -> str:
        """The plan's shape, e.g. ``Limit > Sort > Seq Scan on obj_deal``."""
        sql = stmt.limit(51).compile(self.engine, compile_kwargs={"literal_binds": True})
        with self.engine.connect() as conn:
            if not self.pg:
                return "; ".join(r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            lines = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}") if "(cost" in r[0]]
        return " > ".join(ln.split("->")[-1].split("  (cost")[0].strip() for ln in lines)

    def fill(self) -> None:
        for start in range(0, self.args.companies, CHUNK):
            rows = [{"name": f"Company {i}", "industry": ["Software", "Retail", "Energy"][i % 3],
                     "city": f"City {i % 300}", "employees": i % 5000}
                    for i in range(start, min(start + CHUNK, self.args.companies))]
            self.company_ids += [r["id"] for r in self.service.bulk_create(self.actor, "company", rows).records]
        times: list[float] = []
        for start in range(0, self.args.records, CHUNK):
            rows = [self.deal_values() for _ in range(min(CHUNK, self.args.records - start))]
            times.append(timed(lambda: self.service.bulk_create(self.actor, "deal", rows)) * CHUNK / len(rows))
        total = sum(times) / 1000
        self.rows.append(Row(f"fill: bulk_create {self.args.records:,} deals, 1000 per call", {"service": times},
                             rate=True, per_op=CHUNK, note=f"{total:.1f} s in all"))
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if self.pg else "PRAGMA wal_checkpoint(TRUNCATE)")

    # --- reads -----------------------------------------------------------------------------------
    def list_row(self, label: str, params: dict[str, str], where: list[Any], order: list[Any], *,
                 paths: str = "service HTTP raw", goal: bool = False, note: str = "") -> None:
        """One list query through the service, HTTP and the same SELECT in Core (same ORDER BY, limit 50)."""
        t = self.deal
        stmt = lambda: sa.select(t).where(t.c.deleted_at.is_(None), *where).order_by(*order, t.c.id)  # noqa: E731
        ops: dict[str, Op] = {"service": lambda i: self.service.reader.list(self.actor, "deal", params),
                              "HTTP": lambda i: self.http("GET", DEALS, query_string=params),
                              "raw": lambda i: self.raw(stmt().limit(50))}
        s = interleave({k: v for k, v in ops.items() if k in paths.split()}, self.args.repeat)
        text = ""
        if goal:
            limit = 2 * p95(s["raw"]) + 2
            text = f"service p95 ≤ 2× raw p95 + 2 ms = {limit:.1f} ms {'✔' if p95(s['service']) <= limit else '✘'}"
        with self.engine.connect() as conn:
            hits = conn.execute(sa.select(sa.func.count()).select_from(stmt().subquery())).scalar_one()
        self.rows.append(Row(label, s, goal=text, note=f"{note}{hits:,} match; plan: {self.explain(stmt())}"))

    def bench_reads(self) -> None:
        c, n = self.deal.c, self.args.repeat
        like = c.title.ilike(f"%{WORD}%")  # lower() LIKE on SQLite, ILIKE on PostgreSQL, as the service
        self.list_row("list page 1, sort=-amount", {"sort": "-amount", "limit": "50"}, [],
                      [c.amount.desc().nulls_last()])
        self.list_row("list stage=Won&amount__gt=5000&sort=-close_date",
                      {"stage": "Won", "amount__gt": "5000", "sort": "-close_date"},
                      [c.stage == "Won", c.amount > Decimal(5000)], [c.close_date.desc().nulls_last()], goal=True)
        self.list_row(f"search q={WORD}", {"q": WORD}, [like], [])
        self.list_row(f"search q={WORD}&sort=-amount", {"q": WORD, "sort": "-amount"}, [like],
                      [c.amount.desc().nulls_last()])
        ids = [self.rng.randrange(1, self.args.records + 1) for _ in range(n + 3)]  # deal ids run 1..records
        s = interleave({"service": lambda i: self.service.get(self.actor, "deal", ids[i]),
                        "HTTP": lambda i: self.http("GET", f"{DEALS}/{ids[i]}"),
                        "raw": lambda i: self.raw(sa.select(self.deal).where(
                            c.id == ids[i], c.deleted_at.is_(None)), one=True)}, n)
        ok = "✔" if p95(s["HTTP"]) < 5 else "✘"
        self.rows.append(Row("get by id", s, goal=f"HTTP p95 < 5 ms {ok}" if not self.pg else "(SQLite goal)"))

    def bench_indexes(self) -> None:
        """Search with a trigram index, then sorted lists with ``amount`` indexed; both dropped afterwards."""
        table, c = table_name("deal"), self.deal.c
        with self.engine.begin() as conn:
            if self.pg:
                ext = conn.exec_driver_sql("SELECT extnamespace::regnamespace FROM pg_extension "
                                           "WHERE extname = 'pg_trgm'").scalar()
                if ext is None:  # installed into the bench schema, dropped with it
                    ext = conn.exec_driver_sql("SELECT current_schema()").scalar()
                    conn.exec_driver_sql(f"CREATE EXTENSION pg_trgm SCHEMA {ext}")
                build = timed(lambda: conn.exec_driver_sql(
                    f"CREATE INDEX bench_trgm ON {table} USING gin (title {ext}.gin_trgm_ops)"))
                conn.exec_driver_sql(f"ANALYZE {table}")
            else:
                build = timed(lambda: (conn.exec_driver_sql(
                    f"CREATE VIRTUAL TABLE bench_fts USING fts5(title, content='{table}', content_rowid='id', "
                    "tokenize='trigram')"), conn.exec_driver_sql("INSERT INTO bench_fts(bench_fts) VALUES('rebuild')")))
        fts = c.id.in_(sa.text(f"SELECT rowid FROM bench_fts WHERE title LIKE '%{WORD}%'"))
        for sort, order in (("", []), ("&sort=-amount", [c.amount.desc().nulls_last()])):
            params = {"q": WORD, **({"sort": "-amount"} if sort else {})}
            self.list_row(f"search q={WORD}{sort}, " + ("pg_trgm GIN index" if self.pg else "FTS5 trigram (raw only)"),
                          params, [c.title.ilike(f"%{WORD}%") if self.pg else fts], order,
                          paths="service raw" if self.pg else "raw", note=f"built in {build:.0f} ms; ")
        with self.engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX bench_trgm" if self.pg else "DROP TABLE bench_fts")
        doc = self.platform.metadata.export("deal")
        amount = next(f for f in doc["fields"] if f["name"] == "amount")
        amount["indexed"] = True
        built = sum(apply_doc(self.platform, doc))
        for sort, term in (("-amount", c.amount.desc()), ("amount", c.amount.asc())):
            self.list_row(f"list page 1, sort={sort}, amount indexed", {"sort": sort}, [], [term.nulls_last()],
                          paths="service raw", note=f"made indexed by plan + apply in {built:.0f} ms; ")
        amount["indexed"] = False
        apply_doc(self.platform, doc)

    # --- writes ----------------------------------------------------------------------------------
    def bench_writes(self) -> None:
        t, c, n = self.deal, self.deal.c, self.args.repeat

        def raw_insert(i: int) -> Any:
            with self.engine.begin() as conn:
                return conn.execute(t.insert().returning(c.id), self.raw_row(self.deal_values())).scalar_one()

        s = interleave({"service": lambda i: self.service.create(self.actor, "deal", self.deal_values()),
                        "HTTP": lambda i: self.http("POST", DEALS, json=as_json(self.deal_values())),
                        "raw": raw_insert}, n)
        ok = "✔" if median(s["service"]) <= 3 * median(s["raw"]) else "✘"
        self.rows.append(Row("single create, own transaction", s, rate=True, goal=f"service ≤ 3× raw {ok}"))
        rounds = max(5, n // 20)
        batches = [[self.deal_values() for _ in range(CHUNK)] for _ in range(2 * rounds + 2)]

        def raw_bulk(i: int) -> None:
            rows = [self.raw_row(v) for v in batches[2 * i + 1]]
            with self.engine.begin() as conn:
                conn.execute(t.insert(), rows)

        s = interleave({"service": lambda i: self.service.bulk_create(self.actor, "deal", batches[2 * i]),
                        "raw": raw_bulk}, rounds, warmup=1)
        self.rows.append(Row("bulk create, 1000 rows per call", s, rate=True, per_op=CHUNK,
                             note=f"{rounds} calls per path, raw = executemany"))
        ids = self.rng.sample(range(1, self.args.records + 1), 2 * (n + 3))  # each updated once, from version 1

        def raw_update(i: int) -> None:
            with self.engine.begin() as conn:
                assert conn.execute(sa.update(t).where(c.id == ids[2 * i + 1], c.version == 1).values(
                    amount=Decimal("99.99"), stage="Won", updated_at=dt.datetime.now(dt.timezone.utc),
                    updated_by=self.actor.id, version=2)).rowcount == 1

        s = interleave({"service": lambda i: self.service.update(
            self.actor, "deal", ids[2 * i], {"amount": Decimal("99.99"), "stage": "Won"}, expected_version=1),
            "raw": raw_update}, n)
        self.rows.append(Row("update 2 fields, expected version, own transaction", s, rate=True))

    # --- where the time goes ---------------------------------------------------------------------
    def count_queries(self) -> str:
        """SQL statements and pool checkouts of one call (BEGIN/COMMIT not counted)."""
        sql: list[str] = []
        checkouts: list[int] = []
        on_sql, on_checkout = (lambda *a: sql.append(a[2])), (lambda *a: checkouts.append(1))  # noqa: E731
        mine = self.service.create(self.actor, "deal", self.deal_values())["id"]  # at version 1
        ops = {"service create": lambda: self.service.create(self.actor, "deal", self.deal_values()),
               "HTTP create": lambda: self.http("POST", DEALS, json=as_json(self.deal_values())),
               "service update": lambda: self.service.update(self.actor, "deal", mine, {"amount": "99.99"},
                                                             expected_version=1),
               "service get": lambda: self.service.get(self.actor, "deal", 1),
               "HTTP get": lambda: self.http("GET", f"{DEALS}/1"),
               "service list (50 rows)": lambda: self.service.reader.list(self.actor, "deal", {"sort": "-amount"}),
               "HTTP list (50 rows)": lambda: self.http("GET", f"{DEALS}?sort=-amount")}
        out = []
        sa.event.listen(self.engine, "before_cursor_execute", on_sql)
        sa.event.listen(self.engine, "checkout", on_checkout)
        try:
            for name, op in ops.items():
                sql.clear()
                checkouts.clear()
                op()
                out.append(f"{name} {sum(not q.startswith('BEGIN') for q in sql)} ({len(checkouts)})")
        finally:
            sa.event.remove(self.engine, "before_cursor_execute", on_sql)
            sa.event.remove(self.engine, "checkout", on_checkout)
        return "SQL statements (connection checkouts) per call: " + ", ".join(out)

    def default_argon2(self) -> str:
        """A few HTTP gets as a user whose hash has argon2-cffi's default cost, for scale."""
        users._hasher = PasswordHasher()
        self.platform.users.create("slow@example.com", PASSWORD, is_admin=True)  # may read deals
        ms = [timed(lambda: self.http("GET", f"{DEALS}/1", basic("slow@example.com"))) for _ in range(5)]
        return f"HTTP get by id with argon2-cffi's default cost: median {median(ms):.0f} ms of 5"

    def profile(self, n: int = 300) -> None:
        """cProfile of ``n`` service creates, each followed by an update of the new record (to stderr)."""
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            rid = self.service.create(self.actor, "deal", self.deal_values())["id"]
            self.service.update(self.actor, "deal", rid, {"amount": "99.99"}, expected_version=1)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)


def markdown(rows: list[Row], header: str, notes: list[str]) -> str:
    lines = [header, "", "| operation | service | HTTP | raw Core | service / raw | HTTP / raw | goal | note |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    lines += [f"| {r.label} | {r.cell('service')} | {r.cell('HTTP')} | {r.cell('raw')} | {r.ratio('service')} | "
              f"{r.ratio('HTTP')} | {r.goal} | {r.note} |" for r in rows]
    return "\n".join(lines + [""] + [f"- {n}" for n in notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--records", type=int, default=100_000, help="deals to fill")
    parser.add_argument("--companies", type=int, default=10_000, help="companies the deals look up")
    parser.add_argument("--repeat", type=int, default=200, help="timed calls per operation and path")
    parser.add_argument("--profile", action="store_true", help="cProfile service creates + updates to stderr")
    parser.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL") or DEFAULT_PG_URL,
                        help="PostgreSQL URL (default: $METACRM_DATABASE_URL or a local server)")
    args = parser.parse_args(argv)
    if args.db == "postgres" and not args.url.startswith("postgresql"):
        parser.error(f"--url must be a PostgreSQL URL, not {args.url!r}")
    with tempfile.TemporaryDirectory(prefix="metacrm-bench-") as instance, database(args.db, args.url) as url:
        os.environ["METACRM_INSTANCE_PATH"] = instance  # create_app must not write into the working tree
        bench = Bench(url, args)
        try:
            bench.fill()
            bench.bench_reads()
            bench.bench_indexes()
            bench.bench_writes()
            notes = [bench.count_queries(), bench.default_argon2()]
            if args.profile:
                bench.profile()
        finally:
            bench.engine.dispose()
    print(markdown(bench.rows, f"### {args.db}: {args.records:,} deals, {args.companies:,} companies, "
                               f"{args.repeat} calls per path, p50 / p95 in ms, Python {sys.version.split()[0]}, "
                               f"SQLAlchemy {sa.__version__}", notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
