"""Benchmark of record-level access: what the sharing predicate adds to a list query.

Why: every list, count and search of a private object carries the access
predicate (owner, role hierarchy, sharing rules, manual shares, teams,
denies). It must not turn a page of 50 into a table scan. This fills a
private object with ``--records`` rows owned by users spread over a role
hierarchy, adds sharing rules, a few thousand manual shares and team rows,
then times the same list query (filtered, sorted, page of 50) as

* ``no RLS``: a reader without record-level security (what the query costs
  by itself),
* ``admin``: an admin through the platform (deny check only),
* ``rep``: a restricted user at the bottom of the hierarchy,
* ``manager``: a restricted user with subordinates,

interleaved in one run so the ratios compare like with like.

    python bench/bench_sharing.py --db sqlite|postgres [--records N] [--repeat R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_metadata import database, pct, timed  # noqa: E402
from metacrm.platform.records import Actor, RecordHooks  # noqa: E402
from metacrm.platform.records.reading import RecordReader  # noqa: E402
from metacrm.platform.runtime import Platform  # noqa: E402
from metacrm.platform.storage.platform_tables import record_deny, record_share, record_team, user, user_role  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGIONS = ["EMEA", "US", "APAC", "LATAM"]
STAGES = ["new", "qualified", "proposal", "won", "lost"]
MANAGERS, REPS_PER_MANAGER = 5, 20
CRUD = {"create": True, "read": True, "update": True, "delete": True}
QUERY = {"stage": "proposal", "sort": "-amount", "limit": "50"}


def doc() -> dict[str, Any]:
    roles: list[dict[str, Any]] = [{"name": "vp", "objects": {"deal": CRUD}}]
    for m in range(MANAGERS):
        roles.append({"name": f"manager_{m}", "reports_to": "vp", "objects": {"deal": CRUD}})
        roles.append({"name": f"rep_{m}", "reports_to": f"manager_{m}", "objects": {"deal": CRUD}})
    roles.append({"name": "emea_sales", "objects": {"deal": {"read": True}}})
    roles.append({"name": "finance", "objects": {"deal": {"read": True}}})
    return {"objects": [{
        "name": "deal", "sharing": "private",
        "fields": [{"name": "title", "type": "text"}, {"name": "region", "type": "text", "indexed": True},
                   {"name": "stage", "type": "text", "indexed": True},
                   {"name": "amount", "type": "integer", "indexed": True}],
        "sharing_rules": [
            {"name": "emea", "criteria": {"region": "EMEA"}, "roles": ["emea_sales"]},
            {"name": "won", "criteria": {"stage": "won"}, "roles": ["finance"]},
            {"name": "huge", "criteria": {"amount__gte": "990000"}, "roles": ["vp", "finance"], "access": "edit"},
            {"name": "latam_big", "criteria": "region=LATAM&amount__gte=900000", "roles": ["manager_0"]}]}],
        "roles": roles}


def fill(p: Platform, records: int, shares: int, teams: int, rng: random.Random) -> dict[str, Actor]:
    """Users over the hierarchy, records owned by them, shares and team rows; returns the actors timed."""
    now = dt.datetime.now(dt.timezone.utc)
    holders: list[tuple[str, list[str]]] = [("vp@x", ["vp"])]
    for m in range(MANAGERS):
        holders.append((f"manager{m}@x", [f"manager_{m}"]))
        holders += [(f"rep{m}_{r}@x", [f"rep_{m}"]) for r in range(REPS_PER_MANAGER)]
    holders.append(("admin@x", []))
    with p.engine.begin() as conn:
        for email, roles in holders:
            uid = conn.execute(user.insert().values(email=email, created_at=now, is_admin=email == "admin@x")
                               .returning(user.c.id)).scalar_one()
            for role in roles:
                conn.execute(user_role.insert().values(user_id=uid, role=role))
        ids = dict(conn.execute(sa.select(user.c.email, user.c.id)).all())
    owners = [ids[e] for e, _ in holders if e != "admin@x"]
    table = p.schema.get().tables["deal"]
    batch = []
    with p.engine.begin() as conn:
        for i in range(records):
            batch.append({"title": f"Deal {i}", "region": rng.choice(REGIONS), "stage": rng.choice(STAGES),
                          "amount": rng.randrange(1_000_000), "owner": rng.choice(owners), "created_at": now,
                          "updated_at": now, "version": 1})
            if len(batch) == 5000:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
        role_names = [r["name"] for r in doc()["roles"]]
        conn.execute(record_share.insert(), [
            {"object": "deal", "record_id": rng.randrange(1, records + 1), "created_at": now,
             "access": rng.choice(["read", "edit"]),
             **({"user_id": rng.choice(owners), "role": None} if i % 4 else
                {"user_id": None, "role": rng.choice(role_names)})}
            for i in range(shares)])
        seen: set[tuple[int, int]] = set()
        rows = []
        while len(rows) < teams:
            key = (rng.randrange(1, records + 1), rng.choice(owners))
            if key not in seen:
                seen.add(key)
                rows.append({"object": "deal", "record_id": key[0], "user_id": key[1], "created_at": now,
                             "access": rng.choice(["read", "edit"]), "team_role": "member"})
        conn.execute(record_team.insert(), rows)
        conn.execute(record_deny.insert(), [{"object": "deal", "record_id": rng.randrange(1, records + 1),
                                             "user_id": ids["rep0_0@x"], "created_at": now}
                                            for _ in range(20)])
    with p.engine.begin() as conn:  # fresh statistics, as autovacuum / a maintained SQLite would have
        conn.exec_driver_sql("ANALYZE")

    def actor(email: str, roles: list[str], admin: bool = False) -> Actor:
        return Actor(ids[email], email, is_admin=admin, roles=frozenset(roles))

    return {"admin": actor("admin@x", [], True), "rep": actor("rep0_0@x", ["rep_0", "emea_sales"]),
            "manager": actor("manager1@x", ["manager_1"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL") or DEFAULT_PG_URL)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--shares", type=int, default=3000)
    parser.add_argument("--teams", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()
    rng = random.Random(7)
    with database(args.db, args.url) as url:
        p = Platform.from_url(url, migrate=True)
        plan = p.metadata.plan(doc())
        p.metadata.apply(plan, author="bench", confirm=True)
        start = time.perf_counter()
        actors = fill(p, args.records, args.shares, args.teams, rng)
        print(f"filled {args.records} records, {args.shares} shares, {args.teams} team rows "
              f"in {time.perf_counter() - start:.1f}s ({args.db})", file=sys.stderr)
        plain = RecordReader(p.engine, p.schema, RecordHooks())  # no record-level security at all
        cases: dict[str, Callable[[], Any]] = {
            "no RLS (plain reader)": lambda: plain.list(actors["admin"], "deal", QUERY),
            "admin (deny check only)": lambda: p.records.reader.list(actors["admin"], "deal", QUERY),
            "rep (owner, rules, shares, team, denies)": lambda: p.records.reader.list(actors["rep"], "deal", QUERY),
            "manager (+ 20 subordinates)": lambda: p.records.reader.list(actors["manager"], "deal", QUERY),
        }
        counts = {name: len(fn().records) for name, fn in cases.items()}
        if args.explain:
            explain(p, actors)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeat):  # interleaved: every case sees the same cache and load
            for name, fn in cases.items():
                samples[name].append(timed(fn))
        base = statistics.median(samples["no RLS (plain reader)"])
        print(f"\n{args.db}: {args.records} records, list `{'&'.join(f'{k}={v}' for k, v in QUERY.items())}`, "
              f"{args.repeat} runs\n")
        print("| reader | rows | median ms | p95 ms | × no RLS |\n|---|---:|---:|---:|---:|")
        for name, s in samples.items():
            print(f"| {name} | {counts[name]} | {statistics.median(s):.2f} | {pct(s, 0.95):.2f} | "
                  f"{statistics.median(s) / base:.2f} |")
        p.engine.dispose()


def explain(p: Platform, actors: dict[str, Actor]) -> None:
    """Print the plan of the rep's query (how the predicate is executed)."""
    from metacrm.platform.query import compile_select, parse_query

    live = p.schema.get()
    obj = live.compiled.objects["deal"]
    query = parse_query(obj, live.compiled, QUERY, today=dt.date.today())
    access = p.records.hooks.row_clauses(actors["rep"], live, obj, "read")
    stmt = compile_select(query, live, access=access)
    sql = str(stmt.compile(p.engine, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN ANALYZE " if p.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    with p.engine.connect() as conn:
        for row in conn.exec_driver_sql(prefix + sql):
            print(" | ".join(str(c) for c in row), file=sys.stderr)


if __name__ == "__main__":
    main()
