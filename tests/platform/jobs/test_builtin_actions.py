"""The built-in kinds against real local servers: webhooks (http.server) and email (aiosmtpd)."""

from __future__ import annotations

from email import message_from_bytes
from typing import Any

from metacrm.platform import outbox
from metacrm.platform.jobs import Jobs
from metacrm.platform.jobs.webhook_job import verify
from metacrm.platform.runtime import Platform

from .test_retries import drain_until_settled


def enqueue(platform: Platform, jobs: Jobs, kind: str, payload: dict[str, Any], **options: Any) -> int:
    with platform.engine.begin() as conn:
        return jobs.enqueue(conn, kind, payload, **options)


def test_a_webhook_posts_signed_json_the_receiver_can_verify(platform: Platform, jobs: Jobs, receiver: Any) -> None:
    job_id = enqueue(platform, jobs, "webhook.call", {"url": receiver.url, "body": {"deal": 7, "stage": "won"},
                                                      "secret": "s3cret", "headers": {"X-Source": "crm"}})
    assert jobs.run_pending() == 1
    (request,) = receiver.requests
    headers = request["headers"]
    assert request["json"] == {"deal": 7, "stage": "won"}
    assert headers["content-type"] == "application/json" and headers["x-source"] == "crm"
    assert verify("s3cret", request["raw"], headers["x-metacrm-signature"])
    assert not verify("wrong", request["raw"], headers["x-metacrm-signature"])
    assert headers["idempotency-key"] == str(job_id) and headers["x-metacrm-timestamp"].isdigit()
    assert jobs.get(job_id).result == {"status": 200}  # type: ignore[union-attr]
    assert jobs.get(job_id).to_json()["payload"]["secret"] == "********"  # type: ignore[union-attr]


def test_a_webhook_answering_an_error_is_retried_with_the_same_idempotency_key(
        platform: Platform, jobs: Jobs, receiver: Any) -> None:
    receiver.statuses = [500, 503]
    job_id = enqueue(platform, jobs, "webhook.call", {"url": receiver.url, "body": [1]})
    assert drain_until_settled(jobs, job_id) == "done"
    assert len(receiver.requests) == 3
    assert {r["headers"]["idempotency-key"] for r in receiver.requests} == {str(job_id)}
    assert jobs.get(job_id).attempts == 3  # type: ignore[union-attr]


def test_an_unreachable_webhook_fails_after_its_attempts(platform: Platform, jobs: Jobs) -> None:
    from .conftest import free_port

    job_id = enqueue(platform, jobs, "webhook.call", {"url": f"http://127.0.0.1:{free_port()}/"}, max_attempts=2)
    assert drain_until_settled(jobs, job_id) == "failed"
    assert "webhook unreachable" in jobs.get(job_id).last_error  # type: ignore[union-attr,operator]


def test_a_secret_can_come_from_the_environment(platform: Platform, jobs: Jobs, receiver: Any,
                                                monkeypatch: Any) -> None:
    monkeypatch.setenv("METACRM_WEBHOOK_SECRET_ERP", "from-env")
    enqueue(platform, jobs, "webhook.call", {"url": receiver.url, "body": {}, "secret_name": "erp"})
    jobs.run_pending()
    headers = receiver.requests[0]["headers"]
    assert verify("from-env", receiver.requests[0]["raw"], headers["x-metacrm-signature"])


def test_email_goes_through_smtp_when_configured(platform: Platform, jobs: Jobs, smtp_sink: Any) -> None:
    sink, url = smtp_sink
    jobs.settings.smtp_url = url + "?starttls=0"
    jobs.settings.mail_from = "crm@example.com"
    job_id = enqueue(platform, jobs, "email.send", {"to": ["ann@example.com", "bob@example.com"],
                                                    "subject": "Deal won", "body": "Congratulations!",
                                                    "html": "<p>Congratulations!</p>", "reply_to": "boss@example.com"})
    assert jobs.run_pending() == 1
    (envelope,) = sink.messages
    assert envelope.rcpt_tos == ["ann@example.com", "bob@example.com"] and envelope.mail_from == "crm@example.com"
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "Deal won" and message["Reply-To"] == "boss@example.com"
    assert message["Message-ID"] == f"<metacrm-job-{job_id}@example.com>"
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    (recorded,) = outbox.messages(platform.engine)
    assert (recorded.status, recorded.kind, recorded.subject) == ("sent", f"job:{job_id}", "Deal won")


def test_email_waits_in_the_outbox_without_smtp_and_a_rerun_adds_nothing(platform: Platform, jobs: Jobs) -> None:
    jobs.settings.smtp_url = None
    job_id = enqueue(platform, jobs, "email.send", {"to": "ann@example.com", "subject": "Hi", "body": "Text"})
    jobs.run_pending()
    (queued,) = outbox.messages(platform.engine)
    assert (queued.to, queued.subject, queued.body, queued.status) == ("ann@example.com", "Hi", "Text\n", "queued")
    assert jobs.retry(job_id) is False  # done
    from metacrm.platform.jobs.email_job import send_email
    from metacrm.platform.jobs.context import JobContext

    payload = jobs.get(job_id).payload  # type: ignore[union-attr]
    assert send_email(JobContext(job_id, "email.send", payload, 2, platform))["repeated"]
    assert len(outbox.messages(platform.engine)) == 1


def test_an_email_without_an_address_fails_at_once(platform: Platform, jobs: Jobs) -> None:
    job_id = enqueue(platform, jobs, "email.send", {"to": "", "subject": "Hi", "body": "x"})
    jobs.run_pending()
    job = jobs.get(job_id)
    assert (job.status, job.attempts) == ("failed", 1)  # type: ignore[union-attr]
