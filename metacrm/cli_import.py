"""``metacrm import OBJECT FILE``: bring a CSV/Excel file into an object, with a progress bar.

The import runs in this process (not as a job) through the same service as the
web wizard, chunk by chunk through the record service. Exit code 0 when every
row was imported, 1 when any row failed (their CSV is written beside the file)
or the file/options were refused before anything was written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import cli, friendly_errors, ready_platform
from .platform.imports import formats
from .platform.imports.mapping import auto_map, parse_map
from .platform.imports.service import ImportService, Options
from .platform.records.actor import SYSTEM, Actor


@cli.command("import")
@click.argument("object_name", metavar="OBJECT")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--map", "map_text", default="", help='Column=field pairs, comma-separated; lookups may use '
              'field.target_field (an external id). Unlisted columns are mapped automatically.')
@click.option("--mode", type=click.Choice(["insert", "update", "upsert"]), default="insert", show_default=True)
@click.option("--key", help="The field that finds existing records (update and upsert).")
@click.option("--date-format", help="How the file writes dates, e.g. %d/%m/%Y (default: ISO 2026-01-31).")
@click.option("--format", "format_name", help="csv, xlsx or a pack's format (default: from the file name).")
@click.option("--as", "as_email", help="Import as this user (their permissions apply); default: the system.")
@click.option("--failed-out", type=click.Path(dir_okay=False), help="Where to write the failed rows "
              "(default: FILE.failed.csv).")
@friendly_errors
def import_command(object_name: str, file: str, map_text: str, mode: str, key: str | None, date_format: str | None,
                   format_name: str | None, as_email: str | None, failed_out: str | None) -> None:
    """Import FILE into OBJECT; prints created/updated/skipped/failed counts."""
    p = ready_platform()
    actor = SYSTEM
    if as_email:
        user = p.users.get_by_email(as_email)
        if user is None or not user.is_active:
            raise click.ClickException(f"there is no active user {as_email}")
        actor = Actor.from_user(user)
    path = Path(file)
    data = path.read_bytes()
    format_name = format_name or formats.format_of(path.name)
    service = ImportService(p)
    table = service.read(data, format_name)
    obj = p.schema.get().compiled.object(object_name)
    if obj is None:
        raise click.ClickException(f'there is no object "{object_name}"')
    chosen = parse_map(map_text, table.columns)
    mapping = {c: f for c, f in auto_map(table.columns, obj).items()
               if c not in chosen and f not in {t.partition(".")[0] for t in chosen.values()}}
    mapping.update(chosen)
    notes = ", ".join(f"{k} {v}" for k, v in table.notes.items())
    click.echo(f"{path.name}: {len(table.rows)} row(s){f' ({notes})' if notes else ''}")
    for column, target in mapping.items():
        click.echo(f"  {column} -> {target}")
    for column in table.columns:
        if column not in mapping:
            click.echo(f"  {column} (not imported)")
    run_id = service.start(actor, object_name, path.name, data,
                           Options(mapping, mode=mode, key=key, date_format=date_format),
                           format_name=format_name, enqueue=False)
    with click.progressbar(length=len(table.rows), label=f"Importing #{run_id}", file=sys.stderr) as bar:
        last = [0]

        def progress(done: int, total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        run = service.run(run_id, progress=progress)
    click.echo(f"Import #{run_id}: {run['created']} created, {run['updated']} updated, {run['skipped']} unchanged, "
               f"{run['failed']} failed, of {run['total']} row(s).")
    if run["failed"]:
        out = Path(failed_out) if failed_out else path.with_name(path.name + ".failed.csv")
        out.write_text(service.failed_csv(run_id), "utf-8-sig")
        click.secho(f"Failed rows (with their errors): {out}", fg="red")
        sys.exit(1)
