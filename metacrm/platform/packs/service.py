"""Install, upgrade and uninstall packs — always through the metadata service's plan/apply.

A pack never touches tables itself: its definitions are merged with the
live bundle (:mod:`metacrm.metadata.layering`), the merged bundle is
planned like an admin's change (previewable with ``dry_run``), and applied
as one versioned change (``kind = "pack"``) together with the registry row,
so an install is reversible by rollback and nothing is half-installed.
Demo records then go through the record service (:mod:`.demo`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from metacrm import __version__ as PLATFORM_VERSION
from metacrm.metadata.definitions import OWNER_ADMIN
from metacrm.metadata.errors import MetadataError, MetadataIssue
from metacrm.metadata.layering import (
    OBJECT_LISTS, Conflict as MergeConflict, LayerError, MergeResult, empty_layer, extract_layer, merge_layer, owned_items,
    remove_layer,
)
from metacrm.metadata.loader import load_bundle
from metacrm.metadata.packs import Version, satisfies

from ..errors import Conflict, NotFound, Unprocessable
from ..metadata_service import MetadataService
from ..records import RecordService
from ..storage import store
from ..storage.planner import Plan
from . import export, pack_users, registry
from .demo import DemoLoader, DemoResult
from .source import PackSource, invalid_pack


@dataclass
class PackResult:
    """What an install, upgrade or uninstall did (or, with ``dry_run``, would do)."""

    action: str  # installed | upgraded | uninstalled | unchanged | planned
    name: str
    version: str
    plan: Plan | None = None
    applied: store.VersionInfo | None = None
    conflicts: list[MergeConflict] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    demo: DemoResult | None = None
    purged: list[str] = field(default_factory=list)


class PackService:
    def __init__(self, metadata: MetadataService, records: RecordService):
        self.metadata = metadata
        self.records = records
        self.engine = metadata.engine

    # --- reading -----------------------------------------------------------------------------
    def installed(self) -> list[registry.InstalledPack]:
        with self.engine.connect() as conn:
            return registry.installed(conn)

    def get(self, name: str) -> registry.InstalledPack | None:
        with self.engine.connect() as conn:
            return registry.get(conn, name)

    def owned(self, name: str) -> list[str]:
        """Everything any version of pack ``name`` owns in the live metadata."""
        return owned_items(self.metadata.current().compiled.bundle.to_json(), f"pack:{name}@")

    # --- install -----------------------------------------------------------------------------
    def install(self, source: PackSource, *, demo: bool = False, dry_run: bool = False,
                author: str = "cli") -> PackResult:
        """Install ``source``; the same version again changes nothing (but ``demo`` still loads what is missing)."""
        m = source.manifest
        current = self.get(m.name)
        if current is not None and current.version != m.version:
            raise Conflict(f"pack {m.name} {current.version} is installed; upgrade it to {m.version} with "
                           f"`metacrm pack upgrade {m.name}`")
        if current is not None:
            result = PackResult("unchanged", m.name, m.version)
            if demo and not dry_run:
                result.demo = self.load_demo(source, author=author)
            return result
        self._check_requirements(source)
        live = self.metadata.current().compiled.bundle.to_json()
        merged, layer = self._merge(source, live, empty_layer())
        return self._apply(source, "installed", merged, layer, dry_run=dry_run, demo=demo, confirm=False, author=author,
                           reason=f"install pack {m.name} {m.version}")

    # --- upgrade -----------------------------------------------------------------------------
    def upgrade(self, source: PackSource, *, dry_run: bool = False, confirm: bool = False,
                author: str = "cli") -> PackResult:
        """Apply what changed between the installed version and ``source``, keeping the admin's customisations."""
        m = source.manifest
        current = self.get(m.name)
        if current is None:
            raise NotFound(f"pack {m.name} is not installed; install it with `metacrm pack install`")
        if Version.parse(m.version) == Version.parse(current.version):
            return PackResult("unchanged", m.name, m.version)
        if Version.parse(m.version) < Version.parse(current.version):
            raise Conflict(f"pack {m.name} {current.version} is installed; {m.version} is older (downgrades "
                           "are done by metadata rollback)")
        self._check_requirements(source)
        for other in self.installed():
            spec = other.requires.get(m.name)
            if spec and not satisfies(m.version, spec):
                raise Conflict(f"pack {other.name} requires {m.name} {spec}; {m.version} is outside that range")
        live = self.metadata.current().compiled.bundle.to_json()
        merged, layer = self._merge(source, live, current.definitions)
        return self._apply(source, "upgraded", merged, layer, dry_run=dry_run, demo=False, confirm=confirm,
                           author=author, reason=f"upgrade pack {m.name} {current.version} → {m.version}")

    # --- uninstall ---------------------------------------------------------------------------
    def uninstall(self, name: str, *, purge: bool = False, dry_run: bool = False, author: str = "cli") -> PackResult:
        """Remove exactly what the pack owns (archived, so data is kept unless ``purge``)."""
        current = self.get(name)
        if current is None:
            raise NotFound(f"pack {name} is not installed")
        needed_by = sorted(p.name for p in self.installed() if name in p.requires)
        if needed_by:
            raise Conflict(f"pack {name} is required by {', '.join(needed_by)}; uninstall "
                           f"{'that' if len(needed_by) == 1 else 'those'} first")
        live = self.metadata.current().compiled.bundle.to_json()
        prefix = f"pack:{name}@"
        # Users lose the pack's roles with it (docs/packs.md "Roles on uninstall"); roles an admin took over stay.
        roles = sorted(r["name"] for r in live.get("roles", []) if str(r.get("owner") or "").startswith(prefix))
        result = PackResult("planned" if dry_run else "uninstalled", name, current.version,
                            changes=[f"remove {item}" for item in owned_items(live, prefix)]
                            + [f"take role {r} from its users" for r in roles])
        target = remove_layer(live, prefix)
        try:
            result.plan = self.metadata.plan(target, replace_all=True)
        except Unprocessable as exc:
            raise Unprocessable(
                f"pack {name} cannot be uninstalled while other definitions use what it owns; change them first",
                errors=[_by_file(MetadataIssue(e["path"], e["message"], e.get("code", "invalid")), target, {}).to_json()
                        for e in exc.extra.get("errors", [])]) from None
        if not result.plan.ok:
            raise Unprocessable(f"pack {name} cannot be uninstalled", errors=[i.to_json() for i in result.plan.issues])
        if dry_run:
            return result
        removed = [op.object for op in result.plan.operations if op.kind == "remove_object"]

        def bookkeeping(conn: Any, version: int) -> None:
            registry.remove(conn, name, removed)
            registry.forget_objects(conn, removed)
            pack_users.take_roles(conn, roles)

        result.applied = self.metadata.apply(result.plan, author=author, reason=f"uninstall pack {name}",
                                             confirm=True, kind="pack", then=bookkeeping)
        if result.applied is None:  # the pack owned nothing any more
            with self.engine.begin() as conn:
                bookkeeping(conn, 0)
        elif purge:
            for entry in self.metadata.archives():
                if entry.archived_in_version == result.applied.id:
                    self.metadata.purge(entry.id, author=author, reason=f"uninstall pack {name} --purge")
                    result.purged.append(f"{entry.object}.{entry.field}" if entry.field else entry.object)
        return result

    # --- demo ----------------------------------------------------------------------------------
    def load_demo(self, source: PackSource, *, author: str = "cli") -> DemoResult:
        loader = DemoLoader(self.records, source.manifest.name, owners=self.demo_owners(source, author))
        errors = loader.check(source.demo, self.metadata.current().compiled.bundle.objects)
        if errors:
            raise Unprocessable("The pack's demo data does not fit its objects", errors=errors)
        result = loader.load(source.demo)
        with self.engine.begin() as conn:
            registry.mark_demo_loaded(conn, source.manifest.name)
        return result

    # --- export --------------------------------------------------------------------------------
    def export(self, name: str, version: str, *, label: str = "", description: str = "",
               objects: list[str] | None = None, roles: list[str] | None = None) -> dict[str, Any]:
        """The admin's customisations as the files of pack ``name`` (see :mod:`.export`)."""
        packs = self.installed()
        installed = {p.name: p.version for p in packs}
        if name in installed:
            raise Conflict(f"pack {name} is installed here; give the export another name")
        return export.build_files(self.metadata.current().compiled.bundle.to_json(), installed, name=name,
                                  version=version, label=label, description=description, objects=objects,
                                  roles=roles, pack_layers={p.name: p.definitions for p in packs})

    def admin_layer(self) -> dict[str, Any]:
        """What the admin owns in the live metadata, as a layer: own objects, and the fields, rules,
        workflows, views and layouts added to packs' objects (what :meth:`export` can include)."""
        packs = self.installed()
        bundle = export.claim_admin_items(self.metadata.current().compiled.bundle.to_json(),
                                          {p.name: p.definitions for p in packs})
        return extract_layer(bundle, OWNER_ADMIN)

    def demo_owners(self, source: PackSource, author: str = "cli") -> list[int]:
        """Who owns the demo records: the active users holding one of the pack's roles (so each rep sees
        a pipeline of their own), else the installing admin (``author``, an email), else nobody."""
        pack_roles = [doc["name"] for _, doc in source.roles if isinstance(doc.get("name"), str)]
        with self.engine.connect() as conn:
            return pack_users.demo_owners(conn, pack_roles, author)

    # --- internals -----------------------------------------------------------------------------
    def _check_requirements(self, source: PackSource) -> None:
        m = source.manifest
        problems = []
        if m.min_platform_version and Version.parse(PLATFORM_VERSION) < Version.parse(m.min_platform_version):
            problems.append({"path": "pack.json: min_platform_version",
                             "message": f"needs MetaCRM {m.min_platform_version} or later (this is {PLATFORM_VERSION})",
                             "code": "platform_too_old"})
        for req, spec in m.requires.items():
            have = self.get(req)
            if have is None:
                problems.append({"path": f"pack.json: requires.{req}", "message": f"pack {req} ({spec}) is not "
                                 f"installed; install it first", "code": "missing_requirement"})
            elif not satisfies(have.version, spec):
                problems.append({"path": f"pack.json: requires.{req}", "message": f"needs {req} {spec}, but "
                                 f"{have.version} is installed", "code": "requirement_out_of_range"})
        if problems:
            raise Unprocessable(f"pack {m.name} {m.version} cannot be installed: its requirements are not met",
                                errors=problems)

    def _merge(self, source: PackSource, live: dict[str, Any], old: dict[str, Any]
               ) -> tuple[MergeResult, dict[str, Any]]:
        """The live bundle with the pack merged in, and the pack's new layer (stored once applied)."""
        m = source.manifest
        new = normalised_layer(source, live)
        try:
            merged = merge_layer(live, old, new, owner=m.owner, prefix=m.owner_prefix)
        except LayerError as exc:
            raise Conflict(f"pack {m.name} cannot be installed: {exc}", errors=[
                {"path": "", "message": p, "code": "name_taken"} for p in exc.problems]) from None
        return merged, new

    def _apply(self, source: PackSource, action: str, merged: MergeResult, layer: dict[str, Any], *, dry_run: bool, demo: bool, confirm: bool,
               author: str, reason: str) -> PackResult:
        m = source.manifest
        result = PackResult("planned" if dry_run else action, m.name, m.version, conflicts=merged.conflicts,
                            changes=merged.changes)
        result.plan = self.metadata.plan(merged.bundle, replace_all=True)
        if not result.plan.ok:
            raise Unprocessable(f"pack {m.name} {m.version} cannot be applied",
                                errors=[i.to_json() for i in result.plan.issues])
        if demo and source.demo:
            problems = DemoLoader(self.records, m.name).check(source.demo, result.plan.bundle.objects)
            if problems:
                raise Unprocessable("The pack's demo data does not fit its objects", errors=problems)
        if dry_run:
            return result

        def bookkeeping(conn: Any, version: int) -> None:
            registry.save(conn, manifest=m.to_json(), definitions=layer, source=source.location,
                          meta_version=version, author=author)

        result.applied = self.metadata.apply(result.plan, author=author, reason=reason, confirm=confirm,
                                             kind="pack", then=bookkeeping)
        if result.applied is None:
            with self.engine.begin() as conn:
                bookkeeping(conn, self.metadata.current().version)
        if demo and source.demo:
            result.demo = self.load_demo(source, author=author)
        return result


