"""Errors the platform raises on purpose, each knowing its HTTP status.

Services raise these; the API turns them into RFC 9457 problem details and
the CLI into a message and exit code. Anything else reaching the edge is a
bug (a 500), never an expected outcome.
"""

from __future__ import annotations

from typing import Any


class PlatformError(Exception):
    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(PlatformError):
    status, title, type_slug = 404, "Not found", "not-found"


class Forbidden(PlatformError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class Unauthorized(PlatformError):
    status, title, type_slug = 401, "Authentication required", "unauthorized"


class Conflict(PlatformError):
    status, title, type_slug = 409, "Conflict", "conflict"


class Unprocessable(PlatformError):
    status, title, type_slug = 422, "Unprocessable content", "validation-failed"


class ConfirmationRequired(PlatformError):
    """A destructive plan was applied without explicit confirmation."""

    status, title, type_slug = 409, "Confirmation required", "confirmation-required"


class ApplyFailed(PlatformError):
    """The database refused an operation; everything was rolled back."""

    status, title, type_slug = 500, "Metadata change failed and was rolled back", "apply-failed"
