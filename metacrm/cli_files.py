"""``metacrm files prune``: delete uploads that no record ever saved.

An upload is stored before its record is saved (so a form that fails on another
field keeps it); one whose record was never saved is an orphan. Run this daily
(cron, or a scheduled job): it deletes orphans older than ``--older-than-hours``.
"""

from __future__ import annotations

import datetime as dt

import click

from .cli import cli, ready_platform


@cli.group("files")
def files_group() -> None:
    """Uploaded files."""


@files_group.command("prune")
@click.option("--older-than-hours", default=24, show_default=True, type=click.IntRange(min=1),
              help="Only orphans uploaded at least this long ago.")
@click.option("--dry-run", is_flag=True, help="List what would be deleted, delete nothing.")
def prune_command(older_than_hours: int, dry_run: bool) -> None:
    """Delete uploads never attached to a record."""
    found = ready_platform().files.prune(dt.timedelta(hours=older_than_hours), dry_run=dry_run)
    for stored in found:
        click.echo(f"{stored.created_at:%Y-%m-%d %H:%M}  {stored.size:>10}  {stored.name}")
    verb = "would be deleted" if dry_run else "deleted"
    click.echo(f"{len(found)} orphaned upload(s) {verb}.")
