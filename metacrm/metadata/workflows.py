"""Workflows as metadata: a trigger, a condition and ordered actions on one object.

A workflow is data an admin (or a pack) writes, versioned with its object like
validation rules and scripts; running it is the platform's job
(``metacrm/platform/workflows``). This module is pure: it turns documents into
frozen definitions and reports what cannot work — unknown fields and objects
(with "did you mean"), a time trigger on a field that is not a date,
expressions that do not parse (line and column), merge fields a template
names but the object lacks — each at its JSON path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from .errors import MetadataIssue
from .logic import check_expression_refs
from .names import SYSTEM_COLUMNS, did_you_mean

if TYPE_CHECKING:
    from .definitions import MetadataBundle, ObjectDef

RECORD_TRIGGERS = ("created", "updated", "created_or_updated", "field_changed", "deleted")
TRIGGER_TYPES = (*RECORD_TRIGGERS, "time", "schedule", "manual", "webhook", "form_submitted")
OFFSET_UNITS = ("minutes", "hours", "days", "business_days")
DIRECTIONS = ("before", "after")
DATE_TYPES = ("date", "datetime")
REFERENCE_TYPES = ("lookup", "master_detail")
#: The trigger keys each trigger type takes (``type`` aside).
TRIGGER_KEYS: dict[str, frozenset[str]] = {
    "created": frozenset(), "updated": frozenset(), "created_or_updated": frozenset(), "deleted": frozenset(),
    "field_changed": frozenset({"field", "from", "to"}),
    "time": frozenset({"field", "offset", "unit", "direction"}),
    "schedule": frozenset({"cron", "filter"}),
    "manual": frozenset({"label"}),
    "webhook": frozenset({"secret_env"}),
    "form_submitted": frozenset({"form"}),
}
COMMON_ACTION_KEYS = frozenset({"type", "when", "label"})
#: The keys of each action type the platform ships; plugins declare theirs with :func:`declare_action`.
ACTION_KEYS: dict[str, frozenset[str]] = {
    "set_field": frozenset({"fields"}),
    "create_record": frozenset({"object", "fields"}),
    "update_related": frozenset({"object", "via", "lookup", "fields"}),
    "assign_owner": frozenset({"role", "user"}),
    "send_email": frozenset({"to", "subject", "body", "html"}),
    "call_webhook": frozenset({"url", "secret", "headers", "body"}),
    "run_script": frozenset({"script"}),
    "notify": frozenset({"to", "message", "link"}),
    "wait": frozenset({"for", "unit"}),
}
REQUIRED_ACTION_KEYS: dict[str, tuple[str, ...]] = {
    "set_field": ("fields",), "create_record": ("object", "fields"), "update_related": ("fields",),
    "send_email": ("to", "subject", "body"), "call_webhook": ("url",),
    "run_script": ("script",), "notify": ("to", "message"), "wait": ("for",),
}
#: Actions that write in the triggering save's transaction; the others are enqueued as jobs.
SAME_TRANSACTION_ACTIONS = frozenset({"set_field", "create_record", "update_related", "assign_owner", "run_script"})
#: Names an expression of a webhook-triggered workflow may use besides the object's fields: the JSON body.
WEBHOOK_NAMES = ("payload",)
_SECRET_ENV = re.compile(r"^[A-Z][A-Z0-9_]{0,59}$")
_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: What a template may say about the record's owner: ``{{ owner.email }}``.
OWNER_ATTRIBUTES = ("id", "email", "name")
_MERGE_FIELD = re.compile(r"\b(record|owner|manager)\.([A-Za-z_][A-Za-z0-9_]*)")
_TEMPLATE_TAG = re.compile(r"{{(.*?)}}|{%(.*?)%}", re.S)


def declare_action(type_: str, keys: frozenset[str] | set[str], *, required: tuple[str, ...] = ()) -> None:
    """Let metadata name a plugin's action type (its handler is registered with the engine)."""
    ACTION_KEYS[type_] = frozenset(keys)
    REQUIRED_ACTION_KEYS[type_] = required