_INDEXED = re.compile(r"^(objects|roles|reports|dashboards)\[(\d+)\]\.?")
_LISTED = re.compile(r"^(" + "|".join(OBJECT_LISTS) + r")\[(\d+)\]")
#: (object, list, item name) → (extension file, index in that file's list), for error paths.
ItemOrigin = dict[tuple[str, str, str], tuple[str, int]]


def normalised_layer(source: PackSource, live: dict[str, Any]) -> dict[str, Any]:
    """The pack's definitions in canonical form (defaults filled in as the loader fills them).

    They are overlaid on the live bundle and loaded, which validates them
    with every cross-check (a lookup to an object the pack does not define
    nor require fails here); problems are reported by file.
    """
    owner = source.manifest.owner
    objects = {o["name"]: o for o in copy.deepcopy(live.get("objects", []))}
    roles = {r["name"]: r for r in copy.deepcopy(live.get("roles", []))}
    origin: dict[tuple[str, str], str] = {}
    item_origin: ItemOrigin = {}
    issues: list[MetadataIssue] = []
    for rel, doc in source.objects:
        doc = _owned(doc, owner)
        name = doc.get("name")
        if not isinstance(name, str):
            issues.append(MetadataIssue(f"{rel}: name", '"name" is required here', "required"))
            continue
        objects[name] = doc
        origin[("objects", name)] = rel
    for rel, ext in source.extensions:
        target = objects.get(ext["object"])
        if target is None:
            issues.append(MetadataIssue(f"{rel}: object", f'object "{ext["object"]}" does not exist (a pack '
                                        "extends objects of the packs it requires)", "unknown_object"))
            continue
        for kind in OBJECT_LISTS:  # fields and named items, each stamped with the extending pack
            if not isinstance(ext.get(kind), list):
                continue
            items = {i.get("name"): i for i in target.get(kind) or () if isinstance(i, dict)}
            for index, item in enumerate(ext[kind]):
                if isinstance(item, dict):
                    items[item.get("name")] = {**{k: v for k, v in item.items() if k != "owner"}, "owner": owner}
                    item_origin[(ext["object"], kind, str(item.get("name")))] = (rel, index)
            target[kind] = list(items.values())
        origin.setdefault(("objects", ext["object"]), rel)
    for rel, doc in source.roles:
        doc = _owned(doc, owner)
        if isinstance(doc.get("name"), str):
            roles[doc["name"]] = doc
            origin[("roles", doc["name"])] = rel
    candidate = {"objects": list(objects.values()), "roles": list(roles.values())}
    for kind in ("reports", "dashboards"):  # like roles: one definition per file, upserted by name
        items = {r["name"]: r for r in copy.deepcopy(live.get(kind, []))}
        for rel, doc in getattr(source, kind):
            if isinstance(doc.get("name"), str):
                items[doc["name"]] = _owned(doc, owner)
                origin[(kind, doc["name"])] = rel
        if items:
            candidate[kind] = list(items.values())
    if not issues:
        try:
            loaded = load_bundle(candidate)
        except MetadataError as exc:
            issues.extend(_by_file(i, candidate, origin, item_origin) for i in exc.issues)
    if issues:
        raise invalid_pack(issues)
    return extract_layer(loaded.bundle.to_json(), owner)


