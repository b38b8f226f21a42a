"""Validation rules and server scripts as metadata, checked when the definition is saved.

A rule is an expression that must be true for a record to be saved
(``close_date >= today() or stage in ('Won', 'Lost')``), with the message and
the fields its error is attached to. A script is Python (run by the logic
layer's sandbox) bound to ``before_save``, ``after_save`` or ``api``. This
module is pure: syntax, forbidden constructs and unknown field names are
reported with JSON paths, line and column; running them is the platform's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from .errors import MetadataIssue
from .expressions import code_problem, references
from .names import SYSTEM_COLUMNS, did_you_mean

if TYPE_CHECKING:
    from .definitions import MetadataBundle, ObjectDef

RULE_WHEN = ("create", "update", "always")
SCRIPT_EVENTS = ("before_save", "after_save", "api")
REFERENCE_TYPES = ("lookup", "master_detail")


@dataclass(frozen=True)
class ValidationRuleDef:
    """``condition`` must be true, else ``message`` is reported on ``fields`` (or the record)."""

    name: str
    condition: str
    message: str
    fields: tuple[str, ...] = ()
    when: str = "always"
    active: bool = True
    #: The pack that added this item to another owner's object; None: the object's owner (docs/packs.md).
    owner: str | None = None

    def applies(self, operation: str) -> bool:
        return self.active and self.when in ("always", operation)


@dataclass(frozen=True)
class ScriptDef:
    """A server script: ``before_save`` may change the record or ``fail()``; ``after_save`` may
    create/update other records; ``api`` runs at ``POST /api/v1/scripts/<name>``."""

    name: str
    event: str
    code: str
    description: str = ""
    active: bool = True
    #: API scripts: roles whose holders may call it (admins always may; none listed: admins only).
    roles: tuple[str, ...] = ()


def rule_from_json(doc: Mapping[str, Any]) -> ValidationRuleDef:
    return ValidationRuleDef(name=doc["name"], condition=str(doc.get("condition", "")),
                             message=str(doc.get("message", "")), fields=tuple(doc.get("fields", ())),
                             when=doc.get("when", "always"), active=bool(doc.get("active", True)),
                             owner=doc.get("owner") or None)


def script_from_json(doc: Mapping[str, Any]) -> ScriptDef:
    return ScriptDef(name=doc["name"], event=str(doc.get("event", "")), code=str(doc.get("code", "")),
                     description=doc.get("description", ""), active=bool(doc.get("active", True)),
                     roles=tuple(r for r in doc.get("roles", ()) if isinstance(r, str)))


def check_expression_refs(source: str, obj: "ObjectDef", bundle: "MetadataBundle", path: str,
                          mode: str = "eval") -> list[MetadataIssue]:
    """Syntax, forbidden constructs and unknown names of one expression, at ``path``."""
    problem = code_problem(source, mode)
    if problem is not None:
        return [MetadataIssue(path, f"line {problem.line}, column {problem.column}: {problem.message}",
                              "syntax_error")]
    issues = []
    fields = {f.name: f for f in obj.fields}
    for chain in sorted(references(source)) if mode == "eval" else ():
        head = fields.get(chain[0])
        if head is None and chain[0] not in SYSTEM_COLUMNS:
            issues.append(MetadataIssue(path, f'refers to "{chain[0]}", which is not a field of {obj.name} '
                                        f"or a helper{did_you_mean(chain[0], fields)}", "unknown_field"))
        elif head is not None and len(chain) > 1 and head.type in REFERENCE_TYPES and head.target in bundle.objects:
            target = bundle.objects[head.target]
            if target.field(chain[1]) is None and chain[1] not in SYSTEM_COLUMNS:
                issues.append(MetadataIssue(path, f'refers to "{chain[0]}.{chain[1]}", but {target.name} has no '
                                            f'field "{chain[1]}"{did_you_mean(chain[1], target.field_names)}',
                                            "unknown_field"))
    return issues


def check_logic(obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    """Rules and scripts of one object: unique names, valid code, known fields, unique API names."""
    issues: list[MetadataIssue] = []
    fields = obj.field_names
    seen: set[str] = set()
    for i, rule in enumerate(obj.validation_rules):
        rpath = f"{path}.validation_rules[{i}]"
        if rule.name in seen:
            issues.append(MetadataIssue(f"{rpath}.name", f'the validation rule "{rule.name}" is defined twice'))
        seen.add(rule.name)
        issues.extend(check_expression_refs(rule.condition, obj, bundle, f"{rpath}.condition"))
        for j, name in enumerate(rule.fields):
            if name not in fields:
                issues.append(MetadataIssue(f"{rpath}.fields[{j}]", f'field "{name}" does not exist on '
                                            f"{obj.name}{did_you_mean(name, fields)}", "unknown_field"))
    seen = set()
    for i, script in enumerate(obj.scripts):
        spath = f"{path}.scripts[{i}]"
        if script.name in seen:
            issues.append(MetadataIssue(f"{spath}.name", f'the script "{script.name}" is defined twice'))
        seen.add(script.name)
        issues.extend(check_expression_refs(script.code, obj, bundle, f"{spath}.code", mode="exec"))
        if script.roles and script.event != "api":
            issues.append(MetadataIssue(f"{spath}.roles", "only API scripts have roles (who may call them); "
                                        f'a {script.event} script runs as whoever saves the record'))
        if script.event == "api":
            for other in bundle.objects.values():
                if other.name != obj.name and any(s.event == "api" and s.name == script.name for s in other.scripts):
                    issues.append(MetadataIssue(f"{spath}.name", f'an API script "{script.name}" is already '
                                                f"defined on {other.name}; API script names are global"))
    return issues
