"""Form data ⇄ workflow document, as pure functions, so the editor never asks an admin to type JSON.

The editor posts flat strings: the workflow's own inputs, the inputs of the
chosen trigger, and one row of parallel lists per action (``a_type``,
``a_object``, ``a_fields``…; every row carries every input, the page only
hides the ones its type does not use). This module turns those strings into
the document ``workflow.schema.json`` describes, with the exact keys of
``metadata.workflows.TRIGGER_KEYS``/``ACTION_KEYS``, and back. It checks
only what a string cannot say (a number, a JSON row); whether the workflow
can *work* is the metadata service's job at plan time, so the editor and
the CLI accept exactly the same documents.

Value conventions, chosen to round-trip exactly:

* a field mapping is one ``field: value`` per line; a value starting with
  ``=`` is an expression, ``true``/``false``/``null``/numbers/``"quoted"``
  are JSON literals, anything else is text;
* recipients and trigger values are comma-separated (one item: a scalar);
* a schedule's filter is written in the list-URL language
  (``status=Open&due_date__lt=today``).

An action the form has no inputs for (another type, or extra keys such as
``html`` or ``headers``) becomes an "expert" row holding its JSON, so editing
a workflow never drops what the form does not show.
"""

from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode
from .item_lists import with_item

#: Trigger types the editor offers, in plain words (keys of ``metadata.workflows.TRIGGER_KEYS``).
TRIGGER_CHOICES = [
    ("created", "A record is created"), ("updated", "A record is updated"),
    ("created_or_updated", "A record is created or updated"), ("field_changed", "A field changes"),
    ("deleted", "A record is deleted"), ("time", "A time relative to a date field"),
    ("schedule", "On a recurring schedule"), ("manual", "A button is pressed"),
    ("webhook", "Another system calls a web address"), ("form_submitted", "A public web form is submitted"),
]
UNIT_CHOICES = [("minutes", "minutes"), ("hours", "hours"), ("days", "days"), ("business_days", "business days")]
DIRECTION_CHOICES = [("before", "before"), ("after", "after")]
#: Action types with inputs of their own, and the keys those inputs write ("other" is a JSON row).
ACTION_CHOICES = [("create_record", "Create a record"), ("set_field", "Set fields of this record"),
                  ("send_email", "Send an email"), ("notify", "Notify in the app"),
                  ("call_webhook", "Call a webhook"), ("other", "Other (JSON)")]
FORM_KEYS: dict[str, frozenset[str]] = {
    "create_record": frozenset({"object", "fields"}), "set_field": frozenset({"fields"}),
    "send_email": frozenset({"to", "subject", "body"}), "notify": frozenset({"to", "message"}),
    "call_webhook": frozenset({"url"}),
}
#: The inputs of one action row; each is a parallel list in the posted form.
ROW_INPUTS = ("type", "when", "object", "fields", "to", "subject", "body", "message", "url", "json")
_LITERALS = {"true": True, "false": False, "null": None}


