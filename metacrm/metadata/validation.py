"""JSON Schema validation of definitions, with errors a non-programmer can act on.

The schemas in ``schemas/`` are the contract (draft 2020-12); this module
loads them into one ``referencing`` registry and turns jsonschema's errors
into :class:`MetadataIssue` sentences with JSON paths and "did you mean".
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from .errors import MetadataIssue, json_path
from .names import did_you_mean

SCHEMA_IDS = {
    "common": "urn:metacrm:schema:common",
    "field": "urn:metacrm:schema:field",
    "object": "urn:metacrm:schema:object",
    "role": "urn:metacrm:schema:role",
    "sharing_rule": "urn:metacrm:schema:sharing_rule",
    "list_view": "urn:metacrm:schema:list_view",
    "layout": "urn:metacrm:schema:layout",
    "validation_rule": "urn:metacrm:schema:validation_rule",
    "script": "urn:metacrm:schema:script",
    "workflow": "urn:metacrm:schema:workflow",
    "conversion": "urn:metacrm:schema:conversion",
    "state_machine": "urn:metacrm:schema:state_machine",
    "approval_process": "urn:metacrm:schema:approval_process",
    "public_form": "urn:metacrm:schema:public_form",
    "record_page": "urn:metacrm:schema:record_page",
    "report": "urn:metacrm:schema:report",
    "dashboard": "urn:metacrm:schema:dashboard",
    "bundle": "urn:metacrm:schema:bundle",
}


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema document for one kind of definition, as shipped."""
    text = resources.files("metacrm.metadata").joinpath("schemas", f"{kind}.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def registry() -> Registry:
    resources_ = [(SCHEMA_IDS[k], Resource.from_contents(load_schema(k))) for k in SCHEMA_IDS]
    return Registry().with_resources(resources_)


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry())


def schema_issues(document: Any, kind: str, prefix: str = "") -> list[MetadataIssue]:
    """Every JSON Schema violation in ``document``, as plain sentences.

    A bundle's objects are validated one by one and remembered by content: installing or
    upgrading a pack re-validates the same object documents several times (its layer, the
    merged bundle, the plan), and validation was most of an install's time.
    """
    if kind == "bundle" and isinstance(document, dict) and isinstance(document.get("objects"), list):
        issues = list(_remembered("bundle", prefix, {**document, "objects": []}))
        for index, obj in enumerate(document["objects"]):
            issues.extend(_remembered("object", f"{prefix}.objects[{index}]" if prefix else f"objects[{index}]", obj))
    else:
        issues = list(_remembered(kind, prefix, document))
    unique = {(i.path, i.message): i for i in issues}
    return sorted(unique.values(), key=lambda i: i.path)


def _remembered(kind: str, prefix: str, document: Any) -> tuple[MetadataIssue, ...]:
    try:
        text = json.dumps(document, sort_keys=True)
    except (TypeError, ValueError):  # not JSON at all (a set, an object): validated as it is
        return _validate(kind, prefix, document)
    return _validate_text(kind, prefix, text)


@lru_cache(maxsize=2048)
def _validate_text(kind: str, prefix: str, text: str) -> tuple[MetadataIssue, ...]:
    return _validate(kind, prefix, json.loads(text))


def _validate(kind: str, prefix: str, document: Any) -> tuple[MetadataIssue, ...]:
    return tuple(_issue(err, prefix) for err in _leaf_errors(validator(kind).iter_errors(document)))


def _leaf_errors(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Descend into anyOf/oneOf so the message names the precise problem."""
    for err in errors:
        if err.validator in ("anyOf", "oneOf") and err.context:
            # Prefer the branch that matched the instance's JSON type.
            same_type = [e for e in err.context if e.validator != "type"]
            yield from (same_type[:1] if same_type else [err])
        else:
            yield err


def _issue(err: ValidationError, prefix: str) -> MetadataIssue:
    path = json_path(list(err.absolute_path), prefix)
    custom = err.schema.get("x-message") if isinstance(err.schema, dict) else None
    kind = err.validator
    value = err.instance
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return MetadataIssue(path, f'"{missing}" is required here', "required")
    if kind == "additionalProperties":
        allowed = list((err.schema.get("properties") or {}).keys())
        extras = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        parts = [f'unknown property "{k}"{did_you_mean(k, allowed)}' for k in extras]
        return MetadataIssue(path, "; ".join(parts) or err.message, "unknown_property")
    if custom:
        return MetadataIssue(path, f"{_show(value)} {custom}".strip(), kind)
    if kind == "enum":
        options = [str(o) for o in err.validator_value]
        return MetadataIssue(
            path, f"{_show(value)} is not one of: {', '.join(options)}{did_you_mean(str(value), options)}", "enum"
        )
    if kind == "type":
        expected = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        return MetadataIssue(path, f"must be {_article(expected)} {expected}, not {_json_kind(value)}", "type")
    if kind in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
        word = {"minLength": "at least {} characters long", "maxLength": "at most {} characters long",
                "minimum": "at least {}", "maximum": "at most {}", "minItems": "a list of at least {} items",
                "maxItems": "a list of at most {} items"}[kind]
        return MetadataIssue(path, f"must be {word.format(err.validator_value)}", kind)
    if kind == "uniqueItems":
        return MetadataIssue(path, "must not list the same item twice", kind)
    if kind == "const":
        return MetadataIssue(path, f"must be {_show(err.validator_value)}", kind)
    return MetadataIssue(path, err.message, str(kind))


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a text", bool: "true/false", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
