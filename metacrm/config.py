"""Configuration from environment variables, with documented defaults.

| variable | default | meaning |
|---|---|---|
| METACRM_DATABASE_URL | sqlite:///<instance>/metacrm.db | SQLAlchemy URL; PostgreSQL: postgresql+psycopg://user@host/db |
| METACRM_SECRET_KEY | generated once into <instance>/secret_key | signs sessions and CSRF tokens |
| METACRM_REDIS_URL | (unset) | Redis for background jobs (RQ); unset runs jobs in-process |
| METACRM_JOB_QUEUE | metacrm | the RQ queue name |
| METACRM_SMTP_URL | (unset) | smtp://user:pw@host:587 or smtps://host:465 for email jobs; unset: the outbox |
| METACRM_MAIL_FROM | metacrm@localhost | sender address of email jobs |
| METACRM_INSTANCE_PATH | ./instance | where the SQLite file and generated secrets live |
| METACRM_MAX_BODY_BYTES | 10485760 | largest accepted request body |
| METACRM_PUBLIC_FORM_MAX_BYTES | 65536 | largest accepted public-form (web-to-lead) submission; more answers 413 |
| METACRM_CAPTCHA_PROVIDER | (unset) | `hcaptcha` or `turnstile` to put a CAPTCHA on public forms; unset: none |
| METACRM_CAPTCHA_SITE_KEY, METACRM_CAPTCHA_SECRET | (unset) | the provider's site key and secret |
| METACRM_CAPTCHA_VERIFY_URL | the provider's | where answers are verified (a proxy, or a local fake in tests) |
| METACRM_INSECURE_COOKIES | (unset) | set to 1 only when serving plain HTTP on a host other than localhost/127.0.0.1 |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def instance_path() -> Path:
    return Path(os.environ.get("METACRM_INSTANCE_PATH", "instance")).resolve()


def _secret_key(folder: Path) -> str:
    """A per-installation key kept outside the repository, created on first use.

    Several workers may start at once on a fresh instance, so the key is
    written to a private temporary file (mode 0600 from its creation, never
    readable by others) and published with ``os.link``, which fails if the key
    already exists: the first writer wins, and every worker reads one complete
    key instead of overwriting each other's or reading a half-written file.
    """
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".secret_key.{secrets.token_hex(8)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(temp, path)
            except FileExistsError:
                pass  # another worker published its key first; use that one
        finally:
            temp.unlink()
    return path.read_text().strip()


def load_config() -> dict[str, Any]:
    folder = instance_path()
    url = os.environ.get("METACRM_DATABASE_URL") or f"sqlite:///{folder / 'metacrm.db'}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////:memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": os.environ.get("METACRM_SECRET_KEY") or _secret_key(folder),
        "REDIS_URL": os.environ.get("METACRM_REDIS_URL") or None,
        "MAX_CONTENT_LENGTH": int(os.environ.get("METACRM_MAX_BODY_BYTES", 10 * 1024 * 1024)),
        "INSTANCE_PATH": str(folder),
        "PUBLIC_FORM_MAX_BYTES": int(os.environ.get("METACRM_PUBLIC_FORM_MAX_BYTES", 64 * 1024)),
        **{f"CAPTCHA_{k}": os.environ.get(f"METACRM_CAPTCHA_{k}") or None
           for k in ("PROVIDER", "SITE_KEY", "SECRET", "VERIFY_URL")},
        "INSECURE_COOKIES": os.environ.get("METACRM_INSECURE_COOKIES", "") not in ("", "0", "false"),
    }
