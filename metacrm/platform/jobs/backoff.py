"""Retry delays: exponential backoff with jitter, so failing jobs neither hammer nor synchronise."""

from __future__ import annotations

import random
from typing import Callable


def retry_delay(attempt: int, *, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): base·2^(attempt-1), capped, then
    "equal jitter" (between half and all of it) so many jobs failing together spread out again."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + rng() * ceiling / 2
