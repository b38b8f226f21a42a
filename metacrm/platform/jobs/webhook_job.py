"""The built-in ``webhook.call`` job: POST a JSON body, signed, with a timeout; failures retry.

Payload: ``url``, ``body`` (any JSON value), ``secret`` (the value) or
``secret_name`` (read from the environment variable
``METACRM_WEBHOOK_SECRET_<NAME>``, so the secret stays out of the database),
optional ``headers`` and ``timeout`` (seconds, at most 10 by default).

The receiver verifies ``X-MetaCRM-Signature: sha256=<hex HMAC-SHA256 of the
raw body>`` with the shared secret and may drop repeats by ``Idempotency-Key``
(the job id: the same on every retry); ``X-MetaCRM-Timestamp`` tells when this
attempt was sent. A 2xx answer is success; anything else, or no answer, is
retried with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

from .context import JobContext, PermanentJobError

TIMEOUT = 10.0
SIGNATURE_HEADER = "X-MetaCRM-Signature"
TIMESTAMP_HEADER = "X-MetaCRM-Timestamp"
RESERVED = {SIGNATURE_HEADER.lower(), TIMESTAMP_HEADER.lower(), "idempotency-key", "content-type",
            "content-length", "host"}


def sign(secret: str, raw_body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify(secret: str, raw_body: bytes, header: str) -> bool:
    """What a receiver does (and what the tests do): compare in constant time."""
    return hmac.compare_digest(sign(secret, raw_body), header or "")


def _secret(payload: dict[str, Any]) -> str | None:
    if payload.get("secret_name"):
        name = "METACRM_WEBHOOK_SECRET_" + str(payload["secret_name"]).upper()
        value = os.environ.get(name)
        if not value:
            raise PermanentJobError(f"the webhook secret {name} is not set in the environment")
        return value
    secret = payload.get("secret")
    return str(secret) if secret else None


def call_webhook(ctx: JobContext) -> dict[str, Any]:
    payload = ctx.payload
    url = payload.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise PermanentJobError(f"webhook.call needs an http(s) 'url', got {url!r}")
    raw = json.dumps(payload.get("body"), separators=(",", ":"), ensure_ascii=False).encode()
    headers = {str(k): str(v) for k, v in (payload.get("headers") or {}).items() if str(k).lower() not in RESERVED}
    headers.update({"Content-Type": "application/json", "Idempotency-Key": str(ctx.job_id),
                    TIMESTAMP_HEADER: str(int(time.time())), "User-Agent": "MetaCRM-Webhook/1"})
    secret = _secret(payload)
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, raw)
    timeout = min(float(payload.get("timeout") or TIMEOUT), TIMEOUT)
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked above)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RuntimeError(f"webhook unreachable: {getattr(exc, 'reason', exc)}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"webhook answered HTTP {status}")
    return {"status": status}
