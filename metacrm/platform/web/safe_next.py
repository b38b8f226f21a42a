"""Where a sign-in may send the user afterwards: only to a path on this site.

``?next=`` is attacker-controlled; an open redirect to ``//evil.example`` or
``https://evil.example`` after a genuine login is a phishing gift. Kept pure
so it is tested exhaustively without a request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT = "/"


def safe_next(target: str | None, default: str = DEFAULT) -> str:
    """``target`` if it is a local absolute path, otherwise ``default``."""
    if not target:
        return default
    # Browsers treat a backslash like a slash and drop tabs/newlines inside URLs,
    # so "/\\evil.example" and "/\t/evil.example" would leave the site.
    if any(ch in target for ch in "\\\t\r\n") or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    return target
