"""The built-in ``email.send`` job: SMTP when configured, otherwise the admin-readable outbox.

Payload: ``to`` (an address or a list), ``subject``, ``body`` (text), optional
``html`` and ``reply_to``. Idempotent per job: the message is recorded in the
outbox under the kind ``job:<id>``, and a retry that finds that record does
not send again. Between a successful SMTP hand-over and that record a crash
can still resend; the message then carries the same ``Message-ID``, which
mail systems use to drop the duplicate.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .. import outbox
from ..storage.engine import write_transaction
from .context import JobContext, PermanentJobError

SMTP_TIMEOUT = 30


def _addresses(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    found = [str(item).strip() for item in items if str(item).strip()]
    if not found or any("@" not in item or "\n" in item for item in found):
        raise PermanentJobError(f"email.send needs 'to': one address or a list of addresses, got {value!r}")
    return found


def build_message(payload: dict[str, Any], *, job_id: int, mail_from: str) -> EmailMessage:
    """The MIME message for a payload (text, plus an HTML alternative when given)."""
    subject, body = payload.get("subject"), payload.get("body")
    if not isinstance(subject, str) or not isinstance(body, str):
        raise PermanentJobError("email.send needs 'subject' and 'body' (text)")
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(_addresses(payload.get("to")))
    message["Subject"] = subject.replace("\n", " ")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<metacrm-job-{job_id}@{mail_from.rpartition('@')[2] or 'localhost'}>"
    if payload.get("reply_to"):
        message["Reply-To"] = ", ".join(_addresses(payload["reply_to"]))
    message.set_content(body)
    if isinstance(payload.get("html"), str):
        message.add_alternative(payload["html"], subtype="html")
    return message


def smtp_send(url: str, message: EmailMessage) -> None:
    """Send through ``smtp://[user:password@]host[:port][?starttls=0]`` (STARTTLS when the server offers
    it, unless turned off) or ``smtps://`` (TLS from the start)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise PermanentJobError("METACRM_SMTP_URL must look like smtp://user:password@host:587 or smtps://host")
    options = parse_qs(parts.query)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    context = ssl.create_default_context()
    client = (smtplib.SMTP_SSL(parts.hostname, port, timeout=SMTP_TIMEOUT, context=context) if secure
              else smtplib.SMTP(parts.hostname, port, timeout=SMTP_TIMEOUT))
    with client:
        client.ehlo()
        if not secure and options.get("starttls", ["1"])[0] != "0" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def send_email(ctx: JobContext) -> dict[str, Any]:
    jobs = ctx.platform.jobs
    settings = jobs.settings
    message = build_message(ctx.payload, job_id=ctx.job_id, mail_from=settings.mail_from)
    kind = f"job:{ctx.job_id}"
    engine = ctx.platform.engine
    with engine.connect() as conn:
        already = outbox.find_kind(conn, kind)
    if already is not None:
        return {"outbox_id": already.id, "status": already.status, "repeated": True}
    text = message.get_body(("plain",))
    body = text.get_content() if text is not None else ctx.payload["body"]
    if settings.smtp_url:
        smtp_send(settings.smtp_url, message)
        status = "sent"
    else:
        status = "queued"
    with write_transaction(engine) as conn:
        message_id = outbox.queue(conn, to=message["To"], subject=message["Subject"], body=body, kind=kind,
                                  status=status)
    return {"outbox_id": message_id, "status": status}
