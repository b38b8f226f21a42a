"""Layered metadata: a pack's definitions merged with what the admin changed.

A pack's *layer* is what one version of it defines, in canonical JSON with
owners left out: ``{"objects": {name: doc}, "extensions": {object: {kind:
{name: doc}}}, "roles": {name: doc}}``. Extensions are what it adds to objects
other packs own, by kind: ``fields`` and the named items of
:data:`ITEM_KINDS` (validation rules, workflows, list views, layouts), each
stamped with the extending pack as ``owner``. Installing merges the new layer over the live bundle; upgrading
is a three-way merge per property — installed layer (base), new layer
(theirs), live bundle (ours, with the admin's customisations):

- a property the new version did not change keeps the live value (so the
  admin's edit survives);
- a property the admin did not change takes the new version's value;
- a property both changed differently is a :class:`Conflict`: the live
  value is kept and the conflict reported, never silently overwritten.

An object's fields and named items merge name by name, so a pack's upgrade
and another pack's extension of the same object do not collide. Fields,
items and objects the admin added are never touched; items the pack drops
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
#: An object's named lists besides its fields that a pack may add to another pack's object
#: (``extensions/``); each item has a unique ``name`` and may carry an ``owner``.
ITEM_KINDS = ("validation_rules", "workflows", "list_views", "layouts")
#: Every named list of an object merged name by name.
OBJECT_LISTS = ("fields", *ITEM_KINDS)
#: How previews and messages name one entry of each list.
ITEM_LABELS = {"fields": "field", "validation_rules": "validation rule", "workflows": "workflow",
               "list_views": "list view", "layouts": "layout"}


def _owner_of(doc: Json, default: str = OWNER_ADMIN) -> str:
    return doc.get("owner") or default


def _strip(doc: Json) -> Json:
    return {k: v for k, v in doc.items() if k != "owner"}


def _strip_owner(doc: Json) -> Json:
    """A document without owners: its own and, on an object, those of its fields and named items."""
    out = _strip(doc)
    for kind in OBJECT_LISTS:  # an object's lists (a role's "fields" are permissions, a dict)
        if isinstance(out.get(kind), list):
            out[kind] = [_strip(i) if isinstance(i, dict) else i for i in out[kind]]
    return out


def _items(doc: Json | None, kind: str) -> list[Json]:
    """An object's entries of one named list (fields, validation rules, …); none when absent."""
    value = (doc or {}).get(kind)
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


def _by_name(doc: Json | None, kind: str) -> dict[str, Json]:
    return {i["name"]: i for i in _items(doc, kind) if isinstance(i.get("name"), str)}


def _is_extension_entry(entry: Any) -> bool:
    return isinstance(entry, dict) and set(entry) <= set(OBJECT_LISTS) and all(
        isinstance(v, dict) and all(isinstance(d, dict) for d in v.values()) for v in entry.values())


def normalise_layer(layer: Json) -> Json:
    """``layer`` in the current shape. Layers stored before extensions carried items kept an
    object's extension fields directly (``{object: {field: doc}}``); they become ``{"fields": ...}``."""
    out = {**empty_layer(), **layer}
    out["extensions"] = {obj: entry if _is_extension_entry(entry) else {"fields": dict(entry)}
                         for obj, entry in (layer.get("extensions") or {}).items()}
    return out


def extract_layer(bundle: Json, owner: str) -> Json:
    """The items of ``bundle`` owned exactly by ``owner`` (one pack version), owners stripped."""
    layer = empty_layer()
    for obj in bundle.get("objects", []):
        obj_owner = _owner_of(obj)
        mine = {kind: [i for i in _items(obj, kind) if _owner_of(i, obj_owner) == owner]
                for kind in OBJECT_LISTS if kind in obj}
        if obj_owner == owner:
            layer["objects"][obj["name"]] = _strip_owner({**obj, **mine})
            continue
        extension = {kind: {i["name"]: _strip(i) for i in items} for kind, items in mine.items() if items}
        if extension:
            layer["extensions"][obj["name"]] = extension
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
        for kind in OBJECT_LISTS:
            out.extend(f"{ITEM_LABELS[kind]} {obj['name']}.{i['name']}" for i in _items(obj, kind)
                       if _owner_of(i, _owner_of(obj)).startswith(prefix))
    for kind in NAMED_KINDS:
        out.extend(f"{kind[:-1]} {r['name']}" for r in bundle.get(kind, []) if _owner_of(r).startswith(prefix))
    return out


