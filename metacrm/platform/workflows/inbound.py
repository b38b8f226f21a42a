"""Inbound webhooks: ``POST /api/v1/workflows/hooks/<object>/<workflow>`` runs a ``webhook`` workflow.

Authentication is a signature, not a user: the sender computes
``X-MetaCRM-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`` and sends the
Unix time in ``X-MetaCRM-Timestamp``; a timestamp more than :data:`TOLERANCE`
away from now is refused, and because the timestamp is inside the signed text
a captured request cannot be replayed later with a fresh one.

The secret. HMAC needs the secret itself on the receiving side, so a one-way
hash of it cannot verify anything; and MetaCRM ships no cipher. The secret is
therefore *derived*: ``HMAC-SHA256(server key, "metacrm-webhook:<object>:<workflow>:<salt>")``
where the server key is the app's ``SECRET_KEY`` (outside the database) and
only the random salt, with a short fingerprint, is stored
(``metacrm_workflow_hook_secret``). A database dump alone reveals no secret;
rotating means a new salt (the old secret stops working at once); changing
``SECRET_KEY`` invalidates every generated secret, as it does sessions. The
secret is returned once, by the admin endpoint that creates it. Or the
trigger names ``secret_env``, and the secret is read from the environment
variable ``METACRM_WEBHOOK_SECRET_<name>`` (as outbound webhooks do).

Rate limit: at most :data:`MAX_PER_MINUTE` accepted runs per workflow per
minute, counted in the run log (shared by every worker process, no extra
store); beyond it, 429. The run acts as SYSTEM in one transaction; the JSON
body is ``payload`` in expressions (``"=payload.email"``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import time
from typing import TYPE_CHECKING, Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.workflows import WorkflowDef

from ..errors import NotFound, PlatformError, Unauthorized, Unprocessable
from ..records.actor import SYSTEM
from ..storage.engine import write_transaction
from ..storage.store import utcnow
from .hook_tables import workflow_hook_secret
from .tables import workflow_run

if TYPE_CHECKING:
    from .engine import WorkflowEngine

SIGNATURE_HEADER = "X-MetaCRM-Signature"
TIMESTAMP_HEADER = "X-MetaCRM-Timestamp"
TOLERANCE = 300  # seconds either way
MAX_PER_MINUTE = 60
MAX_BODY = 256 * 1024
ENV_PREFIX = "METACRM_WEBHOOK_SECRET_"
TRIGGER = "webhook"


class BadSignature(Unauthorized):
    title, type_slug = "Signature refused", "bad-signature"


class TooManyRequests(PlatformError):
    status, title, type_slug = 429, "Too many requests", "rate-limited"


# --- signatures (pure) -------------------------------------------------------------------------
def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (what senders compute)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_signature(secret: str, timestamp: str | None, signature: str | None, body: bytes, *,
                    now: float | None = None) -> None:
    """Raise :class:`BadSignature` unless ``signature`` signs ``body`` at a timestamp within the tolerance."""
    if not timestamp or not signature:
        raise BadSignature(f"sign the request: {SIGNATURE_HEADER} and {TIMESTAMP_HEADER} headers are required")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature(f"{TIMESTAMP_HEADER} must be Unix seconds") from None
    if abs((now if now is not None else time.time()) - sent) > TOLERANCE:
        raise BadSignature(f"{TIMESTAMP_HEADER} is more than {TOLERANCE // 60} minutes from now (a replay, or a "
                           "clock that is off)")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        raise BadSignature("the signature does not match the body and timestamp (wrong secret?)")


def derive(server_key: bytes, object_name: str, workflow: str, salt: str) -> str:
    mac = hmac.new(server_key, f"metacrm-webhook:{object_name}:{workflow}:{salt}".encode(), hashlib.sha256)
    return "whsec_" + mac.hexdigest()


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def _key(object_name: str, workflow: str) -> str:
    return f"{object_name}:{workflow}"


# --- the service -------------------------------------------------------------------------------
class InboundHooks:
    """Secrets and runs of ``webhook`` workflows; ``server_key`` is the app's secret key."""

    def __init__(self, engine: "WorkflowEngine", server_key: bytes):
        self.workflows = engine
        self.server_key = server_key

    def workflow(self, object_name: str, workflow: str) -> WorkflowDef:
        obj = self.workflows.cache.get().compiled.objects.get(object_name)
        wf = next((w for w in obj.definition.workflows if w.name == workflow), None) if obj is not None else None
        if wf is None or wf.trigger.type != TRIGGER:
            raise NotFound(f'{object_name} has no workflow "{workflow}" triggered by a webhook')
        return wf

    def rotate(self, object_name: str, workflow: str, actor_id: int | None) -> dict[str, Any]:
        """A new secret for the workflow (the previous one stops working); the only time it is shown."""
        wf = self.workflow(object_name, workflow)
        if wf.trigger.secret_env:
            raise Unprocessable(f'the workflow "{workflow}" reads its secret from {ENV_PREFIX}'
                                f"{wf.trigger.secret_env}; set it there")
        salt = secrets.token_hex(16)
        secret = derive(self.server_key, object_name, workflow, salt)
        values = dict(salt=salt, fingerprint=fingerprint(secret), created_at=utcnow(), created_by=actor_id)
        key = _key(object_name, workflow)
        with write_transaction(self.workflows.engine) as conn:
            if not conn.execute(workflow_hook_secret.update().where(workflow_hook_secret.c.key == key)
                                .values(**values)).rowcount:
                conn.execute(workflow_hook_secret.insert().values(key=key, **values))
        return {"secret": secret, "fingerprint": values["fingerprint"], "signature_header": SIGNATURE_HEADER,
                "timestamp_header": TIMESTAMP_HEADER}

    def status(self, object_name: str, workflow: str) -> dict[str, Any]:
        """Whether a secret is set and which (its fingerprint) — never the secret."""
        wf = self.workflow(object_name, workflow)
        if wf.trigger.secret_env:
            name = ENV_PREFIX + wf.trigger.secret_env
            value = os.environ.get(name)
            return {"source": "environment", "variable": name, "configured": bool(value),
                    "fingerprint": fingerprint(value) if value else None}
        with self.workflows.engine.connect() as conn:
            row = conn.execute(sa.select(workflow_hook_secret).where(
                workflow_hook_secret.c.key == _key(object_name, workflow))).first()
        return {"source": "generated", "configured": row is not None,
                "fingerprint": row.fingerprint if row is not None else None,
                "created_at": row.created_at.isoformat() if row is not None else None}

    def _secret(self, conn: Connection, object_name: str, wf: WorkflowDef) -> str | None:
        if wf.trigger.secret_env:
            return os.environ.get(ENV_PREFIX + wf.trigger.secret_env) or None
        salt = conn.execute(sa.select(workflow_hook_secret.c.salt).where(
            workflow_hook_secret.c.key == _key(object_name, wf.name))).scalar()
        return derive(self.server_key, object_name, wf.name, salt) if salt else None

    def receive(self, object_name: str, workflow: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """Verify, rate-limit and run; returns the run (id, status). Errors are problems (401, 404, 422, 429)."""
        wf = self.workflow(object_name, workflow)
        with self.workflows.engine.connect() as conn:
            secret = self._secret(conn, object_name, wf)
        if secret is None:
            raise BadSignature(f'the workflow "{workflow}" has no secret yet; an administrator creates one '
                               f"(POST /api/v1/workflows/hooks/{object_name}/{workflow}/secret)")
        check_signature(secret, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), body)
        if not wf.active:
            raise Unprocessable(f'the workflow "{wf.label}" is not active')
        payload = _payload(body)
        with self.workflows.records.write() as conn:
            self._limit(conn, object_name, wf.name)
            live = self.workflows.cache.get(conn)
            obj = live.compiled.objects[object_name]
            run = self.workflows.run_payload(conn, live, obj, wf, payload, SYSTEM, TRIGGER)
        return {"run_id": run.id, "status": run.status, "condition_result": run.condition_result,
                "error": run.error}

    @staticmethod
    def _limit(conn: Connection, object_name: str, workflow: str) -> None:
        """429 when the workflow already ran :data:`MAX_PER_MINUTE` times from webhooks in the last minute."""
        since = utcnow() - dt.timedelta(minutes=1)
        oldest = conn.execute(sa.select(workflow_run.c.started_at).where(
            workflow_run.c.object == object_name, workflow_run.c.workflow == workflow,
            workflow_run.c.trigger == TRIGGER).order_by(workflow_run.c.id.desc())
            .offset(MAX_PER_MINUTE - 1).limit(1)).scalar()
        if oldest is not None and (oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.timezone.utc)) > since:
            raise TooManyRequests(f"the workflow \"{workflow}\" accepts at most {MAX_PER_MINUTE} webhook calls a "
                                  "minute; retry later", retry_after=60)


def _payload(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY:
        raise Unprocessable(f"the body is larger than {MAX_BODY // 1024} KiB")
    try:
        payload = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unprocessable(f"the body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise Unprocessable("the body must be a JSON object (its keys are payload.<key> in the workflow)")
    return payload
