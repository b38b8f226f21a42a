"""What keeps a public form usable by people and costly for bots: a signed fill token, a honeypot, rate limits.

**The fill token** is the form's CSRF token too. The page is public and has no
session or login a forged post could ride on, which is what a session-bound
CSRF token protects; what matters here is that a post comes from a page this
server rendered, recently, for this form, and not too fast. So the token is an
``itsdangerous`` signature (the app's secret key) over the form's key and the
time the page was rendered: a post without a valid one is refused, one sent
less than :data:`MIN_FILL_SECONDS` after the page was rendered is a script's,
and one older than :data:`MAX_TOKEN_AGE` is stale. Nothing is stored, so any
worker checks any token.

**The honeypot** is one more text input, named like a field a form could
plausibly have, moved off screen by CSS and skipped by keyboard and screen
readers: people leave it empty, form-filling bots do not. A filled one gets the
normal thank-you page and nothing is saved (and the attempt is logged), so the
bot learns nothing.

**Rate limits** count attempts per (form, visitor address) per minute and per
form per hour. They must hold across gunicorn workers, so the counters live
outside the process: in Redis when ``METACRM_REDIS_URL`` is set (an ``INCR``
per fixed window, expiring with it), else in the database, as rows of the
append-only security log (event ``public_form_post``: one per attempt, counted
over the window through its ``(event, at)`` index). Between the count and the
insert, two workers may both let one more attempt in; a limit meant to stop
floods does not need to be exact.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.engine import Engine

from ..storage.platform_tables import security_log
from ..storage.store import utcnow

TOKEN_SALT = "metacrm.public-form"
TOKEN_FIELD = "form_token"
MIN_FILL_SECONDS = 2.0
MAX_TOKEN_AGE = 24 * 3600
#: Names a honeypot may take: plausible on a contact form, and unlikely to be a real field of the object.
HONEYPOT_NAMES = ("homepage", "company_homepage", "fax_extension", "contact_homepage")
#: The security-log event that counts attempts when there is no Redis.
ATTEMPT_EVENT = "public_form_post"
MINUTE, HOUR = 60, 3600


class TokenProblem(Exception):
    """The fill token is missing, forged, for another form, too fresh (a bot) or stale."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=TOKEN_SALT)


def issue_token(secret: str, form_key: str, *, now: float | None = None) -> str:
    """A token saying "this server rendered ``form_key`` at ``now``"."""
    return _serializer(secret).dumps({"f": form_key, "t": round(now if now is not None else time.time(), 3)})


def check_token(secret: str, form_key: str, token: str | None, *, now: float | None = None,
                min_seconds: float = MIN_FILL_SECONDS) -> float:
    """The seconds the visitor took to fill the form in; raises :class:`TokenProblem` with the reason."""
    if not token:
        raise TokenProblem("missing")
    try:
        payload: Any = _serializer(secret).loads(token)
    except BadSignature:
        raise TokenProblem("forged") from None
    if not isinstance(payload, dict) or payload.get("f") != form_key or not isinstance(payload.get("t"), (int, float)):
        raise TokenProblem("other_form")
    took = (now if now is not None else time.time()) - float(payload["t"])
    if took < min_seconds:
        raise TokenProblem("too_fast")
    if took > MAX_TOKEN_AGE:
        raise TokenProblem("stale")
    return took


def honeypot_name(field_names: Any) -> str:
    """The first plausible name that is not a field of the object (a real field must never be the trap)."""
    taken = set(field_names)
    return next((n for n in HONEYPOT_NAMES if n not in taken), "hp_" + HONEYPOT_NAMES[0])


class Limiter(Protocol):
    def attempt(self, form_key: str, ip: str, per_minute: int, per_hour: int) -> str | None:
        """Count one attempt; the limit it exceeds (``"ip"`` or ``"form"``), or None when within both."""


@dataclass
class RedisLimiter:
    """Fixed-window counters in Redis, shared by every worker; keys expire with their window."""

    client: Any
    prefix: str = "metacrm:public_form"

    def attempt(self, form_key: str, ip: str, per_minute: int, per_hour: int, *, now: float | None = None) -> str | None:
        now = now if now is not None else time.time()
        minute_key = f"{self.prefix}:{form_key}:ip:{ip}:{math.floor(now / MINUTE)}"
        hour_key = f"{self.prefix}:{form_key}:form:{math.floor(now / HOUR)}"
        pipe = self.client.pipeline()
        pipe.incr(minute_key)
        pipe.expire(minute_key, MINUTE + 5)
        pipe.incr(hour_key)
        pipe.expire(hour_key, HOUR + 5)
        by_ip, _, by_form, _ = pipe.execute()
        if by_ip > per_minute:
            return "ip"
        return "form" if by_form > per_hour else None


@dataclass
class DatabaseLimiter:
    """Sliding-window counts of the attempts logged in the security log (for installs without Redis)."""

    engine: Engine

    def attempt(self, form_key: str, ip: str, per_minute: int, per_hour: int, *, now: Any = None) -> str | None:
        now = now or utcnow()
        t = security_log.c
        recent = sa.and_(t.event == ATTEMPT_EVENT, t.subject == form_key)
        with self.engine.begin() as conn:
            by_ip = conn.execute(sa.select(sa.func.count()).where(
                recent, t.ip == ip[:64], t.at >= now - dt.timedelta(seconds=MINUTE))).scalar_one()
            by_form = conn.execute(sa.select(sa.func.count()).where(
                recent, t.at >= now - dt.timedelta(seconds=HOUR))).scalar_one()
            conn.execute(security_log.insert().values(at=now, actor_id=None, event=ATTEMPT_EVENT,
                                                      subject=form_key[:254], ip=ip[:64], detail={}))
        if by_ip >= per_minute:
            return "ip"
        return "form" if by_form >= per_hour else None


def limiter_for(redis_url: str | None, engine: Engine) -> Limiter:
    """Redis when configured (the counters every worker shares, cheaply), else the database."""
    if redis_url:
        import redis

        return RedisLimiter(redis.Redis.from_url(redis_url))
    return DatabaseLimiter(engine)
