"""iCalendar (RFC 5545) export of any object with dates: ``--format ics`` / ``?format=ics``.

Why generic: showings, open houses, contract deadlines, case SLAs and campaign dates are all
records with date fields, and every calendar (Google, Outlook, Apple) subscribes to an .ics
file. How a record becomes events, read from its fields alone:

* a pair of date/time fields named ``…start…`` and ``…end…`` (``showing_start`` /
  ``showing_end``): one timed event per record, from start to end;
* otherwise every date or date/time field with a value is its own event, named after the
  field ("Earnest money due date: 418 Marina Dr purchase"): a date is an all-day event.

Events carry a stable UID (object, record, field), so a calendar that re-imports the file
updates them instead of doubling them. Text is escaped and folded at 75 octets as the RFC asks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from .formats import ExportSource, register_export_format

DATE_TYPES = ("date", "datetime")
PRODID = "-//MetaCRM//Records export//EN"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return ":" + value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return ";VALUE=DATE:" + value.strftime("%Y%m%d")


def _pair(source: ExportSource) -> tuple[str, str] | None:
    dated = [n for n in source.fields if n in source.obj.fields
             and source.obj.fields[n].definition.type in DATE_TYPES]
    starts = [n for n in dated if "start" in n]
    ends = [n for n in dated if "end" in n]
    return (starts[0], ends[0]) if starts and ends else None


def write_ics(source: ExportSource) -> Iterator[bytes]:
    obj = source.obj
    name_field = obj.definition.name_field
    dated = [n for n in source.fields if n in obj.fields and obj.fields[n].definition.type in DATE_TYPES]
    pair = _pair(source)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    yield ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + PRODID + "\r\nCALSCALE:GREGORIAN\r\n"
           + _fold("X-WR-CALNAME:" + _escape(obj.definition.plural_label)) + "\r\n").encode()
    for record in source.records:
        title = str(record.get(name_field) or f"{obj.definition.label} #{record['id']}")
        if pair is not None:
            events = [(pair[0], record.get(pair[0]), record.get(pair[1]), title)] if record.get(pair[0]) else []
        else:
            events = [(n, record.get(n), None, f"{source.label(n)}: {title}") for n in dated if record.get(n)]
        lines: list[str] = []
        for field_name, start, end, summary in events:
            lines += ["BEGIN:VEVENT", f"UID:{obj.name}-{record['id']}-{field_name}@metacrm", f"DTSTAMP:{stamp}",
                      "DTSTART" + _when(start)]
            if end is not None and type(end) is type(start) and end >= start:
                lines.append("DTEND" + _when(end))
            lines += [_fold("SUMMARY:" + _escape(summary)),
                      _fold(f"DESCRIPTION:{_escape(obj.definition.label)} #{record['id']}"), "END:VEVENT"]
        if lines:
            yield ("\r\n".join(lines) + "\r\n").encode()
    yield b"END:VCALENDAR\r\n"


register_export_format("ics", write_ics, media_type="text/calendar", extension="ics")