def _owned(doc: dict[str, Any], owner: str) -> dict[str, Any]:
    """A pack's document stamped with its owner; a pack cannot claim items for anyone else."""
    out = {k: v for k, v in doc.items() if k != "owner"}
    if isinstance(out.get("fields"), list):
        out["fields"] = [{k: v for k, v in f.items() if k != "owner"} if isinstance(f, dict) else f
                         for f in out["fields"]]
    return {**out, "owner": owner}


def _by_file(issue: MetadataIssue, candidate: dict[str, Any], origin: dict[tuple[str, str], str],
             item_origin: ItemOrigin | None = None) -> MetadataIssue:
    """objects[7].fields[2].target → objects/account.json: fields[2].target; an item an extension
    added (objects[1].validation_rules[4].condition) → extensions/contact.json: validation_rules[0].condition."""
    match = _INDEXED.match(issue.path)
    if not match:
        return issue
    kind, index = match.group(1), int(match.group(2))
    items = candidate.get(kind, [])
    name = items[index].get("name") if index < len(items) and isinstance(items[index], dict) else None
    rel = origin.get((kind, name)) if isinstance(name, str) else None
    rest = issue.path[match.end():]
    listed = _LISTED.match(rest) if kind == "objects" else None
    if listed and item_origin and isinstance(name, str):
        entries = items[index].get(listed.group(1)) or []
        position = int(listed.group(2))
        entry = entries[position] if position < len(entries) and isinstance(entries[position], dict) else {}
        found = item_origin.get((str(name), listed.group(1), str(entry.get("name"))))
        if found:
            return MetadataIssue(f"{found[0]}: {listed.group(1)}[{found[1]}]{rest[listed.end():]}", issue.message,
                                 issue.code)
    if rel is None:
        return MetadataIssue(f'{kind}["{name}"]' + (f".{rest}" if rest else ""), issue.message, issue.code)
    return MetadataIssue(f"{rel}: {rest}" if rest else rel, issue.message, issue.code)