@dataclass(frozen=True)
class TriggerDef:
    """When a workflow is considered. ``from_values``/``to_values``: any of them matches (none: any value)."""

    type: str
    field: str | None = None
    from_values: tuple[Any, ...] = ()
    to_values: tuple[Any, ...] = ()
    offset: int = 0
    unit: str = "days"
    direction: str = "after"
    cron: str | None = None
    filter: Mapping[str, Any] = dc_field(default_factory=lambda: MappingProxyType({}))
    label: str | None = None
    secret_env: str | None = None  # webhook: METACRM_WEBHOOK_SECRET_<name> holds the secret
    form: str | None = None  # form_submitted: the public form's name

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.field:
            out["field"] = self.field
        for key, values in (("from", self.from_values), ("to", self.to_values)):
            if values:
                out[key] = values[0] if len(values) == 1 else list(values)
        if self.type == "time":
            out.update(offset=self.offset, unit=self.unit, direction=self.direction)
        if self.cron:
            out["cron"] = self.cron
        if self.filter:
            out["filter"] = dict(self.filter)
        if self.label:
            out["label"] = self.label
        if self.secret_env:
            out["secret_env"] = self.secret_env
        if self.form:
            out["form"] = self.form
        return out


@dataclass(frozen=True)
class ActionDef:
    """One step: ``type`` picks the handler, ``params`` are its other keys, ``when`` gates it."""

    type: str
    params: Mapping[str, Any] = dc_field(default_factory=lambda: MappingProxyType({}))
    when: str | None = None
    label: str | None = None

    @property
    def same_transaction(self) -> bool:
        return self.type in SAME_TRANSACTION_ACTIONS

    def to_json(self) -> dict[str, Any]:
        from .definitions import thaw
        out: dict[str, Any] = {"type": self.type, **thaw(self.params)}
        if self.when:
            out["when"] = self.when
        if self.label:
            out["label"] = self.label
        return out


@dataclass(frozen=True)
class WorkflowDef:
    name: str
    label: str
    trigger: TriggerDef
    actions: tuple[ActionDef, ...]
    condition: str | None = None
    description: str = ""
    active: bool = True
    #: The pack that added this item to another owner's object; None: the object's owner (docs/packs.md).
    owner: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label}
        if self.owner:
            out["owner"] = self.owner
        if self.description:
            out["description"] = self.description
        if not self.active:
            out["active"] = False
        out["trigger"] = self.trigger.to_json()
        if self.condition:
            out["condition"] = self.condition
        out["actions"] = [a.to_json() for a in self.actions]
        return out


def _values(doc: Mapping[str, Any], key: str) -> tuple[Any, ...]:
    if key not in doc:
        return ()
    value = doc[key]
    return tuple(value) if isinstance(value, list) else (value,)


def trigger_from_json(doc: Mapping[str, Any]) -> TriggerDef:
    from .definitions import freeze
    return TriggerDef(type=str(doc.get("type", "")), field=doc.get("field"), from_values=_values(doc, "from"),
                      to_values=_values(doc, "to"), offset=int(doc.get("offset", 0) or 0),
                      unit=doc.get("unit", "days"), direction=doc.get("direction", "after"), cron=doc.get("cron"),
                      filter=freeze(doc.get("filter") or {}), label=doc.get("label"),
                      secret_env=doc.get("secret_env"), form=doc.get("form"))


def action_from_json(doc: Mapping[str, Any]) -> ActionDef:
    from .definitions import freeze
    params = {k: v for k, v in doc.items() if k not in COMMON_ACTION_KEYS}
    return ActionDef(type=str(doc.get("type", "")), params=freeze(params), when=doc.get("when"),
                     label=doc.get("label"))


def workflow_from_json(doc: Mapping[str, Any]) -> WorkflowDef:
    trigger = doc.get("trigger") if isinstance(doc.get("trigger"), Mapping) else {}
    actions = doc.get("actions") if isinstance(doc.get("actions"), list) else []
    return WorkflowDef(name=doc["name"], label=doc.get("label") or doc["name"].replace("_", " ").capitalize(),
                       trigger=trigger_from_json(trigger),
                       actions=tuple(action_from_json(a) for a in actions if isinstance(a, Mapping)),
                       condition=doc.get("condition"), description=doc.get("description", ""),
                       active=bool(doc.get("active", True)), owner=doc.get("owner") or None)