class FormProblems(ValueError):
    """What the posted strings cannot be turned into, as ``{path, message}`` rows (JSON paths)."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{p['path']}: {p['message']}" for p in problems))
        self.problems = problems


# --- values ------------------------------------------------------------------------------------
def parse_value(text: str) -> Any:
    """``=expr`` and plain text stay text; JSON scalars (numbers, true, "quoted") become values."""
    text = text.strip()
    if text in _LITERALS:
        return _LITERALS[text]
    if text[:1] in '"-0123456789' and not text.startswith("="):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        return value if isinstance(value, (str, int, float)) else text
    return text


def format_value(value: Any) -> str:
    """The inverse of :func:`parse_value`: text that would read as a literal (or spans lines) is quoted."""
    if isinstance(value, str) and parse_value(value) == value and value == value.strip() and "\n" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)  # lists and mappings: only an expert row keeps those faithfully


def parse_mapping(text: str, path: str) -> dict[str, Any]:
    """``field: value`` lines → ``{field: value}``; blank lines are skipped."""
    out: dict[str, Any] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            problems.append({"path": path,
                             "message": f'line {number}: write "field: value" (got "{line.strip()}")'})
            continue
        out[name.strip()] = parse_value(value)
    if problems:
        raise FormProblems(problems)
    return out


def format_mapping(mapping: Mapping[str, Any]) -> str:
    return "\n".join(f"{name}: {format_value(value)}" for name, value in mapping.items())


def parse_list(text: str) -> Any:
    """``owner, sales`` → a list; one item → that item; nothing → None."""
    items = [parse_value(part) for part in text.split(",") if part.strip()]
    return None if not items else items[0] if len(items) == 1 else items


def format_list(value: Any) -> str:
    items = value if isinstance(value, list) else [] if value is None else [value]
    return ", ".join(format_value(v) for v in items)


# --- trigger -----------------------------------------------------------------------------------
def trigger_from_data(data: Mapping[str, str]) -> dict[str, Any]:
    """The trigger of the posted inputs (only those of the chosen type are read)."""
    kind = (data.get("trigger_type") or "").strip()
    trigger: dict[str, Any] = {"type": kind}
    if kind == "field_changed":
        trigger["field"] = (data.get("changed_field") or "").strip()
        for key in ("from", "to"):
            value = parse_list(data.get(f"changed_{key}") or "")
            if value is not None:
                trigger[key] = value
    elif kind == "time":
        offset = (data.get("time_offset") or "0").strip() or "0"
        if not offset.isdigit():
            raise FormProblems([{"path": "trigger.offset", "message": "must be a whole number (0 or more)"}])
        trigger.update(field=(data.get("time_field") or "").strip(), offset=int(offset),
                       unit=data.get("time_unit") or "days", direction=data.get("time_direction") or "after")
    elif kind == "schedule":
        trigger["cron"] = (data.get("cron") or "").strip()
        query = (data.get("schedule_filter") or "").strip().lstrip("?")
        if query:
            pairs: dict[str, Any] = {}
            for key, value in parse_qsl(query, keep_blank_values=True):
                pairs[key] = [*pairs[key], value] if isinstance(pairs.get(key), list) else \
                    [pairs[key], value] if key in pairs else value
            trigger["filter"] = pairs
    elif kind == "manual":
        trigger["label"] = (data.get("manual_label") or "").strip()
    elif kind == "webhook" and (data.get("secret_env") or "").strip():
        trigger["secret_env"] = data["secret_env"].strip()
    elif kind == "form_submitted":
        trigger["form"] = (data.get("form_name") or "").strip()
    return trigger


def trigger_to_data(trigger: Mapping[str, Any]) -> dict[str, str]:
    """The editor's inputs for ``trigger``: the inverse of :func:`trigger_from_data`."""
    kind = str(trigger.get("type", "created"))
    data = {"trigger_type": kind}
    if kind == "field_changed":
        data.update(changed_field=str(trigger.get("field", "")), changed_from=format_list(trigger.get("from")),
                    changed_to=format_list(trigger.get("to")))
    elif kind == "time":
        data.update(time_field=str(trigger.get("field", "")), time_offset=str(trigger.get("offset", 0)),
                    time_unit=str(trigger.get("unit", "days")), time_direction=str(trigger.get("direction", "after")))
    elif kind == "schedule":
        data.update(cron=str(trigger.get("cron", "")), schedule_filter=urlencode(
            [(k, v) for k, vs in (trigger.get("filter") or {}).items()
             for v in (vs if isinstance(vs, list) else [vs])]))
    elif kind == "manual":
        data["manual_label"] = str(trigger.get("label", ""))
    elif kind == "webhook":
        data["secret_env"] = str(trigger.get("secret_env", ""))
    elif kind == "form_submitted":
        data["form_name"] = str(trigger.get("form", ""))
    return data


def describe_trigger(trigger: Mapping[str, Any]) -> str:
    """The trigger in words, for the workflow list: "stage changes to Won"."""
    kind = trigger.get("type")
    if kind == "field_changed":
        text = f"{trigger.get('field')} changes"
        if "from" in trigger:
            text += f" from {format_list(trigger['from'])}"
        if "to" in trigger:
            text += f" to {format_list(trigger['to'])}"
        return text
    if kind == "time":
        unit = str(trigger.get("unit", "days")).replace("_", " ")
        return f"{trigger.get('offset', 0)} {unit} {trigger.get('direction', 'after')} {trigger.get('field')}"
    if kind == "schedule":
        return f"on schedule {trigger.get('cron')}"
    if kind == "manual":
        return f'button "{trigger.get("label", "")}"'
    words = dict(TRIGGER_CHOICES)
    return words.get(str(kind), str(kind)).lower()


# --- actions -----------------------------------------------------------------------------------
def rows_from_lists(lists: Mapping[str, list[str]]) -> list[dict[str, str]]:
    """Parallel posted lists (``a_type``, ``a_fields``…) → one dict per action row, in page order."""
    count = len(lists.get("a_type", []))
    rows = []
    for i in range(count):
        row = {}
        for key in ROW_INPUTS:
            values = lists.get(f"a_{key}") or []
            row[key] = values[i] if i < len(values) else ""
        rows.append(row)
    return rows


