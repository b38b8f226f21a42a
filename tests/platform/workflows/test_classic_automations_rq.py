"""The same automations with jobs delivered by RQ on the real Redis, run by an RQ worker."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable, Iterator

import pytest

from metacrm.platform.jobs import JobSettings, Jobs
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform

from .conftest import make_user, runs, sent_mail
from .sales import CLOSE_REMINDER, LEAD_ROUTING, WON_DEAL, sales_bundle
from .test_classic_automations import _make_due

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def jobs(platform: Platform) -> Iterator[Jobs]:
    redis = pytest.importorskip("redis")
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis not reachable: {exc}")
    name = f"metacrm-wf-test-{uuid.uuid4().hex[:10]}"
    platform.jobs.stop()
    platform.jobs = Jobs(platform, JobSettings(redis_url=REDIS_URL, queue=name), mode="rq")
    platform.workflows.register_jobs(platform.jobs)
    yield platform.jobs
    Queue(name, connection=connection).delete(delete_jobs=True)
    connection.close()


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(sales_bundle(LEAD_ROUTING, opportunity_workflows=(WON_DEAL, CLOSE_REMINDER)))


def work(platform: Platform, jobs: Jobs) -> None:
    from rq import SimpleWorker

    from metacrm.platform.jobs import rq_entry

    rq_entry.bind(platform)
    jobs.tick()  # hands due jobs nobody was handed (the scheduled reminder) to RQ
    SimpleWorker([jobs.delivery.queue], connection=jobs.delivery.redis).work(burst=True)


def test_the_three_automations_on_rq(platform: Platform, records: RecordService, jobs: Jobs, alice: Actor) -> None:
    boss = make_user(platform, "boss@example.com")
    rep = make_user(platform, "rep@example.com", roles=("sales",), admin=False, manager=boss.id)
    lead = records.create(alice, "lead", {"name": "Initech"})
    assert records.get(alice, "lead", lead["id"])["owner"] == rep.id
    assert [t["subject"] for t in records.reader.list(alice, "task", {}).records] == ["Call Initech"]

    deal = records.create(rep, "opportunity", {"name": "Acme", "stage": "Negotiation",
                                               "close_date": dt.date.today() + dt.timedelta(days=30)})
    records.update(rep, "opportunity", deal["id"], {"stage": "Won"})
    work(platform, jobs)
    assert [m["to_address"] for m in sent_mail(platform)] == ["boss@example.com"]
    assert len(records.reader.list(alice, "support_case", {}).records) == 1

    other = records.create(alice, "opportunity", {"name": "Globex", "stage": "Prospecting",
                                                  "close_date": dt.date.today() + dt.timedelta(days=30)})
    [job] = [j for j in jobs.list() if j.key == f"wf:opportunity:close_reminder:{other['id']}"]
    _make_due(platform, job.id)
    work(platform, jobs)
    assert [m["subject"] for m in sent_mail(platform)][-1] == "Globex closes in 3 days"
    assert {r["workflow"] for r in runs(platform)} == {"route_new_lead", "won_deal", "close_reminder"}
