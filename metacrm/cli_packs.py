"""``metacrm pack ...``: list, inspect, install, upgrade, uninstall and export packs.

Thin on purpose: the work is in :mod:`metacrm.platform.packs`. Built-in packs
(``metacrm/vertical_packs/<name>/``) are found by name; anything else is a
folder or a .zip path. ``metacrm init`` calls :func:`install_defaults` so a
fresh database starts with the base CRM and its demo data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from .cli import _print_plan, cli, friendly_errors, ready_platform
from .metadata.packs import Version
from .platform.packs import PackResult, PackService, builtin_packs, export, open_pack
from .platform.runtime import Platform
from .platform.storage import store

#: Packs ``metacrm init`` installs on a fresh database (comma-separated; empty for none).
INIT_PACKS_ENV = "METACRM_INIT_PACKS"
DEFAULT_INIT_PACKS = "base_crm"


def service(p: Platform | None = None) -> PackService:
    p = p or ready_platform()
    return PackService(p.metadata, p.records)


def _builtin_manifests() -> dict[str, dict]:
    out = {}
    for folder in builtin_packs():
        try:
            out[folder.name] = json.loads((folder / "pack.json").read_text("utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
    return out


def _report(result: PackResult) -> None:
    if result.changes:
        for change in result.changes:
            click.echo(f"  {change}")
    if result.plan is not None:
        _print_plan(result.plan)
    for conflict in result.conflicts:
        click.secho(f"  conflict: {conflict}", fg="yellow")
    if result.demo is not None:
        made = ", ".join(f"{n} {o}" for o, n in result.demo.created.items()) or "nothing new"
        click.echo(f"Demo data: created {made}" + (f" ({result.demo.existing} already there)"
                                                   if result.demo.existing else "") + ".")
    for item in result.purged:
        click.echo(f"Purged {item}.")
    verb = {"installed": "Installed", "upgraded": "Upgraded to", "uninstalled": "Uninstalled",
            "unchanged": "Already installed:", "planned": "Dry run, nothing changed:"}[result.action]
    version = f" (metadata version {result.applied.id})" if result.applied else ""
    click.echo(f"{verb} {result.name} {result.version}{version}.")


@cli.group("pack")
def pack_group() -> None:
    """Install, upgrade and uninstall packs (built-in names, folders or .zip files)."""


@pack_group.command("list")
@friendly_errors
def list_command() -> None:
    """Installed packs, then built-in packs not installed yet."""
    installed = {p.name: p for p in service().installed()}
    for pack in installed.values():
        demo = ", demo data" if pack.demo_loaded_at else ""
        click.echo(f"{pack.name:<20} {pack.version:<10} installed {pack.installed_at:%Y-%m-%d}{demo}  {pack.label}")
    for name, manifest in _builtin_manifests().items():
        if name not in installed:
            click.echo(f"{name:<20} {manifest.get('version', '?'):<10} available            {manifest.get('label', '')}")


@pack_group.command("info")
@click.argument("name")
@friendly_errors
def info_command(name: str) -> None:
    """What pack NAME is, what it requires and what it owns."""
    packs = service()
    installed = packs.get(name)
    builtin = _builtin_manifests().get(name)
    manifest = installed.manifest if installed else builtin
    if manifest is None:
        raise click.ClickException(f"No pack {name} is installed or built in.")
    click.echo(f"{manifest['label']} ({manifest['name']} {manifest['version']})")
    if manifest.get("description"):
        click.echo(f"  {manifest['description']}")
    if manifest.get("publisher"):
        click.echo(f"  publisher: {manifest['publisher']}")
    for req, spec in (manifest.get("requires") or {}).items():
        click.echo(f"  requires {req} {spec}")
    if installed is None:
        click.echo("  not installed")
        return
    click.echo(f"  installed {installed.installed_at:%Y-%m-%d %H:%M} by {installed.installed_by} from "
               f"{installed.source}" + (", demo data loaded" if installed.demo_loaded_at else ""))
    if builtin and Version.parse(builtin["version"]) > Version.parse(installed.version):
        click.echo(f"  upgrade available: {builtin['version']} (metacrm pack upgrade {name})")
    for item in packs.owned(name):
        click.echo(f"  owns {item}")


@pack_group.command("install")
@click.argument("name_or_path")
@click.option("--demo", is_flag=True, help="Also load the pack's demo records (idempotent).")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--author", default="cli", show_default=True)
@friendly_errors
def install_command(name_or_path: str, demo: bool, dry_run: bool, author: str) -> None:
    """Install a built-in pack by NAME, or a pack folder or .zip by PATH."""
    with open_pack(name_or_path) as source:
        _report(service().install(source, demo=demo, dry_run=dry_run, author=author))


@pack_group.command("upgrade")
@click.argument("name_or_path")
@click.option("--dry-run", is_flag=True, help="Print the plan and conflicts; change nothing.")
@click.option("--yes", is_flag=True, help="Confirm destructive steps (fields the new version drops are archived).")
@click.option("--author", default="cli", show_default=True)
@friendly_errors
def upgrade_command(name_or_path: str, dry_run: bool, yes: bool, author: str) -> None:
    """Upgrade an installed pack to the version in NAME_OR_PATH, keeping the admin's customisations."""
    with open_pack(name_or_path) as source:
        _report(service().upgrade(source, dry_run=dry_run, confirm=yes, author=author))


