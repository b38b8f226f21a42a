"""An admin's own customisations as a pack: the consultant's delivery format.

What the admin owns in the live metadata (owner not ``pack:*``) becomes a pack
folder: objects with their layouts, views, rules and workflows
(``objects/``), what the admin added to other packs' objects — fields,
validation rules, workflows, list views and layouts (``extensions/``) — roles,
reports and dashboards. ``requires`` names every
installed pack whose objects the exported definitions extend or reference
(lookup targets, role permissions), as ``>=`` the installed version. The
result is read back with the pack reader before it is handed out, so an
export that would not install elsewhere fails here, naming the file.

An item the admin added inside a pack's object carries no owner (the admin UI
writes none), so it is told from the pack's own items by the pack's installed
layer: a name that layer does not define is the admin's
(:func:`claim_admin_items`). Edits an admin made to a pack's own items (a
relabelled pack object, a changed rule of the pack) stay out: a pack only
adds to another pack's objects, it does not patch them. The building is pure
(:func:`build_files`); only :func:`write` touches the file system.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from metacrm.metadata.definitions import OWNER_ADMIN
from metacrm.metadata.errors import MetadataError, MetadataIssue
from metacrm.metadata.layering import ITEM_KINDS, NAMED_KINDS, OBJECT_LISTS, extract_layer, normalise_layer
from metacrm.metadata.packs import load_manifest

from .source import invalid_pack, read_pack

Json = dict[str, Any]


def _pack_of(owner: str | None) -> str | None:
    """``pack:base_crm@1.2.0`` → ``base_crm``; admin-owned → None."""
    if not owner or not owner.startswith("pack:"):
        return None
    return owner[len("pack:"):].partition("@")[0]


def _targets(doc: Json) -> set[str]:
    """The objects an object's fields point at (lookups, master-detail, polymorphic)."""
    found: set[str] = set()
    for f in doc.get("fields", []):
        if isinstance(f.get("target"), str):
            found.add(f["target"])
        found.update(t for t in f.get("targets") or () if isinstance(t, str))
    return found


def claim_admin_items(bundle: Json, pack_layers: Mapping[str, Json]) -> Json:
    """``bundle`` with the admin's items on packs' objects marked ``owner: "admin"``.

    ``pack_layers``: installed pack name → its stored layer. An item without
    an owner on a pack's object belongs to that pack only if the pack's layer
    defines it; otherwise an admin added it. Objects whose pack's layer is
    unknown are left as they are (nothing is claimed on a guess).
    """
    out = {**bundle, "objects": []}
    for obj in bundle.get("objects", []):
        pack = _pack_of(obj.get("owner"))
        layer = normalise_layer(pack_layers[pack]) if pack in pack_layers else None
        own = (layer or {}).get("objects", {}).get(obj["name"])
        if own is None:
            out["objects"].append(obj)
            continue
        obj = dict(obj)
        for kind in ITEM_KINDS:
            if isinstance(obj.get(kind), list):
                defined = {i.get("name") for i in own.get(kind) or () if isinstance(i, dict)}
                obj[kind] = [{**i, "owner": OWNER_ADMIN} if isinstance(i, dict) and not i.get("owner")
                             and i.get("name") not in defined else i for i in obj[kind]]
        out["objects"].append(obj)
    return out


def _extension_doc(obj_name: str, extension: Mapping[str, Mapping[str, Json]]) -> Json:
    """``extensions/<object>.json``: the admin's fields and items on another pack's object."""
    doc: Json = {"object": obj_name}
    for kind in OBJECT_LISTS:
        if extension.get(kind):
            doc[kind] = list(extension[kind].values())
    return doc


