"""Layered metadata: a pack's definitions merged with what the admin changed.

A pack's *layer* is what one version of it defines, in canonical JSON with
owners left out: ``{"objects": {name: doc}, "extensions": {object: {field: doc}},
"roles": {name: doc}}`` (extensions are the fields it adds to objects other
packs own). Installing merges the new layer over the live bundle; upgrading
is a three-way merge per property — installed layer (base), new layer
(theirs), live bundle (ours, with the admin's customisations):

- a property the new version did not change keeps the live value (so the
  admin's edit survives);
- a property the admin did not change takes the new version's value;
- a property both changed differently is a :class:`Conflict`: the live
  value is kept and the conflict reported, never silently overwritten.

Fields and objects the admin added are never touched; items the pack drops
are removed only when the admin did not change them. Pure: JSON in, JSON
out, so every rule is unit-tested without a database (frappe's "custom
fields then property setters" and EspoCRM's core → module → custom layering
are the models).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Iterable

from .definitions import OWNER_ADMIN

Json = dict[str, Any]
_MISSING: Any = object()


@dataclass(frozen=True)
class Conflict:
    """A property both the admin and the new pack version changed; the admin's value was kept."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class MergeResult:
    bundle: Json
    conflicts: list[Conflict] = field(default_factory=list)
    #: Items the new version adds, changes or removes, for the preview.
    changes: list[str] = field(default_factory=list)