@pack_group.command("uninstall")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Also drop the archived tables and columns (data is lost).")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--author", default="cli", show_default=True)
@friendly_errors
def uninstall_command(name: str, purge: bool, dry_run: bool, author: str) -> None:
    """Remove what pack NAME owns; its data is archived (restorable) unless --purge."""
    _report(service().uninstall(name, purge=purge, dry_run=dry_run, author=author))


@pack_group.command("export")
@click.argument("name")
@click.option("--version", "version", required=True, help="The pack's version, e.g. 1.0.0.")
@click.option("--label", default="", help="The pack's label (default: from NAME).")
@click.option("--description", default="")
@click.option("--object", "objects", multiple=True, help="Only this object (or the fields added to it); repeatable.")
@click.option("--role", "roles", multiple=True, help="Only this role; repeatable.")
@click.option("--out", default=None, help="A folder, or a file ending in .zip (default: ./NAME).")
@friendly_errors
def export_command(name: str, version: str, label: str, description: str, objects: tuple[str, ...],
                   roles: tuple[str, ...], out: str | None) -> None:
    """Export the admin's own customisations as pack NAME (objects, fields added to packs' objects, roles,
    reports), with ``requires`` on the packs they build on; install it elsewhere with ``pack install``."""
    only = bool(objects or roles)
    files = service().export(name, version, label=label, description=description,
                             objects=list(objects) if only else None, roles=list(roles) if only else None)
    target = export.write(files, Path(out) if out else Path.cwd() / name)
    for rel in sorted(files):
        if rel != "pack.json":
            click.echo(f"  {rel}")
    for req, spec in (files["pack.json"].get("requires") or {}).items():
        click.echo(f"  requires {req} {spec}")
    click.echo(f"Exported {name} {version} to {target}.")


def install_defaults(p: Platform, *, demo: bool = True) -> None:
    """Install the default packs on a fresh database (one no admin has changed yet); idempotent.

    Only a database at metadata version 0 gets them, so an admin who later
    uninstalls a pack does not see ``metacrm init`` bring it back; demo data
    an interrupted first run did not finish is completed on the next run.
    """
    names = [n.strip() for n in os.environ.get(INIT_PACKS_ENV, DEFAULT_INIT_PACKS).split(",") if n.strip()]
    if not names:
        return
    packs = service(p)
    with p.engine.connect() as conn:
        fresh = store.head_version(conn) == 0
    for name in names:
        current = packs.get(name)
        if current is None and not fresh:
            continue
        if current is not None and (current.installed_by != "init" or current.demo_loaded_at or not demo):
            continue
        with open_pack(name) as source:
            result = packs.install(source, demo=demo, author="init")
        made = f" with {result.demo.total_created} demo records" if result.demo and result.demo.total_created else ""
        click.echo(f"Pack {name} {result.version} {'installed' if result.action == 'installed' else 'ready'}{made}.")

