"""Rename hints for a rollback, recovered from the versions being undone.

``renamed_from`` hints are not part of a definition, so diffing the current
bundle against an old one would see a renamed field as "removed + added"
and archive its data instead of renaming it back. The history's rename
operations say what happened; replaying them forward tells, for every name
in the target version, what it is called now.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .definitions import MetadataBundle
from .loader import RenameHints


def rollback_hints(target: MetadataBundle, diffs_oldest_first: Iterable[list[Mapping[str, Any]]]) -> RenameHints:
    objects = {name: name for name in target.objects}  # target name -> current name
    fields = {(o.name, f.name): f.name for o in target.objects.values() for f in o.fields}  # -> current field
    for diff in diffs_oldest_first:
        for op in diff:
            source = op.get("from")
            if not source:
                continue
            if op["kind"] == "rename_object":
                for name, current in objects.items():
                    if current == source:
                        objects[name] = op["object"]
            elif op["kind"] == "rename_field":
                for (obj, fname), current in fields.items():
                    if objects[obj] == op["object"] and current == source:
                        fields[(obj, fname)] = op["field"]
    return RenameHints(
        objects={name: current for name, current in objects.items() if current != name},
        fields={(obj, fname): current for (obj, fname), current in fields.items() if current != fname},
    )
