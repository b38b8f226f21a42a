"""Each action type: what it writes or enqueues, its ``when`` gate, and its line in the run log."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Callable, Iterator

import pytest

from metacrm.platform.jobs import Jobs
from metacrm.platform.records import Actor, RecordService
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

from .conftest import make_user, runs, sent_mail

Apply = Callable[..., Any]


def objects(*account_workflows: dict[str, Any]) -> dict[str, Any]:
    return {"objects": [
        make_object("account", fld("name"), fld("tier"), fld("contacts_told", "integer"),
                    workflows=list(account_workflows)),
        make_object("contact", fld("name"), fld("email", "email"), fld("tier"),
                    fld("account", "lookup", target="account")),
    ]}


def workflow(*actions: dict[str, Any], trigger: str = "updated") -> dict[str, Any]:
    return {"name": "wf", "trigger": {"type": trigger}, "actions": list(actions)}


def test_set_field_and_a_when_gate(apply: Apply, records: RecordService, alice: Actor, platform: Platform) -> None:
    apply(objects(workflow({"type": "set_field", "when": "name == 'Big'", "fields": {"tier": "gold"}},
                           {"type": "set_field", "when": "name != 'Big'", "fields": {"tier": "=lower(name)"}},
                           trigger="created")))
    big = records.create(alice, "account", {"name": "Big"})
    small = records.create(alice, "account", {"name": "Small"})
    assert [records.get(alice, "account", a["id"])["tier"] for a in (big, small)] == ["gold", "small"]
    first = runs(platform)[0]
    assert [(a["type"], a["status"]) for a in first["actions"]] == [("set_field", "succeeded"),
                                                                     ("set_field", "skipped")]
    assert all(a["duration_ms"] >= 0 for a in first["actions"])


def test_update_related_records_pointing_here_and_the_record_a_lookup_points_at(
        apply: Apply, records: RecordService, alice: Actor) -> None:
    apply({"objects": [
        make_object("account", fld("name"), fld("tier"), fld("contacts_told", "integer"), workflows=[workflow(
            {"type": "update_related", "object": "contact", "via": "account", "fields": {"tier": "=tier"}})]),
        make_object("contact", fld("name"), fld("email", "email"), fld("tier"),
                    fld("account", "lookup", target="account"), workflows=[workflow(
                        {"type": "update_related", "lookup": "account",
                         "fields": {"contacts_told": "=(account.contacts_told or 0) + 1"}}, trigger="created")]),
    ]})
    acme = records.create(alice, "account", {"name": "Acme"})
    people = [records.create(alice, "contact", {"name": n, "account": acme["id"]}) for n in ("Ann", "Bo")]
    assert records.get(alice, "account", acme["id"])["contacts_told"] == 2
    records.update(alice, "account", acme["id"], {"tier": "gold"})
    assert [records.get(alice, "contact", p["id"])["tier"] for p in people] == ["gold", "gold"]


def test_assign_owner_to_the_user_an_expression_names(apply: Apply, records: RecordService, alice: Actor,
                                                       platform: Platform) -> None:
    bob = make_user(platform, "bob@example.com")
    apply(objects(workflow({"type": "assign_owner", "user": f"={bob.id} if tier == 'gold' else owner"})))
    account = records.create(alice, "account", {"name": "A"})
    records.update(alice, "account", account["id"], {"tier": "gold"})
    assert records.get(alice, "account", account["id"])["owner"] == bob.id


def test_round_robin_without_anyone_in_the_role_fails_the_save(apply: Apply, records: RecordService,
                                                                alice: Actor) -> None:
    apply({**objects(workflow({"type": "assign_owner", "role": "sales"}, trigger="created")),
           "roles": [{"name": "sales", "objects": {"account": {"read": True}}}]})
    with pytest.raises(Exception, match='no active user has the role "sales"'):
        records.create(alice, "account", {"name": "A"})


def test_send_email_renders_merge_fields_and_escapes_them_in_html(
        apply: Apply, records: RecordService, alice: Actor, platform: Platform, jobs: Jobs) -> None:
    apply(objects(workflow({"type": "send_email", "to": ["owner", "=concat('desk@', 'example.com')"],
                            "subject": "{{ record.name }} for {{ owner.email }}", "body": "Tier {{ record.tier }}",
                            "html": "<p>{{ record.name }}</p>"}, trigger="created")))
    records.create(alice, "account", {"name": "<b>Acme</b>", "tier": "gold"})
    enqueued = [j.payload for j in sorted(jobs.list(), key=lambda j: j.id)]
    assert [p["to"] for p in enqueued] == ["alice@example.com", "desk@example.com"]
    assert enqueued[0]["subject"] == "<b>Acme</b> for alice@example.com"
    assert enqueued[0]["html"] == "<p>&lt;b&gt;Acme&lt;/b&gt;</p>" and enqueued[0]["body"] == "Tier gold"
    jobs.run_pending()
    assert sorted(m["to_address"] for m in sent_mail(platform)) == ["alice@example.com", "desk@example.com"]


class Catcher(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Catcher.received.append((dict(self.headers), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Catcher.received = []
    server = HTTPServer(("127.0.0.1", 0), Catcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_call_webhook_posts_the_record_after_commit(apply: Apply, records: RecordService, alice: Actor,
                                                    jobs: Jobs, receiver: str) -> None:
    apply(objects(workflow({"type": "call_webhook", "url": receiver, "secret": "s3cret-for-tests"},
                           trigger="created")))
    account = records.create(alice, "account", {"name": "Acme"})
    assert Catcher.received == []
    jobs.run_pending()
    [(headers, body)] = Catcher.received
    assert body["workflow"] == "wf" and body["record"]["id"] == account["id"] and body["record"]["name"] == "Acme"
    assert any(k.lower().endswith("signature") for k in headers)
