"""The function RQ workers call, and the platform it runs jobs on.

``metacrm worker`` binds its platform (built by the app factory, so every
handler the app registers is known); a plain ``rq worker`` falls back to a
platform built from ``METACRM_DATABASE_URL``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runtime import Platform

_bound: "Platform | None" = None


def bind(platform: "Platform") -> None:
    global _bound
    _bound = platform


def current_platform() -> "Platform":
    global _bound
    if _bound is None:
        from ..runtime import Platform  # noqa: PLC0415

        url = os.environ.get("METACRM_DATABASE_URL")
        if not url:
            raise RuntimeError("METACRM_DATABASE_URL is not set; start workers with `metacrm worker`")
        _bound = Platform.from_url(url)
    return _bound


def perform(job_id: int) -> str:
    """Claim and run job ``job_id`` if it is still due; a no-op when another worker got it first."""
    return current_platform().jobs.run_job(job_id)
