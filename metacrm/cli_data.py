"""Data in and out of the command line: ``export``, ``backup``, ``restore`` and ``retention run``.

See docs/data.md. ``export`` reads as a user (``--as EMAIL``) or, by default, as
the system (every field an admin sees); ``backup`` writes a sensitive file
(password hashes, every record) readable by its owner only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import click

from .cli import cli, friendly_errors, platform, ready_platform
from .platform.records import Actor
from .platform.records.actor import SYSTEM


def _actor(email: str | None) -> Actor:
    if not email:
        return SYSTEM
    user = ready_platform().users.get_by_email(email)
    if user is None or not user.is_active:
        raise click.ClickException(f"there is no active user {email}")
    return Actor.from_user(user)


@cli.command("export")
@click.argument("object_name")
@click.option("--format", "fmt", default="json", show_default=True,
              help="json (JSON lines), csv, xlsx or a format a plugin registered.")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.option("--as", "as_email", help="Export as this user (their permissions apply); default: the system.")
@friendly_errors
def export_command(object_name: str, fmt: str, out: str | None, as_email: str | None) -> None:
    """Export every record of OBJECT_NAME."""
    from .platform.exports.formats import export_format  # noqa: PLC0415
    from .platform.exports.records import export_source  # noqa: PLC0415

    try:
        chosen = export_format(fmt)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from None
    p = ready_platform()
    source = export_source(p, _actor(as_email), object_name, purpose="cli export")
    target: IO[bytes] = open(out, "wb") if out else sys.stdout.buffer  # noqa: SIM115
    try:
        for chunk in chosen.writer(source):
            target.write(chunk)
        target.flush()
    finally:
        if out:
            target.close()
    if out:
        click.echo(f"Exported {object_name} to {out}.", err=True)


@cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@friendly_errors
def backup_command(file: str) -> None:
    """Write the whole tenant (metadata, records, users, files, logs) to FILE, a zip readable by you only."""
    from .platform.backup import write_backup  # noqa: PLC0415

    manifest = write_backup(ready_platform(), Path(file))
    rows = sum(manifest["counts"].values())
    click.echo(f"Backed up {len(manifest['counts'])} tables, {rows} rows, to {file}.")
    click.secho("The file holds password hashes and every record: keep it as safe as the database.", fg="yellow",
                err=True)


@cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, required=True, help="Confirm: restore into this (empty) database.")
@friendly_errors
def restore_command(file: str, yes: bool) -> None:
    """Restore a backup FILE into an empty database."""
    from .platform.backup import restore_backup  # noqa: PLC0415

    manifest = restore_backup(platform(), Path(file))
    click.echo(f"Restored {sum(manifest['counts'].values())} rows into {len(manifest['counts'])} tables "
               f"(metadata version {manifest['metadata_version']}).")


@cli.group("retention")
def retention_group() -> None:
    """Retention policies (docs/data.md)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="List due records; change nothing.")
@friendly_errors
def retention_run_command(dry_run: bool) -> None:
    """Review or anonymise the records their object's retention policy says are due."""
    from .platform.privacy.retention_run import run_retention  # noqa: PLC0415

    for r in run_retention(ready_platform(), dry_run=dry_run):
        verb = "would be anonymised" if dry_run and r.action == "anonymise" else (
            "anonymised" if r.action == "anonymise" else "due for review")
        count = len(r.anonymised) if r.anonymised else len(r.due) - len(r.held)
        click.echo(f"{r.object}: {count} {verb}" + (f", {len(r.held)} under legal hold" if r.held else "")
                   + (f" (ids: {', '.join(map(str, r.due[:50]))})" if r.due else ""))
