"""Organisation settings: fiscal year, holiday calendar and time zone, stored in ``metacrm_setting``.

The date helpers (``fiscal_year``, ``is_business_day``, ...) read them in
formulas, rules, defaults and scripts. The environment variables
(``METACRM_FISCAL_YEAR_START``, ``METACRM_HOLIDAY_COUNTRY``, ...) stay the
defaults; a key stored here overrides its variable. Each process keeps the
settings cached and checks a cheap fingerprint (row count and newest
``updated_at``, one indexed-free query on a table of a few rows) at most
once per request or save, so an admin's change reaches every worker on its
next request without a restart. Values are validated with a JSON Schema
document; an error names the key.
"""

from __future__ import annotations

import threading
from typing import Any, Mapping

import sqlalchemy as sa
from jsonschema import Draft202012Validator
from sqlalchemy.engine import Connection, Engine

from ..errors import Unprocessable
from ..storage.store import utcnow
from ..storage.engine import write_transaction
from . import helpers
from .helpers import LogicSettings
from .settings_table import setting_table

_DATES = {"type": "array", "maxItems": 1000, "uniqueItems": True,
          "items": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}}

#: The settings document (``GET``/``PUT /api/v1/settings``); null resets a key to its default.
SETTINGS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Organisation settings",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "fiscal_year_start": {"type": ["integer", "null"], "minimum": 1, "maximum": 12,
                              "description": "month the fiscal year starts in (4 = April; FY named by its end)"},
        "holiday_country": {"type": ["string", "null"], "pattern": "^[A-Z]{2,3}$",
                            "description": "ISO 3166 code of the holiday calendar (US, DE, ...); null: weekends only"},
        "holiday_subdivision": {"type": ["string", "null"], "pattern": "^[A-Z0-9-]{1,10}$",
                                "description": "state or region of the calendar (CA, BY, ...)"},
        "extra_holidays": {**_DATES, "type": ["array", "null"],
                           "description": "days the organisation closes (YYYY-MM-DD)"},
        "removed_holidays": {**_DATES, "type": ["array", "null"],
                             "description": "calendar holidays the organisation works (YYYY-MM-DD)"},
        "time_zone": {"type": ["string", "null"], "maxLength": 60,
                      "description": "IANA time zone of today() and now() (Europe/Berlin); null: UTC"},
    },
}
KEYS = tuple(SETTINGS_SCHEMA["properties"])
_validator = Draft202012Validator(SETTINGS_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

_request = threading.local()  # set while a web request has already checked the settings


def validate(changes: Mapping[str, Any], current: LogicSettings | None = None) -> None:
    """Unprocessable (422) naming each bad key; also checks what a schema cannot (real calendars and zones)."""
    errors = [{"path": ".".join(str(p) for p in e.absolute_path) or
               (e.message.split("'")[1] if e.validator == "additionalProperties" else ""),
               "message": e.message} for e in _validator.iter_errors(dict(changes))]
    if not errors:
        errors = _check_meaning(changes, current or LogicSettings())
    if errors:
        raise Unprocessable("Invalid settings: " + "; ".join(f"{e['path']}: {e['message']}" for e in errors),
                            errors=errors)


def _check_meaning(changes: Mapping[str, Any], current: LogicSettings) -> list[dict[str, str]]:
    """The calendar the change leads to must exist (a subdivision alone is checked with the current country)."""
    errors = []
    merged = LogicSettings.from_dict(changes, current)
    if merged.holiday_country and ("holiday_country" in changes or "holiday_subdivision" in changes):
        import holidays

        try:
            holidays.country_holidays(merged.holiday_country, subdiv=merged.holiday_subdivision)
        except NotImplementedError as exc:
            key = "holiday_subdivision" if merged.holiday_subdivision and "subdiv" in str(exc).lower() \
                else "holiday_country"
            errors.append({"path": key, "message": str(exc)})
    if changes.get("time_zone"):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(changes["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors.append({"path": "time_zone", "message": f'"{changes["time_zone"]}" is not an IANA time zone '
                           "(such as Europe/Berlin or America/New_York)"})
    return errors


class OrgSettings:
    """The organisation's settings of one database, cached per process."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._fingerprint: Any = None
        self._current: LogicSettings | None = None
        self.loads = 0  # how many times the rows were read (observable in tests and the bench)

    # --- reading -------------------------------------------------------------------------------
    def current(self, conn: Connection | None = None) -> LogicSettings:
        """The effective settings, re-read only when the fingerprint moved; also installs them in the helpers."""
        if conn is None:
            with self.engine.connect() as own:
                return self.current(own)
        fingerprint = tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(setting_table.c.updated_at))).one())
        with self._lock:
            if self._current is None or fingerprint != self._fingerprint:
                stored = dict(conn.execute(sa.select(setting_table.c.key, setting_table.c.value)).all())
                self._current = LogicSettings.from_dict(
                    {k: v for k, v in stored.items() if k in KEYS and v is not None}, LogicSettings.from_env())
                self._fingerprint = fingerprint
                self.loads += 1
            settings = self._current
        if helpers.settings != settings:
            helpers.configure(settings)
        return settings

    def check(self, conn: Connection | None = None) -> LogicSettings:
        """``current`` unless this request already checked (one query per request at most)."""
        if getattr(_request, "checked", False):
            return self.ensure()
        return self.current(conn)

    def ensure(self) -> LogicSettings:
        """The cached settings installed in the helpers, read once if never read (no change check)."""
        if self._current is None:
            return self.current()
        if helpers.settings != self._current:
            helpers.configure(self._current)
        return self._current

    def stored(self) -> dict[str, Any]:
        """The keys an admin set, as stored (JSON)."""
        with self.engine.connect() as conn:
            return {k: v for k, v in conn.execute(sa.select(setting_table.c.key, setting_table.c.value)).all()
                    if k in KEYS}

    def document(self) -> dict[str, Any]:
        """Every setting's effective value and where it comes from (the API's and the CLI's view)."""
        effective = self.current().to_dict()
        stored = self.stored()
        return {"settings": effective, "stored": sorted(stored),
                "defaults": {k: v for k, v in LogicSettings.from_env().to_dict().items()}}

    # --- writing -------------------------------------------------------------------------------
    def update(self, changes: Mapping[str, Any], *, author: str) -> LogicSettings:
        """Set the given keys (null removes a key: its default applies again), validated first."""
        validate(changes, self.current())
        now = utcnow()
        with write_transaction(self.engine) as conn:
            for key, value in changes.items():
                conn.execute(sa.delete(setting_table).where(setting_table.c.key == key))
                if value is not None:
                    conn.execute(sa.insert(setting_table).values(key=key, value=value, updated_at=now,
                                                                  updated_by=author))
            if any(v is None for v in changes.values()):  # a removal must move the fingerprint too
                conn.execute(sa.update(setting_table).values(updated_at=now))
        with self._lock:
            self._fingerprint = None
        return self.current()


def begin_request(settings: OrgSettings) -> None:
    """Check once at the start of a web request; saves inside it skip their own check."""
    settings.current()
    _request.checked = True


def end_request() -> None:
    _request.checked = False


def coerce_cli_value(key: str, raw: str) -> Any:
    """A value typed on the command line: JSON when it parses (4, null, ["2025-12-24"]), else text;
    a comma-separated list of dates for the holiday lists."""
    import json

    if key not in KEYS:
        raise Unprocessable(f'"{key}" is not a setting; settings: {", ".join(KEYS)}',
                            errors=[{"path": key, "message": "is not a setting"}])
    try:
        return json.loads(raw)
    except ValueError:
        if key in ("extra_holidays", "removed_holidays"):
            return [part.strip() for part in raw.split(",") if part.strip()]
        return raw