def action_from_row(row: Mapping[str, str], path: str) -> dict[str, Any]:
    """One row → one action document (an "other" row is its JSON, as typed)."""
    kind = (row.get("type") or "").strip()
    if kind == "other":
        try:
            action = json.loads(row.get("json") or "")
        except ValueError as exc:
            raise FormProblems([{"path": path, "message": f"the action's JSON does not read: {exc}"}]) from None
        if not isinstance(action, dict) or not isinstance(action.get("type"), str):
            raise FormProblems([{"path": path, "message": 'must be a JSON object with a "type"'}])
        return action
    action: dict[str, Any] = {"type": kind}
    if kind == "create_record":
        action["object"] = (row.get("object") or "").strip()
    if kind in ("create_record", "set_field"):
        action["fields"] = parse_mapping(row.get("fields") or "", f"{path}.fields")
    if kind in ("send_email", "notify"):
        to = parse_list(row.get("to") or "")
        if to is not None:
            action["to"] = to
    if kind == "send_email":
        action.update(subject=row.get("subject") or "", body=row.get("body") or "")
    if kind == "notify":
        action["message"] = row.get("message") or ""
    if kind == "call_webhook":
        action["url"] = (row.get("url") or "").strip()
    if (row.get("when") or "").strip():
        action["when"] = row["when"].strip()
    return action


def action_to_row(action: Mapping[str, Any]) -> dict[str, str]:
    """The row showing ``action``: its own inputs when the form has them all, else an expert JSON row."""
    kind = str(action.get("type", ""))
    keys = set(action) - {"type", "when"}
    row = {key: "" for key in ROW_INPUTS}
    if kind not in FORM_KEYS or not keys <= FORM_KEYS[kind] or not _fits(action):
        row.update(type="other", json=json.dumps(dict(action), indent=1, ensure_ascii=False))
        return row
    row.update(type=kind, when=str(action.get("when", "")), object=str(action.get("object", "")),
               fields=format_mapping(action.get("fields") or {}), to=format_list(action.get("to")),
               subject=str(action.get("subject", "")), body=str(action.get("body", "")),
               message=str(action.get("message", "")), url=str(action.get("url", "")))
    return row


def _fits(action: Mapping[str, Any]) -> bool:
    """Whether the row's inputs say exactly this action (text values, flat mappings, flat recipient lists)."""
    fields = action.get("fields", {})
    to = action.get("to", "")
    texts = [action.get(k, "") for k in ("object", "subject", "body", "message", "url", "when")]
    return (isinstance(fields, Mapping) and all(not isinstance(v, (list, dict)) for v in fields.values())
            and (not isinstance(to, list) or (len(to) > 1 and all(isinstance(v, (str, int)) for v in to)))
            and all(isinstance(t, str) for t in texts) and ("to" not in action or to not in ("", []))
            and all(not isinstance(v, str) or "," not in v for v in (to if isinstance(to, list) else [to])))


# --- the whole workflow ------------------------------------------------------------------------
def workflow_from_data(data: Mapping[str, str], rows: list[dict[str, str]]) -> dict[str, Any]:
    """The workflow document of the posted form; :class:`FormProblems` for strings that do not read."""
    doc: dict[str, Any] = {"name": (data.get("name") or "").strip()}
    for key in ("label", "description"):
        if (data.get(key) or "").strip():
            doc[key] = data[key].strip()
    if not _truthy(data.get("active")):
        doc["active"] = False
    problems: list[dict[str, str]] = []
    try:
        doc["trigger"] = trigger_from_data(data)
    except FormProblems as exc:
        problems.extend(exc.problems)
    if (data.get("condition") or "").strip():
        doc["condition"] = data["condition"].strip()
    actions = []
    for i, row in enumerate(rows):
        try:
            actions.append(action_from_row(row, f"actions[{i}]"))
        except FormProblems as exc:
            problems.extend(exc.problems)
    doc["actions"] = actions
    if problems:
        raise FormProblems(problems)
    return doc


def workflow_to_data(doc: Mapping[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The editor's inputs and action rows for a workflow document."""
    data = {"name": str(doc.get("name", "")), "label": str(doc.get("label", "")),
            "description": str(doc.get("description", "")), "active": "y" if doc.get("active", True) else "",
            "condition": str(doc.get("condition", "")), **trigger_to_data(doc.get("trigger") or {})}
    return data, [action_to_row(a) for a in doc.get("actions") or []]


def _truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in ("y", "yes", "on", "true", "1")


# --- the object document -----------------------------------------------------------------------
def with_workflow(document: dict[str, Any], original: str, workflow: dict[str, Any]) -> dict[str, Any]:
    return with_item(document, "workflows", original, workflow)


def without_workflow(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The object ``document`` without the workflow ``name``."""
    return {**document, "workflows": [w for w in document.get("workflows", []) if w.get("name") != name]}


def toggled(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The object ``document`` with the workflow ``name`` switched on or off (``active`` left out when on)."""
    workflows = []
    for w in document.get("workflows", []):
        if w.get("name") == name:
            on = bool(w.get("active", True))
            w = {k: v for k, v in w.items() if k != "active"}
            if on:
                w["active"] = False
        workflows.append(w)
    return {**document, "workflows": workflows}


def document_active(workflow: Mapping[str, Any]) -> bool:
    """Whether a workflow document is on (``active`` defaults to true and is left out when it is)."""
    return bool(workflow.get("active", True))
