"""Benchmarks of web pages: server time to render list pages and record pages of a large object.

Why: list views are the pages people open most, and they must stay fast as an
object grows. This fills a 30-field ``item`` object with 100,000 records (each
looking up one of 1,000 ``account`` records, which also have ``contact`` and
``ticket`` children) and times, with a signed-in Flask test client (session
cookie, CSRF and all, as a browser would be), the full server time of:

- the list page of ``item``, default view (50 rows);
- the same list sorted by an indexed field and filtered on two fields;
- the list's htmx partial (what a sort/filter/page click fetches);
- the "1–50 of N" count the list page fetches after it is shown (capped at 10,000),
  for both lists;
- a kanban board of ``item`` grouped by its status picklist;
- when the record pages exist: the 30-field new-record form and an account's
  record page with its 3 related lists.

    python bench/bench_web.py --db sqlite|postgres [--records N] [--repeat R] [--profile]

Records are inserted with one multi-row INSERT per 5,000 (setup, not timed);
writes through the record service are measured by bench_records.py.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import re
import sys
import time
from decimal import Decimal
from pathlib import Path
from statistics import median
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_metadata import DEFAULT_PG_URL, apply_doc, database, pct  # noqa: E402
from metacrm.app import create_app  # noqa: E402
from metacrm.platform.records import values  # noqa: E402
from metacrm.platform.security import users  # noqa: E402

EMAIL, PASSWORD, CHUNK = "bench@example.com", "bench-password-1234", 5000
STATUSES = ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


def f(name: str, type_: str = "text", **settings: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **settings}


ACCOUNT = {"name": "account", "fields": [f("name", required=True), f("industry"), f("city")]}
CONTACT = {"name": "contact", "fields": [f("full_name", required=True), f("email", "email"),
                                         f("account", "lookup", target="account")]}
TICKET = {"name": "ticket", "fields": [f("subject", required=True), f("status", "picklist", options=STATUSES),
                                       f("account", "lookup", target="account")]}
ITEM = {"name": "item", "search_fields": ["name", "code"], "fields": [
    f("name", required=True), f("code", unique=True), f("status", "picklist", options=STATUSES),
    f("amount", "currency", indexed=True), f("close_date", "date"), f("account", "lookup", target="account"),
    f("email", "email"), f("phone", "phone"), f("website", "url"), f("quantity", "integer"),
    f("units", "integer"), f("rank", "integer"), f("discount", "decimal", precision=10, scale=2),
    f("weight", "decimal", precision=10, scale=3), f("probability", "percent"), f("is_hot", "boolean"),
    f("is_renewal", "boolean"), f("is_partner", "boolean"), f("region"), f("segment"), f("source"),
    f("campaign"), f("product"), f("territory"), f("reference"), f("notes", "long_text"),
    f("terms", "long_text"), f("start_date", "date"), f("end_date", "date"), f("last_contact", "datetime"),
]}


def p95(samples: list[float]) -> float:
    return pct(samples, 0.95)


class Bench:
    def __init__(self, url: str, args: argparse.Namespace):
        users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        self.app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "AUTO_MIGRATE": True})
        self.platform = self.app.extensions["metacrm"]
        self.args, self.rng = args, random.Random(7)
        self.user = self.platform.users.create(EMAIL, PASSWORD, is_admin=True)
        apply_doc(self.platform, {"objects": [ACCOUNT, CONTACT, TICKET, ITEM]})
        self.client = self.app.test_client()

    def insert(self, name: str, rows: list[dict[str, Any]]) -> None:
        live = self.platform.schema.get()
        obj, table = live.compiled.objects[name], live.tables[name]
        now = dt.datetime.now(dt.timezone.utc)
        system = {"created_by": self.user.id, "updated_by": self.user.id, "owner": self.user.id, "version": 1}
        with self.platform.engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                batch = []
                for i, r in enumerate(rows[start:start + CHUNK]):
                    stamp = now - dt.timedelta(seconds=len(rows) - start - i)
                    batch.append({**values.to_row(obj, r), **system, "created_at": stamp, "updated_at": stamp})
                conn.execute(sa.insert(table), batch)

    def fill(self) -> float:
        start, rng = time.perf_counter(), self.rng
        self.insert("account", [{"name": f"Account {i}", "industry": "Software", "city": f"City {i % 50}"}
                                for i in range(1000)])
        self.insert("contact", [{"full_name": f"Person {i}", "email": f"p{i}@example.com", "account": 1 + i % 1000}
                                for i in range(5000)])
        self.insert("ticket", [{"subject": f"Ticket {i}", "status": STATUSES[i % 6], "account": 1 + i % 1000}
                               for i in range(5000)])
        items = []
        for i in range(self.args.records):
            items.append({
                "name": f"Item {i}", "code": f"IT-{i:07d}", "status": rng.choice(STATUSES),
                "amount": Decimal(rng.randrange(1000, 5_000_000)).scaleb(-2),
                "close_date": dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(730)),
                "account": 1 + rng.randrange(1000), "email": f"buyer{i}@example.com", "phone": "+1 555 0100",
                "website": "https://example.com", "quantity": rng.randrange(100), "units": i % 7, "rank": i % 100,
                "discount": Decimal(rng.randrange(0, 5000)).scaleb(-2), "weight": Decimal("1.250"),
                "probability": Decimal(rng.randrange(0, 101)), "is_hot": rng.random() < .2, "is_renewal": i % 3 == 0,
                "is_partner": False, "region": ["EMEA", "AMER", "APAC"][i % 3], "segment": "Mid-market",
                "source": "Web", "campaign": f"C{i % 40}", "product": f"P{i % 25}", "territory": f"T{i % 12}",
                "reference": f"R{i}", "notes": "Some notes " * 5, "terms": "Net 30",
                "start_date": dt.date(2026, 1, 1), "end_date": dt.date(2027, 1, 1),
                "last_contact": dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)})
        self.insert("item", items)
        with self.platform.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if self.platform.engine.dialect.name == "postgresql"
                                 else "PRAGMA wal_checkpoint(TRUNCATE)")
        return time.perf_counter() - start

    def sign_in(self) -> None:
        html = self.client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
        response = self.client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def time(self, path: str, headers: dict[str, str] | None = None) -> list[float]:
        samples = []
        for i in range(self.args.repeat + 3):
            start = time.perf_counter()
            response = self.client.get(path, headers=headers)
            body = response.get_data()
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (path, response.status_code, body[:300])
            if i >= 3:  # warm-up
                samples.append(elapsed)
        return samples

    def pages(self) -> list[tuple[str, str, dict[str, str] | None]]:
        rules = {r.rule for r in self.app.url_map.iter_rules()}
        filtered = "?sort=-amount&status=Won&amount__gte=10000"
        out = [("list page, default view (50 rows)", "/o/item", None),
               ("list page, sorted by amount, filtered on status and amount", f"/o/item{filtered}", None),
               ("list partial (htmx), sorted + filtered + search", "/o/item?sort=-amount&status=Won&q=Item 1",
                {"HX-Request": "true", "HX-Target": "list-results"})]
        if "/o/<object_name>/count" in rules:  # counted after the page, by its own htmx request
            hx = {"HX-Request": "true"}
            out += [("list count (htmx, after the page), default view", "/o/item/count", hx),
                    ("list count (htmx, after the page), sorted + filtered", f"/o/item/count{filtered}", hx)]
        out.append(("kanban board by status (6 columns × 25 cards, counts and sums)", "/o/item/kanban?by=status", None))
        if "/o/<object_name>/new" in rules:
            out.append(("new-record form, 30 fields", "/o/item/new", None))
        if "/o/<object_name>/<int:record_id>" in rules:
            out.append(("record page with 3 related lists (account)", "/o/account/17", None))
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile each page to stderr")
    parser.add_argument("--index-updated-at", action="store_true",
                        help="index obj_item.updated_at first (the default view's sort; not created by MetaCRM yet)")
    parser.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL") or DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    with database(args.db, args.url) as url:
        bench = Bench(url, args)
        filled = bench.fill()
        if args.index_updated_at:
            with bench.platform.engine.begin() as conn:
                conn.exec_driver_sql("CREATE INDEX ix_bench_item_updated_at ON obj_item (updated_at)")
        bench.sign_in()
        print(f"\n{args.db}: {args.records:,} items (30 fields) filled in {filled:.1f} s; {args.repeat} requests each\n")
        print("| page | median | p95 |\n|---|---:|---:|")
        for label, path, headers in bench.pages():
            samples = bench.time(path, headers)
            print(f"| {label} `{path}` | {median(samples):.1f} ms | {p95(samples):.1f} ms |", flush=True)
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(20):
                    bench.client.get(path, headers=headers).get_data()
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(25)
        bench.platform.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
