"""``metacrm logic ...``: maintenance of business logic, today recomputing stored computed values.

Thin on purpose: the work is in :mod:`metacrm.platform.logic.recompute`, the
same path the record service takes on every save.
"""

from __future__ import annotations

import click

from .cli import cli, friendly_errors, ready_platform
from .platform.logic.recompute import BATCH_SIZE, recompute


@cli.group("logic")
def logic_group() -> None:
    """Formulas, roll-ups and other business logic."""


@logic_group.command("recompute")
@click.argument("object_name")
@click.option("--field", "field_name", help="Count changes of this roll-up or stored formula only.")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1, 10_000),
              help="Records saved per transaction.")
@friendly_errors
def recompute_command(object_name: str, field_name: str | None, batch_size: int) -> None:
    """Recompute the roll-ups and stored formulas of every OBJECT_NAME record (and what depends on them)."""
    report = recompute(ready_platform().records, object_name, field_name=field_name, batch_size=batch_size)
    what = f"{object_name}.{field_name}" if field_name else object_name
    click.echo(f"Recomputed {what}: {report.records} record(s), {report.changed} changed.")
    for error in report.errors[:20]:
        reasons = "; ".join(f"{e.get('field') or 'record'}: {e.get('message')}" for e in error["errors"])
        click.secho(f"  #{error['id']} not saved: {reasons or error['detail']}", fg="yellow")
    if report.errors:
        more = f" ({len(report.errors) - 20} more not shown)" if len(report.errors) > 20 else ""
        raise click.ClickException(f"{len(report.errors)} record(s) could not be saved{more}")