def remove_layer(bundle: Json, prefix: str) -> Json:
    """``bundle`` without anything a pack owns (any version): its objects, the fields and items
    it added to other objects, its roles, reports and dashboards."""
    out = copy.deepcopy(bundle)
    objects = []
    for obj in out.get("objects", []):
        obj_owner = _owner_of(obj)
        if obj_owner.startswith(prefix):
            continue
        for kind in OBJECT_LISTS:
            if isinstance(obj.get(kind), list):
                obj[kind] = [i for i in obj[kind]
                             if not (isinstance(i, dict) and _owner_of(i, obj_owner).startswith(prefix))]
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
    old, new = normalise_layer(old), normalise_layer(new)
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
        old_ext, new_ext = old["extensions"].get(target, {}), new["extensions"].get(target, {})
        if obj is None:
            if any(new_ext.values()):
                merger.problems.append(f'extends object "{target}", which does not exist')
            continue
        for kind in OBJECT_LISTS:
            if old_ext.get(kind) or new_ext.get(kind):
                obj[kind] = merger.named(f'objects["{target}"]', kind, _owner_of(obj), _items(obj, kind),
                                         old_ext.get(kind, {}), new_ext.get(kind, {}), explicit_owner=True)
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
        for kind in OBJECT_LISTS:  # name by name: other packs' extensions and the admin's items stay
            if kind in live or kind in new:
                merged[kind] = self.named(path, kind, self.owner, _items(live, kind), _by_name(old, kind),
                                          _by_name(new, kind), explicit_owner=False)
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
        props = _object_props if kind == "object" else _props
        if old is None or live is None:
            if live is None and old is not None:
                if props(old) != props(new):
                    self.conflict(path, "was removed by an admin; the new version's changes were not applied")
                return None
            if live is not None:  # installed before by this pack but missing from the stored layer
                return {**live, "owner": self.owner}
            self.result.changes.append(f"add {kind} {new['name']}")
            doc = copy.deepcopy(new)
            doc["owner"] = self.owner
            return doc
        merged = _merge3(props(old), props(new), props(live), path, self)
        if merged != props(live):
            self.result.changes.append(f"change {kind} {live['name']}")
        out = {**merged, "owner": self.owner}
        if kind == "object":
            out.update({k: live[k] for k in OBJECT_LISTS if isinstance(live.get(k), list)})
        return out

    def named(self, path: str, kind: str, obj_owner: str, live_items: list[Json], old: dict[str, Json],
              new: dict[str, Json], *, explicit_owner: bool) -> list[Json]:
        """Merge one named list of an object (``kind``: fields, validation_rules, …) name by name.

        ``explicit_owner`` for extensions of another owner's object: each item
        the pack keeps is stamped with the pack's owner, since an item without
        one belongs to its object's owner. A name someone else holds is a
        conflict for fields (as before) and a :class:`LayerError` for items.
        """
        label = ITEM_LABELS[kind]
        props = _props if kind == "fields" else _strip
        out = {i["name"]: copy.deepcopy(i) for i in live_items}
        for name in _names(new, old):
            ipath = f'{path}.{kind}["{name}"]'
            i_old, i_new, i_live = old.get(name), new.get(name), out.get(name)
            if i_live is not None and not _owner_of(i_live, obj_owner).startswith(self.prefix):
                if i_old is None and i_new is not None:
                    holder = _owner_of(i_live, obj_owner)
                    if kind == "fields":
                        self.conflict(ipath, f"a field of that name already exists (owned by {holder}); "
                                             "the pack's field was not added")
                    else:
                        self.problems.append(f'{label} "{name}" already exists on {path} (owned by {holder})')
                elif i_old is not None and i_new is not None and props(i_old) != props(i_new):
                    self.conflict(ipath, f"was taken over by {_owner_of(i_live, obj_owner)}; the pack's changes "
                                         "were not applied")
                continue
            if i_new is None:
                if i_live is None:
                    continue
                if i_old is not None and props(i_live) != props(i_old):
                    self.conflict(ipath, f"the new version removes this {label}, but an admin changed it; kept")
                    continue
                self.result.changes.append(f"remove {label} {path}.{name}")
                del out[name]
                continue
            if i_old is None:
                if i_live is None:
                    self.result.changes.append(f"add {label} {ipath}")
                merged = props(i_new)
            elif i_live is None:
                if props(i_old) != props(i_new):
                    self.conflict(ipath, "was removed by an admin; the new version's changes were not applied")
                continue
            else:
                merged = _merge3(props(i_old), props(i_new), props(i_live), ipath, self)
            if explicit_owner or obj_owner != self.owner:
                merged["owner"] = self.owner
            out[name] = merged
        return list(out.values())


def _props(doc: Json) -> Json:
    """What is merged property by property: all but the owner and an object's field list."""
    return {k: v for k, v in doc.items() if k != "owner" and not (k == "fields" and isinstance(v, list))}


def _object_props(doc: Json) -> Json:
    """An object's own settings: its fields and named items merge name by name instead."""
    return {k: v for k, v in _props(doc).items() if not (k in OBJECT_LISTS and isinstance(v, list))}


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
