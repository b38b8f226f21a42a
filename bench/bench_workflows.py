"""Workflow benchmark: what the engine adds to a record save.

* an update of a record whose object has 10 active workflows with false conditions, against the
  same update on an object without workflows (goal: ≤ 0.5 ms overhead);
* a create whose 3 matching workflows' actions run in the save's transaction (set a field, create a
  related record, assign the owner), against a plain create;
* the engine's cost on an object without workflows (the listener installed vs removed).

Cases run interleaved, so each sees the same caches and load. Prints a Markdown table of medians
and p95. Usage::

    .venv/bin/python bench/bench_workflows.py --db sqlite --repeat 500
    .venv/bin/python bench/bench_workflows.py --db postgres --repeat 500
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_metadata import DEFAULT_PG_URL, database, pct, timed  # noqa: E402
from metacrm.platform.records import Actor  # noqa: E402
from metacrm.platform.runtime import Platform  # noqa: E402

FIELDS = [{"name": "name", "type": "text"}, {"name": "amount", "type": "integer"},
          {"name": "stage", "type": "picklist", "options": ["New", "Open", "Won"]}, {"name": "note", "type": "text"}]


def quiet_workflows() -> list[dict[str, Any]]:
    """Ten active workflows on every save whose conditions are false (a typical idle automation set)."""
    return [{"name": f"quiet_{i}", "trigger": {"type": "created_or_updated"},
             "condition": f"amount is not None and amount > {1_000_000 + i} and stage == 'Won'",
             "actions": [{"type": "set_field", "fields": {"note": "never"}}]} for i in range(10)]


def busy_workflows(owner_id: int) -> list[dict[str, Any]]:
    return [
        {"name": "stamp", "trigger": {"type": "created"}, "actions": [{"type": "set_field", "fields": {"note": "new"}}]},
        {"name": "follow_up", "trigger": {"type": "created"},
         "actions": [{"type": "create_record", "object": "task",
                      "fields": {"subject": "=concat('Call ', name)", "due": "=today() + days(1)"}}]},
        {"name": "route", "trigger": {"type": "created"}, "actions": [{"type": "assign_owner", "user": owner_id}]},
    ]


def doc(owner_id: int) -> dict[str, Any]:
    return {"objects": [
        {"name": "plain", "fields": FIELDS},
        {"name": "quiet", "fields": FIELDS, "workflows": quiet_workflows()},
        {"name": "busy", "fields": FIELDS, "workflows": busy_workflows(owner_id)},
        {"name": "task", "fields": [{"name": "subject", "type": "text"}, {"name": "due", "type": "date"}]},
    ]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", default=os.environ.get("METACRM_DATABASE_URL") or DEFAULT_PG_URL)
    parser.add_argument("--repeat", type=int, default=500)
    args = parser.parse_args()
    with database(args.db, args.url) as url:
        p = Platform.from_url(url, migrate=True)
        user = p.users.create("bench@example.com", "correct horse battery staple", is_admin=True)
        actor = Actor.from_user(user)
        p.metadata.apply(p.metadata.plan(doc(user.id)), author="bench", confirm=True)
        ids = {name: p.records.create(actor, name, {"name": "A", "amount": 1, "stage": "New"})["id"]
               for name in ("plain", "quiet")}
        counter = iter(range(10**9))
        listener = p.workflows.on_event  # type: ignore[union-attr]

        def update(name: str) -> Callable[[], Any]:
            return lambda: p.records.update(actor, name, ids[name], {"amount": next(counter)})

        def without_engine() -> None:
            p.records.bus.remove("*", listener, phase="in_transaction")
            try:
                update("plain")()
            finally:
                p.records.bus.listen("*", listener, phase="in_transaction")

        cases: dict[str, Callable[[], Any]] = {
            "update, no workflows, engine removed": without_engine,
            "update, no workflows": update("plain"),
            "update, 10 workflows with false conditions": update("quiet"),
            "create, no workflows": lambda: p.records.create(actor, "plain", {"name": "B", "amount": 2}),
            "create, 3 workflows with same-transaction actions": lambda: p.records.create(
                actor, "busy", {"name": "B", "amount": 2}),
        }
        for fn in cases.values():  # warm caches and compiled expressions
            fn()
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, fn in cases.items():
                samples[name].append(timed(fn))
        med = {name: statistics.median(s) for name, s in samples.items()}
        print(f"\n{args.db}: {args.repeat} saves per case, interleaved\n")
        print("| save | median ms | p95 ms | overhead (median) |\n|---|---:|---:|---:|")
        base = {"update": med["update, no workflows"], "create": med["create, no workflows"]}
        for name, s in samples.items():
            ref = base[name.split(",")[0]]
            overhead = "—" if med[name] == ref else f"{med[name] - ref:+.3f} ms"
            print(f"| {name} | {med[name]:.3f} | {pct(s, 0.95):.3f} | {overhead} |")
        p.engine.dispose()


if __name__ == "__main__":
    main()