def build_files(bundle: Json, installed: Mapping[str, str], *, name: str, version: str, label: str = "",
                description: str = "", objects: Iterable[str] | None = None,
                roles: Iterable[str] | None = None, pack_layers: Mapping[str, Json] | None = None
                ) -> dict[str, Json]:
    """The pack's files (relative path → JSON document) from the live ``bundle``.

    ``installed``: pack name → installed version; ``pack_layers``: pack name →
    its stored layer, to tell the admin's items on packs' objects from the
    packs' own (:func:`claim_admin_items`). ``objects``/``roles`` choose
    what to include (None: everything the admin owns); a chosen object that
    the admin does not own exports only what the admin added to it.
    """
    layer = extract_layer(claim_admin_items(bundle, pack_layers or {}), OWNER_ADMIN)
    wanted_objects = None if objects is None else set(objects)
    wanted_roles = None if roles is None else set(roles)
    object_pack = {o["name"]: _pack_of(o.get("owner")) for o in bundle.get("objects", [])}
    unknown = sorted((wanted_objects or set()) - set(layer["objects"]) - set(layer["extensions"]))
    unknown += sorted((wanted_roles or set()) - set(layer["roles"]))
    if unknown:
        raise invalid_pack([MetadataIssue("export", f'"{n}" is not an object, extended object or role the admin '
                                          "owns", "unknown_item") for n in unknown], "Nothing to export by that name")
    files: dict[str, Json] = {}
    referenced: set[str] = set()
    for obj_name, doc in sorted(layer["objects"].items()):
        if wanted_objects is None or obj_name in wanted_objects:
            files[f"objects/{obj_name}.json"] = doc
            referenced |= _targets(doc)
    for obj_name, extension in sorted(layer["extensions"].items()):
        if wanted_objects is None or obj_name in wanted_objects:
            doc = _extension_doc(obj_name, extension)
            files[f"extensions/{obj_name}.json"] = doc
            referenced |= {obj_name} | _targets(doc)
    for kind in NAMED_KINDS:
        for item_name, doc in sorted(layer[kind].items()):
            if kind == "roles" and wanted_roles is not None and item_name not in wanted_roles:
                continue
            if kind != "roles" and wanted_objects is not None:
                continue  # reports and dashboards come with a full export only
            files[f"{kind}/{item_name}.json"] = doc
            if kind == "roles":
                referenced |= set(doc.get("objects") or {})
    if not files:
        raise invalid_pack([MetadataIssue("export", "the admin owns nothing to export (objects, fields and "
                                          "items added to packs' objects, roles)", "empty")], "Nothing to export")
    requires = {}
    for obj_name in sorted(referenced):
        pack = object_pack.get(obj_name)
        if pack and pack != name and pack in installed:
            requires[pack] = f">={installed[pack]}"
    manifest = {"name": name, "label": label or name.replace("_", " ").capitalize(), "version": version,
                **({"description": description} if description else {}), **({"requires": requires} if requires else {})}
    try:
        load_manifest(manifest)
    except MetadataError as exc:
        raise invalid_pack(list(exc.issues), "The pack's name or version is invalid") from None
    return {"pack.json": manifest, **files}


def write(files: Mapping[str, Json], out: Path) -> Path:
    """Write the pack to folder ``out`` (or ``out`` as a .zip) after reading it back with the pack reader."""
    with tempfile.TemporaryDirectory(prefix="metacrm-export-") as tmp:
        root = Path(tmp) / files["pack.json"]["name"]
        _write_folder(files, root)
        read_pack(root, location=str(out))  # raises with the file names if it would not install
        if out.suffix == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                for rel in sorted(files):
                    archive.write(root / rel, f"{root.name}/{rel}")
            return out
    _write_folder(files, out)
    return out


def _write_folder(files: Mapping[str, Json], root: Path) -> None:
    for rel, doc in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def zip_bytes(files: Mapping[str, Json]) -> bytes:
    """The pack as a .zip in memory (the admin page's download)."""
    with tempfile.TemporaryDirectory(prefix="metacrm-export-") as tmp:
        out = Path(tmp) / f"{files['pack.json']['name']}.zip"
        write(files, out)
        return out.read_bytes()
