"""Time-based and record workflows end to end, with the job queue drained by hand and time moved by
re-planning a job to now: listing expiration watch, showing feedback request, open-house visitor to lead."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from metacrm.platform.jobs import Jobs
from metacrm.platform.jobs.tables import job as job_table
from metacrm.platform.records import SYSTEM
from metacrm.platform.runtime import Platform
from metacrm.platform.storage.platform_tables import outbox

from .conftest import TODAY, Brokerage, listing

UTC = dt.timezone.utc


def make_due(platform: Platform, jobs: Jobs, key: str) -> None:
    """Move a planned time-trigger job to now, as the passing of time would."""
    [planned] = [j for j in jobs.list() if j.key == key]
    with platform.engine.begin() as conn:
        conn.execute(sa.update(job_table).where(job_table.c.id == planned.id)
                     .values(run_at=dt.datetime.now(UTC) - dt.timedelta(seconds=1)))


def test_an_expiring_listing_gets_a_task_two_weeks_ahead_then_expires(re_crm: Platform, brokerage: Brokerage,
                                                                      jobs: Jobs) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000200", expiration_date=TODAY + dt.timedelta(days=10))
    p.records.update(SYSTEM, "property", home["id"], {"standard_status": "Active"})
    jobs.run_pending()  # 14 days before is already past: the warning is due at once
    tasks = p.records.reader.list(SYSTEM, "activity", {"type": "Task"}).records
    assert [(t["due_date"], t["owner"], t["priority"]) for t in tasks] == [
        (TODAY + dt.timedelta(days=10), brokerage.users["ana"].id, "High")]
    assert p.records.get(SYSTEM, "property", home["id"])["standard_status"] == "Active"
    make_due(p, jobs, f"wf:property:expire_listing:{home['id']}")
    jobs.run_pending()
    assert p.records.get(SYSTEM, "property", home["id"])["standard_status"] == "Expired"


def test_a_closed_listing_does_not_expire(re_crm: Platform, brokerage: Brokerage, jobs: Jobs) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000201", expiration_date=TODAY + dt.timedelta(days=30))
    for values in ({"standard_status": "Active"}, {"standard_status": "Pending", "purchase_contract_date": TODAY}):
        p.records.update(SYSTEM, "property", home["id"], values)
    make_due(p, jobs, f"wf:property:expire_listing:{home['id']}")
    jobs.run_pending()
    assert p.records.get(SYSTEM, "property", home["id"])["standard_status"] == "Pending"


def test_two_hours_after_a_confirmed_showing_the_showing_agent_is_asked_for_feedback(
        re_crm: Platform, brokerage: Brokerage, jobs: Jobs) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000202")
    start = dt.datetime.now(UTC) + dt.timedelta(hours=1)
    showing = p.records.create(SYSTEM, "showing", {"listing": home["id"], "showing_agent": brokerage.members["ben"]["id"],
                                                   "showing_start": start, "showing_end": start + dt.timedelta(minutes=30)})
    p.records.update(SYSTEM, "showing", showing["id"], {"showing_status": "Confirmed"})
    [planned] = [j for j in jobs.list() if j.key == f"wf:showing:feedback_request:{showing['id']}"]
    assert abs(planned.run_at - (start + dt.timedelta(hours=2, minutes=30))) < dt.timedelta(seconds=1)
    make_due(p, jobs, planned.key)
    jobs.run_pending()
    with p.engine.connect() as conn:
        mail = [(r.to_address, r.subject) for r in conn.execute(sa.select(outbox))]
    assert mail == [("ben@harborview.example", f"Feedback for showing {showing['showing_appointment_key']}")]
    assert p.records.get(SYSTEM, "showing", showing["id"])["feedback_requested_at"] is not None


def test_an_open_house_visitor_without_an_agent_becomes_a_lead(re_crm: Platform, brokerage: Brokerage) -> None:
    p = re_crm
    home = listing(p, brokerage.members["ana"], listing_id="HV26-000203")
    start = dt.datetime(2026, 11, 29, 13, tzinfo=UTC)
    house = p.records.create(SYSTEM, "open_house", {"listing": home["id"], "open_house_start": start,
                                                    "open_house_end": start + dt.timedelta(hours=2)})
    p.records.create(brokerage.users["ana"], "open_house_visitor", {
        "open_house": house["id"], "first_name": "Lee", "last_name": "Park", "email": "lee@example.com"})
    p.records.create(brokerage.users["ana"], "open_house_visitor", {
        "open_house": house["id"], "last_name": "Agented", "working_with_agent": True})
    leads = p.records.reader.list(SYSTEM, "contact", {"client_lead_source": "Open House"}).records
    assert [(c["last_name"], c["client_stage"], c["email"]) for c in leads] == [("Park", "Lead", "lee@example.com")]
    assert p.records.get(SYSTEM, "open_house", house["id"])["visitor_count"] == 2
