"""Public forms (web-to-lead): a standalone page anyone may fill in, hardened against bots and floods,
creating records through the record service as the form's own actor."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import parse_qs

import pytest
import redis

from metacrm.platform.records import SYSTEM
from metacrm.platform.web.public_guard import (TOKEN_FIELD, DatabaseLimiter, RedisLimiter, TokenProblem, check_token,
                                               issue_token)
from tests.conftest import fld, make_object

from .conftest import sign_in
from .records_schema import apply

URL = "/f/lead/web_to_lead"
WEB_TO_LEAD = {"name": "web_to_lead", "title": "Contact sales", "fields": ["last_name", "company", "email", "notes"],
               "defaults": {"source": "Web", "status": "New"}, "owner": {"role": "sales"},
               "success_message": "Thanks, we will call you.", "allowed_origins": ["https://www.example.com"]}
LEAD = make_object("lead", fld("last_name", required=True, max_length=80), fld("company", max_length=120),
                   fld("email", "email"), fld("notes", "long_text", max_length=2000),
                   fld("source", "picklist", options=["Web", "Phone"]),
                   fld("status", "picklist", required=True, options=["New", "Working"]),
                   name_field="last_name", sharing="private", public_forms=[WEB_TO_LEAD])
SALES = {"name": "sales", "objects": {"lead": {"read": True, "create": True, "update": True}}}


def setup(app: Any, **form: Any) -> None:
    lead = {**LEAD, "public_forms": [{**WEB_TO_LEAD, **form}]}
    apply(app, {"objects": [lead], "roles": [SALES]})


@pytest.fixture(autouse=True)
def schema(app: Any) -> None:
    setup(app)
    app.config["PUBLIC_FORM_MIN_SECONDS"] = 2.0


def leads(app: Any) -> list[dict[str, Any]]:
    return app.extensions["metacrm"].records.reader.list(SYSTEM, "lead", {"sort": "id"}).records


def fresh_token(app: Any, age: float = 10.0, key: str = "lead/web_to_lead") -> str:
    """The token a page rendered ``age`` seconds ago carried (what a person filling the form in sends back)."""
    return issue_token(app.config["SECRET_KEY"], key, now=time.time() - age)


def submit(client: Any, app: Any, **data: Any) -> Any:
    return client.post(URL, data={TOKEN_FIELD: fresh_token(app), **data}, environ_base={"REMOTE_ADDR": "203.0.113.9"})


def test_the_page_is_standalone_with_only_the_forms_fields_a_honeypot_and_a_token(client: Any) -> None:
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1" in html and "Contact sales" in html
    assert {"last_name", "company", "email", "notes"} <= set(re.findall(r'name="([a-z_]+)"', html))
    assert 'name="source"' not in html and 'name="status"' not in html  # defaults are not the visitor's
    assert 'name="homepage"' in html and 'tabindex="-1"' in html and 'class="app-hp"' in html
    assert f'name="{TOKEN_FIELD}"' in html and "csrf_token" not in html
    assert "app-topbar" not in html and "/vendor/bootstrap/dist/css/bootstrap.min.css" in html  # no shell, local CSS
    assert "Set-Cookie" not in page.headers  # no session for anonymous visitors
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'self' https://www.example.com"
    assert page.headers["Cache-Control"] == "no-store"


def test_a_submission_creates_a_lead_with_the_defaults_and_an_owner_in_turn(app: Any, client: Any) -> None:
    platform = app.extensions["metacrm"]
    reps = [platform.users.create(f"rep{i}@example.com", "a long enough passphrase", roles=["sales"]) for i in (1, 2)]
    first = submit(client, app, last_name="Lovelace", company="Analytical Engines", email="ada@example.com",
                   notes="Please call")
    assert first.status_code == 200, first.get_data(as_text=True)
    assert "Thanks, we will call you." in first.get_data(as_text=True)
    assert submit(client, app, last_name="Hopper").status_code == 200
    created = leads(app)
    assert [(r["last_name"], r["source"], r["status"]) for r in created] == [("Lovelace", "Web", "New"),
                                                                           ("Hopper", "Web", "New")]
    assert [r["owner"] for r in created] == [reps[0].id, reps[1].id]  # round-robin among the role's users
    assert created[0]["created_by"] is None  # made by the form, not by a user
    history = platform.audit.history("lead", created[0]["id"]).entries
    assert history[-1]["operation"] == "create"


def test_form_submitted_workflows_run_in_the_submissions_transaction(app: Any, client: Any) -> None:
    workflow = {"name": "qualify_web_leads", "trigger": {"type": "form_submitted", "form": "web_to_lead"},
                "actions": [{"type": "set_field", "fields": {"status": "Working"}}]}
    apply(app, {"objects": [{**LEAD, "workflows": [workflow]}], "roles": [SALES]})
    assert submit(client, app, last_name="Triggered").status_code == 200
    assert [r["status"] for r in leads(app)] == ["Working"]


def test_forged_defaults_and_unknown_fields_are_ignored(app: Any, client: Any) -> None:
    response = submit(client, app, last_name="Babbage", source="Phone", status="Working", owner="1", id="99")
    assert response.status_code == 200
    (lead,) = leads(app)
    assert (lead["source"], lead["status"]) == ("Web", "New") and lead["id"] != 99


def test_an_empty_submission_shows_the_field_errors_and_keeps_the_input(app: Any, client: Any) -> None:
    response = submit(client, app, last_name="", company="Kept Ltd", email="not an email")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="form-errors"' in html and "is required" in html and 'value="Kept Ltd"' in html
    assert 'href="#f-email"' in html
    assert f'name="{TOKEN_FIELD}"' in html  # a fresh token: the visitor corrects and sends again
    assert leads(app) == []


def test_a_filled_honeypot_gets_the_thank_you_page_but_nothing_is_saved_and_it_is_logged(
        app: Any, client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="metacrm.public_forms"):
        response = submit(client, app, last_name="Bot", homepage="https://spam.example")
    assert response.status_code == 200 and "Thanks, we will call you." in response.get_data(as_text=True)
    assert leads(app) == []
    assert any("honeypot" in r.getMessage() for r in caplog.records)


def test_a_submission_faster_than_a_person_types_is_refused(app: Any, client: Any) -> None:
    response = client.post(URL, data={TOKEN_FIELD: fresh_token(app, age=0.2), "last_name": "Speedy"})
    assert response.status_code == 400
    assert "quicker than a person" in response.get_data(as_text=True) and 'value="Speedy"' in response.get_data(as_text=True)
    assert leads(app) == []


@pytest.mark.parametrize("token", [None, "forged.token", "other"])
def test_a_missing_forged_or_foreign_token_is_refused(app: Any, client: Any, token: str | None) -> None:
    if token == "other":
        token = fresh_token(app, key="lead/another_form")
    data = {"last_name": "Nobody", **({TOKEN_FIELD: token} if token else {})}
    assert client.post(URL, data=data).status_code == 400
    assert leads(app) == []


def test_the_token_check_itself() -> None:
    token = issue_token("s3cret", "lead/web", now=1000.0)
    assert check_token("s3cret", "lead/web", token, now=1005.0) == pytest.approx(5.0)
    for secret, key, now, reason in (("s3cret", "lead/web", 1001.0, "too_fast"), ("other", "lead/web", 1005.0, "forged"),
                                     ("s3cret", "case/web", 1005.0, "other_form"),
                                     ("s3cret", "lead/web", 1000.0 + 2 * 86400, "stale")):
        with pytest.raises(TokenProblem) as caught:
            check_token(secret, key, token, now=now)
        assert caught.value.reason == reason


def test_a_flood_from_one_address_gets_429_after_the_limit(app: Any, client: Any) -> None:
    statuses = [submit(client, app, last_name=f"Flood {i}").status_code for i in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    assert len(leads(app)) == 5
    assert client.post(URL, data={TOKEN_FIELD: fresh_token(app), "last_name": "Other address"},
                       environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200


def test_the_per_form_limit_holds_across_addresses(app: Any, client: Any) -> None:
    setup(app, rate_limit={"per_ip_per_minute": 5, "per_form_per_hour": 3})
    statuses = [client.post(URL, data={TOKEN_FIELD: fresh_token(app), "last_name": f"L{i}"},
                            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_redis_counters_limit_like_the_database(app: Any) -> None:
    """With METACRM_REDIS_URL the counters live in Redis, shared by every worker."""
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable")
    limiter = RedisLimiter(client, prefix=f"test:{uuid.uuid4().hex}")
    now = 1_700_000_000.0
    results = [limiter.attempt("lead/web", "203.0.113.1", 2, 3, now=now) for _ in range(3)]
    assert results == [None, None, "ip"]
    assert limiter.attempt("lead/web", "203.0.113.2", 2, 3, now=now) == "form"  # 4 > 3 this hour
    db = DatabaseLimiter(app.extensions["metacrm"].engine)
    assert [db.attempt("lead/web", "203.0.113.1", 2, 3) for _ in range(3)] == [None, None, "ip"]


def test_a_huge_body_is_refused_with_413(app: Any, client: Any) -> None:
    response = submit(client, app, last_name="Big", notes="x" * 100_000)
    assert response.status_code == 413
    assert leads(app) == []


def test_a_long_value_within_the_body_cap_is_a_field_error(app: Any, client: Any) -> None:
    response = submit(client, app, last_name="y" * 500)
    assert response.status_code == 422 and "at most 80" in response.get_data(as_text=True)


def test_scripted_html_is_stored_as_text_and_escaped_on_the_record_page(app: Any, client: Any) -> None:
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert submit(client, app, last_name="Mallory", notes=script, company=script).status_code == 200
    (lead,) = leads(app)
    assert lead["notes"] == script  # text, as typed
    sign_in(client)
    html = client.get(f"/o/lead/{lead['id']}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


def test_an_inactive_or_unknown_form_is_404(app: Any, client: Any) -> None:
    assert client.get("/f/lead/nope").status_code == 404
    assert client.get("/f/nothing/web_to_lead").status_code == 404
    setup(app, active=False)
    assert client.get(URL).status_code == 404
    assert submit(client, app, last_name="Late").status_code == 404


def test_a_redirect_url_sends_the_visitor_on(app: Any, client: Any) -> None:
    setup(app, redirect_url="https://www.example.com/thanks")
    response = submit(client, app, last_name="Redirected")
    assert response.status_code == 303 and response.headers["Location"] == "https://www.example.com/thanks"


def test_frame_ancestors_default_to_self(app: Any, client: Any) -> None:
    setup(app, allowed_origins=[])
    assert client.get(URL).headers["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_admins_get_the_embed_snippet(app: Any, client: Any) -> None:
    assert client.get(URL + "/embed").status_code == 302  # sign in first
    sign_in(client)
    html = client.get(URL + "/embed").get_data(as_text=True)
    assert "&lt;iframe src=&#34;http://localhost/f/lead/web_to_lead&#34;" in html
    assert "https://www.example.com" in html


class _FakeVerifier(BaseHTTPRequestHandler):
    """A local stand-in for hCaptcha's siteverify: "good" is a solved challenge."""

    seen: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        _FakeVerifier.seen.append(body)
        answer = json.dumps({"success": body.get("response") == ["good"] and body.get("secret") == ["shh"]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def verifier() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeVerifier)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/siteverify"
    server.shutdown()


def test_a_configured_captcha_is_shown_and_verified_against_the_provider(app: Any, client: Any, verifier: str) -> None:
    app.config.update(CAPTCHA_PROVIDER="hcaptcha", CAPTCHA_SITE_KEY="site-key", CAPTCHA_SECRET="shh",
                      CAPTCHA_VERIFY_URL=verifier)
    html = client.get(URL).get_data(as_text=True)
    assert 'class="h-captcha mb-3" data-sitekey="site-key"' in html and "js.hcaptcha.com/1/api.js" in html
    assert submit(client, app, last_name="NoAnswer").status_code == 400
    assert submit(client, app, last_name="Wrong", **{"h-captcha-response": "bad"}).status_code == 400
    assert submit(client, app, last_name="Human", **{"h-captcha-response": "good"}).status_code == 200
    assert [r["last_name"] for r in leads(app)] == ["Human"]
    assert _FakeVerifier.seen[-1]["remoteip"] == ["203.0.113.9"]


def test_an_unreachable_captcha_provider_refuses_rather_than_lets_bots_in(app: Any, client: Any) -> None:
    app.config.update(CAPTCHA_PROVIDER="turnstile", CAPTCHA_SITE_KEY="k", CAPTCHA_SECRET="s",
                      CAPTCHA_VERIFY_URL="http://127.0.0.1:9/siteverify")
    assert submit(client, app, last_name="X", **{"cf-turnstile-response": "any"}).status_code == 400
    assert leads(app) == []
