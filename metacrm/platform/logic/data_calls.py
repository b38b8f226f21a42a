"""The parent's answers to a script's data requests: ``query``, ``create``, ``update``.

The worker has no database handle; each request is a message answered here
through the record service, as the acting user, so object, field and
record-level security apply exactly as to a form or an API call: hidden
fields never reach the script, a record the user may not edit cannot be
changed. The counts are enforced here too (the worker counts as well, for a
friendly message, but an escaped script could lie about its own counts).

A refused write is remembered even if the script swallows the error: the
run's caller refuses the whole save (or API call) with it, so a script can
never half-do its work.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import Forbidden, PlatformError
from ..records.actor import Actor
from . import helpers
from .limits import LimitExceeded, Limits, SandboxError

WRITES = ("create", "update")


def describe(exc: PlatformError) -> str:
    """A refusal as one sentence: the detail and the field errors (``subject: is required``)."""
    errors = exc.extra.get("errors") or []
    parts = []
    for e in errors[:5] if isinstance(errors, list) else ():
        if isinstance(e, Mapping):
            where = e.get("field") or e.get("parameter") or e.get("path") or ""
            text = str(e.get("message", ""))
            if text not in exc.detail:
                parts.append(f"{where}: {text}" if where else text)
    return exc.detail + (f" ({'; '.join(parts)})" if parts else "")


class ScriptCalls:
    """Answers the data requests of one script run (a ``worker_client.CallHandler``).

    ``conn`` is the transaction of the write in progress (after-save) or of the API
    call; without it, writes are not available (before-save scripts). ``write_refusal``
    refuses every write with that message (a read-scope API token).
    """

    def __init__(self, records: Any, actor: Actor, limits: Limits, *, conn: Any = None,
                 write_refusal: str | None = None, today: Any = None):
        self.records, self.actor, self.limits, self.conn = records, actor, limits, conn
        self.write_refusal = write_refusal
        self.today = today
        self.queries = self.rows = self.writes = 0
        self.refused: PlatformError | None = None  # the first write refused: the caller refuses the save with it
        self.refused_message = ""

    def __call__(self, name: str, args: Mapping[str, Any]) -> Any:
        if name == "query":
            return self.query(str(args.get("object", "")), args.get("filters") or {})
        if name in WRITES:
            return self.write(name, str(args.get("object", "")), args)
        raise SandboxError(f"{name}() is not a data request")

    # --- reading -----------------------------------------------------------------------------
    def query(self, object_name: str, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        self.queries += 1
        if self.queries > self.limits.max_queries:
            raise LimitExceeded(f"more than {self.limits.max_queries} queries in one run")
        left = self.limits.max_rows_total - self.rows
        if left <= 0:
            raise LimitExceeded(f"query() returned {self.limits.max_rows_total} rows in this run, the most one run "
                                "may read")
        params = {str(k): str(v) for k, v in filters.items() if k not in ("count", "cursor", "group_by", "agg")}
        try:
            asked = int(params.get("limit", self.limits.max_rows))
        except ValueError:
            raise SandboxError(f'query("{object_name}"): limit must be a whole number, not "{params["limit"]}"') \
                from None
        params["limit"] = str(max(0, min(asked, self.limits.max_rows, left)))
        try:
            page = self.records.reader.list(self.actor, object_name, params, purpose="script",
                                            today=self.today or helpers.today())
        except PlatformError as exc:
            raise SandboxError(f'query("{object_name}") failed: {describe(exc)}') from None
        self.rows += len(page.records)
        return page.records

    # --- writing -----------------------------------------------------------------------------
    def write(self, kind: str, object_name: str, args: Mapping[str, Any]) -> dict[str, Any]:
        what = f'{kind}("{object_name}")'
        if self.write_refusal is not None:
            self._refuse(Forbidden(self.write_refusal))
        if self.conn is None:
            raise SandboxError(f"{kind}() is available in after-save and API scripts only")
        self.writes += 1
        if self.writes > self.limits.max_writes:
            self._refuse(LimitError(f"more than {self.limits.max_writes} records written in one run"))
        values = args.get("values") or {}
        if not isinstance(values, Mapping):
            raise SandboxError(f"{what} needs field=value arguments")
        try:
            if kind == "create":
                return self.records.create_in(self.conn, self.actor, object_name, values)
            return self.records.update_in(self.conn, self.actor, object_name, args.get("id"), values)
        except PlatformError as exc:
            self._refuse(exc, f"{what} was refused: ")
        except SandboxError:
            raise
        except Exception as exc:  # noqa: BLE001 - a database error: the transaction is lost, so is the save
            self._refuse(PlatformError(f"the database refused the write ({type(exc).__name__})"),
                         f"{what} failed: ")
        raise AssertionError("unreachable")

    def _refuse(self, exc: PlatformError, prefix: str = "") -> None:
        if self.refused is None:
            self.refused = exc
            self.refused_message = prefix + describe(exc)
        raise SandboxError(prefix + describe(exc))


class LimitError(PlatformError):
    """A script wrote more records than one run may (422)."""

    status, title, type_slug = 422, "Script limit exceeded", "script-limit-exceeded"
