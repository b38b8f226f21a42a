"""Job settings from the environment (documented in metacrm/config.py and docs/jobs.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class JobSettings:
    redis_url: str | None = None  # set: RQ delivers; unset: an in-process thread
    queue: str = "metacrm"
    smtp_url: str | None = None  # smtp://user:password@host:587 (STARTTLS) or smtps://host:465; unset: outbox
    mail_from: str = "metacrm@localhost"
    retry_base: float = 10.0  # seconds before the first retry; doubles per attempt
    retry_cap: float = 3600.0
    lease: float = 60.0  # a running job whose worker stops heart-beating for this long is handed out again
    redeliver_after: float = 30.0  # a due job handed to RQ but not claimed by then is handed again
    poll_interval: float = 1.0  # in-process thread / scheduler tick

    @classmethod
    def from_env(cls) -> "JobSettings":
        env = os.environ.get
        return cls(redis_url=env("METACRM_REDIS_URL") or None, queue=env("METACRM_JOB_QUEUE") or "metacrm",
                   smtp_url=env("METACRM_SMTP_URL") or None,
                   mail_from=env("METACRM_MAIL_FROM") or "metacrm@localhost")