class LayerError(ValueError):
    """The pack cannot be merged at all (a name it defines is already taken)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def empty_layer() -> Json:
    return {"objects": {}, "extensions": {}, "roles": {}, "reports": {}, "dashboards": {}}


#: Bundle-level kinds a pack may own besides objects, merged item by item like roles.
NAMED_KINDS = ("roles", "reports", "dashboards")


def _owner_of(doc: Json, default: str = OWNER_ADMIN) -> str:
    return doc.get("owner") or default


def _strip_owner(doc: Json) -> Json:
    out = {k: v for k, v in doc.items() if k != "owner"}
    if isinstance(out.get("fields"), list):  # an object's fields (a role's "fields" are permissions)
        out["fields"] = [{k: v for k, v in f.items() if k != "owner"} for f in out["fields"]]
    return out


def extract_layer(bundle: Json, owner: str) -> Json:
    """The items of ``bundle`` owned exactly by ``owner`` (one pack version), owners stripped."""
    layer = empty_layer()
    for obj in bundle.get("objects", []):
        obj_owner = _owner_of(obj)
        if obj_owner == owner:
            mine = [f for f in obj["fields"] if _owner_of(f, obj_owner) == owner]
            layer["objects"][obj["name"]] = _strip_owner({**obj, "fields": mine})
            continue
        for f in obj["fields"]:
            if _owner_of(f, obj_owner) == owner:
                layer["extensions"].setdefault(obj["name"], {})[f["name"]] = _strip_owner(f)
    for kind in NAMED_KINDS:
        for item in bundle.get(kind, []):
            if _owner_of(item) == owner:
                layer[kind][item["name"]] = _strip_owner(item)
    return layer


def owned_items(bundle: Json, prefix: str) -> list[str]:
    """What any version of a pack owns in ``bundle``, as readable names (for uninstall previews)."""
    out: list[str] = []
    for obj in bundle.get("objects", []):
        if _owner_of(obj).startswith(prefix):
            out.append(f"object {obj['name']}")
            continue
        out.extend(f"field {obj['name']}.{f['name']}" for f in obj["fields"]
                   if _owner_of(f, _owner_of(obj)).startswith(prefix))
    for kind in NAMED_KINDS:
        out.extend(f"{kind[:-1]} {r['name']}" for r in bundle.get(kind, []) if _owner_of(r).startswith(prefix))
    return out


def remove_layer(bundle: Json, prefix: str) -> Json:
    """``bundle`` without anything a pack owns (any version): its objects, extension fields and roles."""
    out = copy.deepcopy(bundle)
    objects = []
    for obj in out.get("objects", []):
        obj_owner = _owner_of(obj)
        if obj_owner.startswith(prefix):
            continue
        obj["fields"] = [f for f in obj["fields"] if not _owner_of(f, obj_owner).startswith(prefix)]
        objects.append(obj)
    out["objects"] = objects
    for kind in NAMED_KINDS:
        if kind in out:
            out[kind] = [r for r in out[kind] if not _owner_of(r).startswith(prefix)]
    return out


def merge_layer(live: Json, old: Json, new: Json, *, owner: str, prefix: str) -> MergeResult:
    """Merge layer ``new`` over ``live``, where ``old`` is the layer installed before (empty on install).

    ``owner`` is the new version's owner string; ``prefix`` matches every
    version of the pack (``pack:NAME@``), so items the pack still owns are
    restamped with ``owner``. Raises :class:`LayerError` when a name the
    pack adds is already taken by someone else.
    """
    result = MergeResult(copy.deepcopy(live))
    merger = _Merger(result, owner, prefix)
    objects = {o["name"]: o for o in result.bundle.get("objects", [])}
    order = list(objects)
    for name in _names(new["objects"], old["objects"]):
        merged = merger.object(name, old["objects"].get(name), new["objects"].get(name), objects.get(name))
        if merged is None:
            objects.pop(name, None)
        else:
            if name not in objects:
                order.append(name)
            objects[name] = merged
    for target in _names(new["extensions"], old["extensions"]):
        obj = objects.get(target)
        if obj is None:
            if new["extensions"].get(target):
                merger.problems.append(f'extends object "{target}", which does not exist')
            continue
        obj_owner = _owner_of(obj)
        obj["fields"] = merger.fields(f'objects["{target}"]', obj_owner, obj["fields"],
                                      old["extensions"].get(target, {}), new["extensions"].get(target, {}),
                                      explicit_owner=True)
    named: dict[str, tuple[dict[str, Json], list[str]]] = {}
    for kind in NAMED_KINDS:  # roles, reports, dashboards: one item per name
        items = {r["name"]: r for r in result.bundle.get(kind, [])}
        item_order = list(items)
        old_items, new_items = old.get(kind, {}), new.get(kind, {})
        for name in _names(new_items, old_items):
            merged = merger.item(f'{kind}["{name}"]', kind[:-1], old_items.get(name), new_items.get(name),
                                 items.get(name))
            if merged is None:
                items.pop(name, None)
            else:
                if name not in items:
                    item_order.append(name)
                items[name] = merged
        named[kind] = (items, item_order)
    if merger.problems:
        raise LayerError(merger.problems)
    result.bundle["objects"] = [objects[n] for n in order if n in objects]
    for kind, (items, item_order) in named.items():
        if items or kind in result.bundle:
            result.bundle[kind] = [items[n] for n in item_order if n in items]
    return result


def _names(*layers: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(n for layer in layers for n in layer))


class _Merger:
    def __init__(self, result: MergeResult, owner: str, prefix: str):
        self.result = result
        self.owner = owner
        self.prefix = prefix
        self.problems: list[str] = []

    def conflict(self, path: str, message: str) -> None:
        self.result.conflicts.append(Conflict(path, message))

    def object(self, name: str, old: Json | None, new: Json | None, live: Json | None) -> Json | None:
        path = f'objects["{name}"]'
        merged = self.item(path, "object", old, new, live)
        if merged is None or new is None or live is None or not _owner_of(live).startswith(self.prefix):
            return merged  # removed, added whole, or someone else's (left as it is)
        old_fields = {f["name"]: f for f in old["fields"]} if old else {}
        merged["fields"] = self.fields(path, self.owner, live["fields"], old_fields,
                                       {f["name"]: f for f in new["fields"]}, explicit_owner=False)
        return merged

    def item(self, path: str, kind: str, old: Json | None, new: Json | None, live: Json | None) -> Json | None:
        """One object's settings (fields apart) or one role: returns the merged doc, or None to remove it."""
        if live is not None and not _owner_of(live).startswith(self.prefix):
            if old is None and new is not None:
                self.problems.append(f'{kind} "{new["name"]}" already exists (owned by {_owner_of(live)})')
            elif new is not None:
                self.conflict(path, f"was taken over by {_owner_of(live)}; the pack's changes were not applied")
            return live
        if new is None:
            if live is not None:
                self.result.changes.append(f"remove {kind} {live['name']}")
            return None
        if old is None or live is None:
            if live is None and old is not None:
                if _props(old) != _props(new):
                    self.conflict(path, "was removed by an admin; the new version's changes were not applied")
                return None
            if live is not None:  # installed before by this pack but missing from the stored layer
                return {**live, "owner": self.owner}
            self.result.changes.append(f"add {kind} {new['name']}")
            doc = copy.deepcopy(new)
            doc["owner"] = self.owner
            return doc
        merged = _merge3(_props(old), _props(new), _props(live), path, self)
        if merged != _props(live):
            self.result.changes.append(f"change {kind} {live['name']}")
        out = {**merged, "owner": self.owner}
        if isinstance(live.get("fields"), list):
            out["fields"] = live["fields"]
        return out

    def fields(self, path: str, obj_owner: str, live_fields: list[Json], old: dict[str, Json],
               new: dict[str, Json], *, explicit_owner: bool) -> list[Json]:
        """Merge one object's pack fields; ``explicit_owner`` for extension fields on another owner's object."""
        out = {f["name"]: copy.deepcopy(f) for f in live_fields}
        parent_owner = obj_owner
        for fname in _names(new, old):
            fpath = f'{path}.fields["{fname}"]'
            f_old, f_new, f_live = old.get(fname), new.get(fname), out.get(fname)
            if f_live is not None and not _owner_of(f_live, parent_owner).startswith(self.prefix):
                if f_old is None and f_new is not None:
                    self.conflict(fpath, f"a field of that name already exists (owned by "
                                         f"{_owner_of(f_live, parent_owner)}); the pack's field was not added")
                continue
            if f_new is None:
                if f_live is None:
                    continue
                if f_old is not None and _props(f_live) != _props(f_old):
                    self.conflict(fpath, "the new version removes this field, but an admin changed it; kept")
                    continue
                self.result.changes.append(f"remove field {path}.{fname}")
                del out[fname]
                continue
            if f_old is None:
                if f_live is None:
                    self.result.changes.append(f"add field {fpath}")
                merged = _props(f_new)
            elif f_live is None:
                if _props(f_old) != _props(f_new):
                    self.conflict(fpath, "was removed by an admin; the new version's changes were not applied")
                continue
            else:
                merged = _merge3(_props(f_old), _props(f_new), _props(f_live), fpath, self)
            if explicit_owner or parent_owner != self.owner:
                merged["owner"] = self.owner
            out[fname] = merged
        return list(out.values())


def _props(doc: Json) -> Json:
    """What is merged property by property: all but the owner and an object's field list."""
    return {k: v for k, v in doc.items() if k != "owner" and not (k == "fields" and isinstance(v, list))}


def _merge3(old: Any, new: Any, live: Any, path: str, merger: _Merger) -> Any:
    if new == old:
        return live
    if live == old or live == new:
        return new
    if isinstance(old, dict) and isinstance(new, dict) and isinstance(live, dict):
        out: Json = {}
        for key in _names(live, new, old):
            value = _merge3(old.get(key, _MISSING), new.get(key, _MISSING), live.get(key, _MISSING),
                            f"{path}.{key}", merger)
            if value is not _MISSING:
                out[key] = value
        return out
    merger.conflict(path, f"changed by an admin to {_show(live)} and by the new version to {_show(new)}; "
                          "the admin's value was kept")
    return live


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(removed)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