# --- checks ----------------------------------------------------------------------------------
def check_workflows(obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    """Every problem of an object's workflows, each at its JSON path."""
    issues: list[MetadataIssue] = []
    seen: set[str] = set()
    for i, wf in enumerate(obj.workflows):
        wpath = f"{path}.workflows[{i}]"
        if wf.name in seen:
            issues.append(MetadataIssue(f"{wpath}.name", f'the workflow "{wf.name}" is defined twice'))
        seen.add(wf.name)
        issues.extend(_check_trigger(wf.trigger, obj, f"{wpath}.trigger"))
        found: list[MetadataIssue] = []
        if wf.condition:
            found.extend(check_expression_refs(wf.condition, obj, bundle, f"{wpath}.condition"))
        for j, action in enumerate(wf.actions):
            found.extend(_check_action(action, obj, bundle, f"{wpath}.actions[{j}]"))
        if wf.trigger.type == "webhook":  # its expressions may read the JSON body as "payload"
            found = [i for i in found if not any(i.message.startswith(f'refers to "{n}"') for n in WEBHOOK_NAMES)]
        issues.extend(found)
    return issues


def _unknown_field(path: str, name: str, obj: "ObjectDef") -> MetadataIssue:
    return MetadataIssue(path, f'field "{name}" does not exist on {obj.name}{did_you_mean(name, obj.field_names)}',
                         "unknown_field")


def _check_trigger(trigger: TriggerDef, obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    issues: list[MetadataIssue] = []
    given = set(trigger.to_json()) - {"type"}
    if trigger.type == "time":
        given -= {"offset", "unit", "direction"}  # always written
    for key in sorted(given - TRIGGER_KEYS.get(trigger.type, frozenset())):
        issues.append(MetadataIssue(f"{path}.{key}", f'"{key}" does not apply to {trigger.type} triggers',
                                    "not_applicable"))
    if trigger.type in ("field_changed", "time"):
        f = obj.field(trigger.field or "")
        if not trigger.field:
            issues.append(MetadataIssue(f"{path}.field", f'"field" is required for {trigger.type} triggers',
                                        "required"))
        elif f is None and not (trigger.type == "field_changed" and trigger.field in SYSTEM_COLUMNS):
            issues.append(_unknown_field(f"{path}.field", trigger.field, obj))
        elif trigger.type == "time" and (f is None or (f.type not in DATE_TYPES and f.result_type not in DATE_TYPES)):
            kind = f.type if f is not None else "system"
            issues.append(MetadataIssue(f"{path}.field", f'"{trigger.field}" is a {kind} field; a time trigger '
                                        "needs a date or datetime field", "not_a_date"))
        elif f is not None and f.type == "picklist":
            for key, values in (("from", trigger.from_values), ("to", trigger.to_values)):
                for value in values:
                    if value is not None and value not in f.option_values:
                        issues.append(MetadataIssue(f"{path}.{key}", f'"{value}" is not a choice of {f.name}'
                                                    f"{did_you_mean(str(value), f.option_values)}", "unknown_choice"))
    if trigger.type == "webhook" and trigger.secret_env and not _SECRET_ENV.match(trigger.secret_env):
        issues.append(MetadataIssue(f"{path}.secret_env", f'"{trigger.secret_env}" is not a secret name: use capital '
                                    "letters, digits and _ (the secret is read from METACRM_WEBHOOK_SECRET_<name>)",
                                    "invalid_secret_env"))
    if trigger.type == "form_submitted" and not trigger.form:
        issues.append(MetadataIssue(f"{path}.form", '"form" is required for form_submitted triggers', "required"))
    if trigger.type == "schedule":
        if not trigger.cron:
            issues.append(MetadataIssue(f"{path}.cron", '"cron" is required for schedule triggers', "required"))
        elif len(trigger.cron.split()) != 5:
            issues.append(MetadataIssue(f"{path}.cron", f'"{trigger.cron}" is not a cron expression of five parts '
                                        "(minute hour day month weekday)", "invalid_cron"))
        for key in trigger.filter:
            head = key.split("__")[0]
            if obj.field(head) is None and head not in SYSTEM_COLUMNS:
                issues.append(_unknown_field(f"{path}.filter.{key}", head, obj))
    return issues


def _check_action(action: ActionDef, obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    keys = ACTION_KEYS.get(action.type)
    if keys is None:
        return [MetadataIssue(f"{path}.type", f'"{action.type}" is not an action type'
                              f"{did_you_mean(action.type, list(ACTION_KEYS))} (known: {', '.join(ACTION_KEYS)})",
                              "unknown_action")]
    issues: list[MetadataIssue] = []
    for key in action.params:
        if key not in keys:
            issues.append(MetadataIssue(f"{path}.{key}", f'"{key}" does not apply to {action.type} actions'
                                        f"{did_you_mean(key, keys)}", "not_applicable"))
    for key in REQUIRED_ACTION_KEYS.get(action.type, ()):
        if key not in action.params:
            issues.append(MetadataIssue(f"{path}.{key}", f'"{key}" is required for {action.type} actions',
                                        "required"))
    if action.when:
        issues.extend(check_expression_refs(action.when, obj, bundle, f"{path}.when"))
    check = _ACTION_CHECKS.get(action.type)
    if check is not None and not issues:
        issues.extend(check(action.params, obj, bundle, path))
    return issues


def _check_mapping(mapping: Any, target: "ObjectDef", obj: "ObjectDef", bundle: "MetadataBundle",
                   path: str) -> list[MetadataIssue]:
    """Keys are fields of ``target``; "=expr" values are expressions over the trigger record (``obj``)."""
    if not isinstance(mapping, Mapping) or not mapping:
        return [MetadataIssue(path, "must be an object of field → value (or \"=expression\")", "type")]
    issues: list[MetadataIssue] = []
    for key, value in mapping.items():
        if target.field(key) is None and key != "owner":
            issues.append(_unknown_field(f"{path}.{key}", key, target))
        if isinstance(value, str) and value.startswith("="):
            issues.extend(check_expression_refs(value[1:], obj, bundle, f"{path}.{key}"))
    return issues


def _target(name: Any, bundle: "MetadataBundle", path: str) -> tuple["ObjectDef | None", list[MetadataIssue]]:
    target = bundle.objects.get(name) if isinstance(name, str) else None
    if target is None:
        return None, [MetadataIssue(path, f'object "{name}" does not exist'
                                    f"{did_you_mean(str(name), list(bundle.objects))}", "unknown_object")]
    return target, []


def _check_set_field(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    return _check_mapping(p["fields"], obj, obj, bundle, f"{path}.fields")


def _check_create(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    target, issues = _target(p["object"], bundle, f"{path}.object")
    return issues or _check_mapping(p["fields"], target, obj, bundle, f"{path}.fields")  # type: ignore[arg-type]


def _check_related(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    if ("lookup" in p) == ("via" in p):
        return [MetadataIssue(path, 'name either "lookup" (a lookup field of this record: update the record it '
                              'points at) or "object" and "via" (records of another object pointing here)',
                              "invalid_action")]
    if "lookup" in p:
        f = obj.field(str(p["lookup"]))
        if f is None or f.type not in REFERENCE_TYPES:
            return [MetadataIssue(f"{path}.lookup", f'{obj.name} has no lookup field "{p["lookup"]}"'
                                  f"{did_you_mean(str(p['lookup']), obj.field_names)}", "unknown_field")]
        target = bundle.objects.get(f.target or "")
        return _check_mapping(p["fields"], target, obj, bundle, f"{path}.fields") if target else []
    target, issues = _target(p.get("object"), bundle, f"{path}.object")
    if target is None:
        return issues
    via = target.field(str(p["via"]))
    if via is None or via.type not in REFERENCE_TYPES or via.target != obj.name:
        return [MetadataIssue(f"{path}.via", f'{target.name} has no lookup field "{p["via"]}" pointing at '
                              f"{obj.name}{did_you_mean(str(p['via']), target.field_names)}", "unknown_field")]
    return _check_mapping(p["fields"], target, obj, bundle, f"{path}.fields")


def _check_assign(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    if ("role" in p) == ("user" in p):
        return [MetadataIssue(path, 'name either "role" (round-robin over its active users) or "user" (a user id '
                              'or an "=expression" giving one)', "invalid_action")]
    user = p.get("user")
    if isinstance(user, str) and user.startswith("="):
        return check_expression_refs(user[1:], obj, bundle, f"{path}.user")
    if "user" in p and (isinstance(user, bool) or not isinstance(user, int)):
        return [MetadataIssue(f"{path}.user", 'must be a user id or an "=expression"', "type")]
    return []


def _check_template(text: Any, obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    if not isinstance(text, str):
        return [MetadataIssue(path, "must be a text (a template with {{ record.field }} merge fields)", "type")]
    issues = []
    for match in _TEMPLATE_TAG.finditer(text):
        for head, name in _MERGE_FIELD.findall(match.group(1) or match.group(2) or ""):
            if head == "record" and obj.field(name) is None and name not in SYSTEM_COLUMNS:
                issues.append(MetadataIssue(path, f'the merge field "record.{name}" is not a field of {obj.name}'
                                            f"{did_you_mean(name, obj.field_names)}", "unknown_field"))
            elif head in ("owner", "manager") and name not in OWNER_ATTRIBUTES:
                issues.append(MetadataIssue(path, f'the merge field "{head}.{name}" is not one of '
                                            f"{', '.join(f'{head}.{a}' for a in OWNER_ATTRIBUTES)}"
                                            f"{did_you_mean(name, OWNER_ATTRIBUTES)}", "unknown_field"))
    return issues


def _check_email(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    issues = []
    recipients = p["to"] if isinstance(p["to"], (list, tuple)) else [p["to"]]
    for i, to in enumerate(recipients):
        where = f"{path}.to" if not isinstance(p["to"], (list, tuple)) else f"{path}.to[{i}]"
        if not isinstance(to, str):
            issues.append(MetadataIssue(where, "must be owner, owner.manager, an email address or an "
                                        '"=expression"', "type"))
        elif to.startswith("="):
            issues.extend(check_expression_refs(to[1:], obj, bundle, where))
        elif to not in ("owner", "owner.manager", "creator") and "@" not in to:
            issues.append(MetadataIssue(where, f'"{to}" is not a recipient: use owner, owner.manager, creator, an '
                                        'email address or an "=expression"', "invalid_recipient"))
    for key in ("subject", "body", "html"):
        if key in p:
            issues.extend(_check_template(p[key], obj, f"{path}.{key}"))
    return issues


def _check_webhook(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    url = p["url"]
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
        return [MetadataIssue(f"{path}.url", "must be an http:// or https:// address", "invalid_url")]
    return _check_template(p["body"], obj, f"{path}.body") if isinstance(p.get("body"), str) else []


def _check_run_script(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle",
                      path: str) -> list[MetadataIssue]:
    runnable = [s.name for s in obj.scripts if s.event in ("after_save", "api")]
    if p["script"] not in runnable:
        return [MetadataIssue(f"{path}.script", f'{obj.name} has no after_save or api script "{p["script"]}"'
                              f"{did_you_mean(str(p['script']), runnable)}", "unknown_script")]
    return []


def _check_notify(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    issues = []
    recipients = p["to"] if isinstance(p["to"], (list, tuple)) else [p["to"]]
    for i, to in enumerate(recipients):
        where = f"{path}.to" if not isinstance(p["to"], (list, tuple)) else f"{path}.to[{i}]"
        if isinstance(to, str) and to.startswith("="):
            issues.extend(check_expression_refs(to[1:], obj, bundle, where))
        elif isinstance(to, str) and to not in ("owner", "owner.manager", "creator") and not _ROLE_NAME.match(to):
            # A role's existence is checked at run time (objects are checked before roles are known).
            issues.append(MetadataIssue(where, f'"{to}" is not a recipient: use owner, owner.manager, creator, a role '
                                        'name, a user id or an "=expression"', "invalid_recipient"))
        elif not isinstance(to, str) and (isinstance(to, bool) or not isinstance(to, int)):
            issues.append(MetadataIssue(where, 'must be owner, owner.manager, a role, a user id or an "=expression"',
                                        "type"))
    if "link" in p and not isinstance(p["link"], bool):
        issues.append(MetadataIssue(f"{path}.link", "must be true or false", "type"))
    return issues + _check_template(p["message"], obj, f"{path}.message")


def _check_wait(p: Mapping[str, Any], obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    amount, unit = p["for"], p.get("unit", "days")
    issues = []
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= 36500:
        issues.append(MetadataIssue(f"{path}.for", "must be a whole number from 1 to 36500", "type"))
    if unit not in OFFSET_UNITS:
        issues.append(MetadataIssue(f"{path}.unit", f'"{unit}" is not a unit: use {", ".join(OFFSET_UNITS)}'
                                    f"{did_you_mean(str(unit), OFFSET_UNITS)}", "invalid_unit"))
    return issues


_ACTION_CHECKS = {"set_field": _check_set_field, "create_record": _check_create, "update_related": _check_related,
                  "assign_owner": _check_assign, "send_email": _check_email, "call_webhook": _check_webhook,
                  "run_script": _check_run_script, "notify": _check_notify, "wait": _check_wait}
