"""Approvals: submit, decide step by step (any/all), final actions, reject with comment, recall, the lock,
the start_approval action, approvers' emails, and the REST API."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.errors import Conflict, Forbidden, Unprocessable
from metacrm.platform.jobs import Jobs
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from metacrm.platform.workflows.approvals import Approvals
from metacrm.platform.workflows.locks import RecordLocked
from tests.conftest import ADMIN_PASSWORD, basic_auth

from .conftest import make_user
from .deals import DISCOUNT, deal_bundle

Apply = Callable[..., Any]
SINGLE = {"name": "quick", "label": "Quick approval", "steps": [{"name": "boss", "approver": {"manager_of": "owner"}}],
          "on_approve": [{"type": "set_field", "fields": {"approval": "Approved"}}]}


@pytest.fixture
def team(apply: Apply, platform: Platform, records: RecordService) -> dict[str, Actor]:
    apply(deal_bundle(machine=None, processes=(DISCOUNT, SINGLE)))
    boss = make_user(platform, "boss@example.com", roles=("sales_manager",), admin=False)
    return {"boss": boss,
            "rep": make_user(platform, "rep@example.com", roles=("sales_rep",), manager=boss.id, admin=False),
            "fin1": make_user(platform, "fin1@example.com", roles=("finance",), admin=False),
            "fin2": make_user(platform, "fin2@example.com", roles=("finance",), admin=False),
            "admin": make_user(platform, "root@example.com")}


@pytest.fixture
def approvals(platform: Platform) -> Approvals:
    return platform.approvals


def deal(records: RecordService, rep: Actor, **values: Any) -> dict[str, Any]:
    return records.create(rep, "deal", {"title": "Acme", "amount": "900", **values})


def test_a_single_step_request_goes_to_the_owners_manager_and_runs_on_approve(
        team: dict[str, Actor], records: RecordService, approvals: Approvals) -> None:
    d = deal(records, team["rep"])
    req = approvals.submit(team["rep"], "deal", d["id"], process="quick", comment="please")
    assert req["status"] == "pending" and req["step_name"] == "boss"
    assert [a["email"] for a in req["steps"][0]["approvers"]] == ["boss@example.com"]
    assert [r["id"] for r in approvals.pending_for(team["boss"])] == [req["id"]]
    done = approvals.approve(team["boss"], req["id"], "fine")
    assert done["status"] == "approved" and approvals.pending_for(team["boss"]) == []
    assert records.get(team["rep"], "deal", d["id"])["approval"] == "Approved"
    assert [(e["action"], e["actor"], e["comment"]) for e in done["events"]] == [
        ("submitted", "rep@example.com", "please"), ("approved", "boss@example.com", "fine")]


def test_multi_step_any_then_all(team: dict[str, Actor], records: RecordService, approvals: Approvals) -> None:
    d = deal(records, team["rep"], discount=10)
    req = approvals.submit(team["rep"], "deal", d["id"], process="discount")
    req = approvals.approve(team["boss"], req["id"])  # step 1 (any): the manager alone completes it
    assert (req["status"], req["step_name"]) == ("pending", "finance")
    assert approvals.pending_for(team["boss"]) == [] and len(approvals.pending_for(team["fin1"])) == 1
    req = approvals.approve(team["fin1"], req["id"])  # step 2 (all): one of two is not enough
    assert req["status"] == "pending" and records.get(team["rep"], "deal", d["id"])["approval"] is None
    with pytest.raises(Conflict):
        approvals.approve(team["fin1"], req["id"])  # decided already
    req = approvals.approve(team["fin2"], req["id"], "ok")
    assert req["status"] == "approved" and records.get(team["rep"], "deal", d["id"])["approval"] == "Approved"


def test_reject_needs_a_comment_and_runs_on_reject(team: dict[str, Actor], records: RecordService,
                                                   approvals: Approvals) -> None:
    d = deal(records, team["rep"], discount=50)
    req = approvals.submit(team["rep"], "deal", d["id"], process="discount")
    with pytest.raises(Unprocessable):
        approvals.reject(team["boss"], req["id"], "  ")
    req = approvals.reject(team["boss"], req["id"], "Too generous")
    assert req["status"] == "rejected" and req["steps"][0]["approvers"][0]["comment"] == "Too generous"
    assert records.get(team["rep"], "deal", d["id"])["approval"] == "Rejected"
    with pytest.raises(Conflict):
        approvals.approve(team["boss"], req["id"])


def test_the_record_is_locked_while_pending_and_recall_unlocks_it(
        team: dict[str, Actor], records: RecordService, approvals: Approvals) -> None:
    d = deal(records, team["rep"], discount=5)
    req = approvals.submit(team["rep"], "deal", d["id"], process="discount")
    for who in ("rep", "admin"):
        with pytest.raises(RecordLocked) as caught:
            records.update(team[who], "deal", d["id"], {"amount": "1"})
        assert f"approval request #{req['id']} pending" in caught.value.detail
        with pytest.raises(RecordLocked):
            records.delete(team[who], "deal", d["id"])
    with pytest.raises(Forbidden):
        approvals.recall(team["boss"], req["id"])  # not the submitter
    req = approvals.recall(team["rep"], req["id"], "wrong amount")
    assert req["status"] == "recalled" and approvals.pending_for(team["boss"]) == []
    assert records.get(team["rep"], "deal", d["id"])["approval"] == "Recalled"  # on_recall ran
    assert records.update(team["rep"], "deal", d["id"], {"amount": "1"})["amount"] is not None


def test_non_approvers_are_refused(team: dict[str, Actor], records: RecordService, approvals: Approvals) -> None:
    d = deal(records, team["rep"], discount=5)
    req = approvals.submit(team["rep"], "deal", d["id"], process="discount")
    for who in ("rep", "fin1", "admin"):  # finance decides only at step 2; admins are not approvers
        with pytest.raises(Forbidden) as caught:
            approvals.approve(team[who], req["id"])
        assert "not an approver of the current step" in caught.value.detail


def test_submission_checks_entry_condition_approvers_and_duplicates(
        team: dict[str, Actor], platform: Platform, records: RecordService, approvals: Approvals) -> None:
    d = deal(records, team["rep"])
    with pytest.raises(Unprocessable) as caught:
        approvals.submit(team["rep"], "deal", d["id"], process="discount")  # no discount
    assert "entry condition" in caught.value.detail
    orphan = deal(records, team["boss"])  # the boss has no manager
    with pytest.raises(Unprocessable) as caught:
        approvals.submit(team["boss"], "deal", orphan["id"], process="quick")
    assert "has no approver" in caught.value.detail
    approvals.submit(team["rep"], "deal", d["id"], process="quick")
    with pytest.raises(Conflict):
        approvals.submit(team["rep"], "deal", d["id"], process="quick")


def test_approvers_are_emailed_after_commit(team: dict[str, Actor], records: RecordService, approvals: Approvals,
                                            jobs: Jobs) -> None:
    d = deal(records, team["rep"], discount=5)
    req = approvals.submit(team["rep"], "deal", d["id"], process="discount")
    assert [(j.kind, j.payload["to"]) for j in jobs.list()] == [("email.send", "boss@example.com")]
    approvals.approve(team["boss"], req["id"])
    assert sorted(j.payload["to"] for j in jobs.list()) == ["boss@example.com", "fin1@example.com",
                                                           "fin2@example.com"]


def test_a_workflow_submits_with_start_approval(apply: Apply, team: dict[str, Actor], records: RecordService,
                                                approvals: Approvals) -> None:
    apply(deal_bundle(machine=None, processes=(DISCOUNT, SINGLE), workflows=(
        {"name": "auto_submit", "trigger": {"type": "created"}, "condition": "discount is not None",
         "actions": [{"type": "start_approval", "process": "discount"}]},)))
    d = deal(records, team["rep"], discount=20)
    [req] = approvals.history(team["rep"], "deal", d["id"])
    assert (req["status"], req["process"], req["submitted_by"]) == ("pending", "discount", team["rep"].id)
    with pytest.raises(RecordLocked):
        records.update(team["rep"], "deal", d["id"], {"title": "Changed"})


def test_the_rest_api_submits_decides_and_lists(app: Any, client: Any, admin_headers: dict[str, str]) -> None:
    platform = app.extensions["metacrm"]
    platform.jobs.stop()  # the approvers' emails wait in the queue (a job thread sending them is beside the point)
    platform.jobs = Jobs(platform, mode="manual")
    platform.metadata.apply(platform.metadata.plan(deal_bundle(machine=None, processes=(SINGLE,))), author="t",
                            confirm=True)
    boss = platform.users.create("boss@example.com", ADMIN_PASSWORD, roles=["sales_manager"])
    make_user(platform, "rep@example.com", roles=("sales_rep",), manager=boss.id, admin=False)
    rep, chief = basic_auth("rep@example.com", ADMIN_PASSWORD), basic_auth("boss@example.com", ADMIN_PASSWORD)
    d = client.post("/api/v1/records/deal", json={"title": "Acme"}, headers=rep).get_json()
    made = client.post(f"/api/v1/approvals/deal/{d['id']}/submit", json={"comment": "go"}, headers=rep)
    assert made.status_code == 201, made.get_json()
    rid = made.get_json()["id"]
    assert [r["id"] for r in client.get("/api/v1/approvals/pending", headers=chief).get_json()["data"]] == [rid]
    refused = client.post(f"/api/v1/approvals/requests/{rid}/approve", json={}, headers=rep)
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    assert client.post(f"/api/v1/approvals/requests/{rid}/reject", json={}, headers=chief).status_code == 422
    done = client.post(f"/api/v1/approvals/requests/{rid}/approve", json={"comment": "ok"}, headers=chief)
    assert done.status_code == 200 and done.get_json()["status"] == "approved"
    history = client.get(f"/api/v1/approvals/deal/{d['id']}", headers=rep).get_json()["data"]
    assert [e["action"] for e in history[0]["events"]] == ["submitted", "approved"]
    assert client.post("/api/v1/approvals/requests/999999/recall", headers=rep).status_code == 404
    spec = client.get("/api/v1/openapi.json", headers=rep).get_json()
    assert "/api/v1/approvals/requests/{id}/approve" in spec["paths"]

