"""Reading a pack from a folder or a .zip, validated before anything is applied.

A pack is ``pack.json`` plus ``objects/*.json`` (one object each),
``extensions/*.json`` (``{"object": ..., "fields": [...], "validation_rules": [...],
"workflows": [...], "list_views": [...], "layouts": [...]}``: what it adds to an
object another pack owns), ``roles/*.json`` (one role each) and ``demo/*.json``
(``{"object": ..., "records": [{"_id": ..., ...}]}``, loaded in file-name order).
Every problem is reported with the file it is in, all at once.

Zips are untrusted: every member name is checked before one byte is
extracted (no absolute paths, no ``..``, no links, bounded size), so a
crafted archive cannot write outside its temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from metacrm.metadata.errors import MetadataError, MetadataIssue
from metacrm.metadata.layering import OBJECT_LISTS
from metacrm.metadata.packs import PackManifest, load_manifest

from ..errors import NotFound, Unprocessable

#: Where the packs shipped with MetaCRM live; ``metacrm pack install base_crm`` finds them by name.
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "vertical_packs"
MAX_ZIP_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000


@dataclass(frozen=True)
class DemoFile:
    path: str  # relative, for messages: "demo/10_accounts.json"
    object: str
    records: list[dict[str, Any]]


@dataclass(frozen=True)
class PackSource:
    """One pack version read from disk: its manifest, definitions (with the file each came from) and demo data."""

    manifest: PackManifest
    location: str
    objects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    extensions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    roles: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    demo: list[DemoFile] = field(default_factory=list)
    #: ``reports/*.json`` and ``dashboards/*.json``, one definition each (docs/reports.md).
    reports: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    dashboards: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def has_demo(self) -> bool:
        return bool(self.demo)


def invalid_pack(issues: list[MetadataIssue], title: str = "The pack is invalid") -> Unprocessable:
    return Unprocessable(title, errors=[i.to_json() for i in issues])


#: Folders of packs added by plugins (``ctx.add_pack_folder``), searched after the built-in folder.
_PLUGIN_DIRS: list[Path] = []


def add_pack_folder(path: Path) -> None:
    if path not in _PLUGIN_DIRS:
        _PLUGIN_DIRS.append(path)


def pack_dirs() -> list[Path]:
    return [BUILTIN_DIR, *_PLUGIN_DIRS]


def builtin_packs() -> list[Path]:
    """The packs found by name: shipped with MetaCRM, then those plugins bring (first name wins)."""
    found: dict[str, Path] = {}
    for folder in pack_dirs():
        for manifest in sorted(folder.glob("*/pack.json")):
            found.setdefault(manifest.parent.name, manifest.parent)
    return sorted(found.values(), key=lambda p: p.name)


@contextlib.contextmanager
def open_pack(name_or_path: str) -> Iterator[PackSource]:
    """The pack named by a built-in name, a folder or a .zip (extracted to a temporary folder meanwhile)."""
    path = Path(name_or_path)
    if not path.exists():
        path = next((p for p in builtin_packs() if p.name == name_or_path), path)
    if path.is_dir():
        yield read_pack(path, location=str(path))
        return
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="metacrm-pack-") as tmp:
            root = extract_zip(path, Path(tmp))
            yield read_pack(root, location=str(path))
        return
    if path.is_file():
        raise Unprocessable(f"{name_or_path} is neither a pack folder nor a .zip file")
    known = ", ".join(p.name for p in builtin_packs()) or "none"
    raise NotFound(f'no pack "{name_or_path}": not a folder, a .zip or a built-in pack (built-in: {known})')


def extract_zip(archive: Path, dest: Path) -> Path:
    """Extract a pack archive safely; returns the folder holding ``pack.json``."""
    problems: list[MetadataIssue] = []
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            problems.append(MetadataIssue(archive.name, f"holds more than {MAX_ZIP_MEMBERS} files"))
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            problems.append(MetadataIssue(archive.name, f"unpacks to more than {MAX_ZIP_BYTES // 2**20} MB"))
        for m in members:
            name = m.filename.replace("\\", "/")
            pure = PurePosixPath(name)
            mode = m.external_attr >> 16
            if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
                problems.append(MetadataIssue(m.filename, "points outside the pack (absolute path or ..)", "unsafe_path"))
            elif stat.S_ISLNK(mode):
                problems.append(MetadataIssue(m.filename, "is a symbolic link; packs may not contain links",
                                              "unsafe_path"))
        if problems:
            raise invalid_pack(problems, "The pack archive is unsafe; nothing was extracted")
        root = dest.resolve()
        for m in members:
            target = (root / m.filename.replace("\\", "/")).resolve()
            if root not in target.parents and target != root:  # belt and braces
                raise invalid_pack([MetadataIssue(m.filename, "points outside the pack", "unsafe_path")])
            if m.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(m) as src, open(target, "wb") as out:
                out.write(src.read(MAX_ZIP_BYTES + 1))
    manifests = sorted(root.glob("pack.json")) or sorted(root.glob("*/pack.json"))
    if len(manifests) != 1:
        raise invalid_pack([MetadataIssue(archive.name, "must hold one pack.json at its root or in one folder",
                                          "no_manifest")])
    return manifests[0].parent


def _read_json(path: Path, rel: str, issues: list[MetadataIssue]) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except UnicodeDecodeError:
        issues.append(MetadataIssue(rel, "is not UTF-8 text", "invalid_json"))
    except json.JSONDecodeError as exc:
        issues.append(MetadataIssue(rel, f"is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}",
                                    "invalid_json"))
    return None


def read_pack(root: Path, *, location: str) -> PackSource:
    """Read and shape-check every file of the pack in ``root`` (definitions are checked when merged)."""
    issues: list[MetadataIssue] = []
    if not (root / "pack.json").is_file():
        raise invalid_pack([MetadataIssue("pack.json", "is missing: a pack folder starts with its manifest",
                                          "no_manifest")])
    raw = _read_json(root / "pack.json", "pack.json", issues)
    manifest = None
    if raw is not None:
        try:
            manifest = load_manifest(raw)
        except MetadataError as exc:
            issues.extend(exc.issues)
    parts: dict[str, list[tuple[str, Any]]] = {}
    for folder in ("objects", "extensions", "roles", "reports", "dashboards", "demo"):
        parts[folder] = []
        for file in sorted((root / folder).glob("*.json")) if (root / folder).is_dir() else []:
            rel = f"{folder}/{file.name}"
            doc = _read_json(file, rel, issues)
            if doc is None:
                continue
            if not isinstance(doc, dict):
                issues.append(MetadataIssue(rel, "must hold one JSON object", "type"))
                continue
            parts[folder].append((rel, doc))
    for rel, doc in parts["extensions"]:
        issues.extend(extension_issues(rel, doc))
    demo = _demo_files(parts["demo"], issues)
    if issues or manifest is None:
        raise invalid_pack(issues)
    return PackSource(manifest, location, parts["objects"], parts["extensions"], parts["roles"], demo,
                      reports=parts["reports"], dashboards=parts["dashboards"])


def extension_issues(rel: str, doc: dict[str, Any]) -> list[MetadataIssue]:
    """The shape of one ``extensions/*.json``: the object it extends and lists of named entries.

    The entries themselves are checked against the field, rule, workflow, view
    and layout schemas when merged with the live metadata; here only what the
    merge needs (a list of documents with distinct names), at JSON paths.
    """
    issues: list[MetadataIssue] = []
    shape = ('must look like {"object": "account", "fields": [...]} (also "'
             + '", "'.join(OBJECT_LISTS[1:]) + '")')
    if not isinstance(doc.get("object"), str):
        issues.append(MetadataIssue(f"{rel}: object", f"is required: the name of the object extended; {shape}",
                                    "required"))
    for key in sorted(set(doc) - {"object", *OBJECT_LISTS}):
        issues.append(MetadataIssue(f"{rel}: {key}", f"is not allowed in an extension; {shape}", "type"))
    if not any(key in doc for key in OBJECT_LISTS):
        issues.append(MetadataIssue(rel, f"adds nothing; {shape}", "type"))
    for kind in OBJECT_LISTS:
        if kind not in doc:
            continue
        if not isinstance(doc[kind], list):
            issues.append(MetadataIssue(f"{rel}: {kind}", "must be a list", "type"))
            continue
        seen: dict[str, int] = {}
        for i, item in enumerate(doc[kind]):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(item, dict):
                issues.append(MetadataIssue(f"{rel}: {kind}[{i}]", "must be a JSON object", "type"))
            elif not isinstance(name, str) or not name:
                issues.append(MetadataIssue(f"{rel}: {kind}[{i}].name", '"name" is required here', "required"))
            elif name in seen:
                issues.append(MetadataIssue(f"{rel}: {kind}[{i}].name", f'"{name}" is used twice (also '
                                            f"{kind}[{seen[name]}])", "duplicate"))
            else:
                seen[name] = i
    return issues


def _demo_files(docs: list[tuple[str, Any]], issues: list[MetadataIssue]) -> list[DemoFile]:
    out: list[DemoFile] = []
    seen: dict[tuple[str, str], str] = {}
    for rel, doc in docs:
        if not isinstance(doc.get("object"), str) or not isinstance(doc.get("records"), list):
            issues.append(MetadataIssue(rel, 'must look like {"object": "account", "records": [{"_id": ...}]}',
                                        "type"))
            continue
        for i, record in enumerate(doc["records"]):
            ext = record.get("_id") if isinstance(record, dict) else None
            if not isinstance(ext, str) or not ext or len(ext) > 200:
                issues.append(MetadataIssue(f"{rel}: records[{i}]._id", "must be a text of 1 to 200 characters "
                                            "(the record's stable external id)", "required"))
            elif (doc["object"], ext) in seen:
                issues.append(MetadataIssue(f"{rel}: records[{i}]._id", f'"{ext}" is used twice for '
                                            f'{doc["object"]} (also in {seen[(doc["object"], ext)]})', "duplicate"))
            else:
                seen[(doc["object"], ext)] = rel
        out.append(DemoFile(rel, doc["object"], doc["records"]))
    return out
