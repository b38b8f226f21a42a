"""The ``metacrm`` command: Flask's click integration with MetaCRM's commands.

Commands are thin: they parse arguments, call a service, and print. Errors
the services raise on purpose become a message and exit code 1.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup

from .app import create_app
from .platform.errors import PlatformError
from .platform.runtime import Platform
from .platform.storage.planner import Plan
from .platform.storage.platform_tables import meta_version


def platform() -> Platform:
    return current_app.extensions["metacrm"]


def ready_platform() -> Platform:
    """The platform once ``metacrm init`` has created its tables.

    Without this check a metadata command on a fresh database ends in a
    SQLAlchemy traceback about a missing table instead of saying what to do.
    """
    p = platform()
    if not sa.inspect(p.engine).has_table(meta_version.name):
        raise click.ClickException("The database has no MetaCRM tables yet; run `metacrm init` first.")
    return p


def friendly_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PlatformError as exc:
            click.secho(f"Error: {exc.detail}", fg="red", err=True)
            for item in exc.extra.get("errors", []):
                where = f"{item['path']}: " if item.get("path") else ""
                click.echo(f"  - {where}{item['message']}", err=True)
            for op in exc.extra.get("operations", []):
                click.echo(f"  - {op['summary']}", err=True)
            sys.exit(1)
    return wrapper


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False,
             help="MetaCRM: a CRM whose objects, fields and logic are data.")
def cli() -> None:
    pass


@cli.command("init")
@click.option("--admin-email", help="Create this administrator if no user with that email exists.")
@click.option("--admin-password", help="The administrator's password (at least 12 characters).")
@click.option("--bare", is_flag=True, help="Install no pack on a fresh database (default: base_crm).")
@click.option("--no-demo", is_flag=True, help="Install the default packs without their demo data.")
@friendly_errors
def init_command(admin_email: str | None, admin_password: str | None, bare: bool = False,
                 no_demo: bool = False) -> None:
    """Create or upgrade the database, install the base CRM with demo data on a fresh one; optionally create the first admin."""
    if admin_email and not admin_password:  # before touching the database: a usage error changes nothing
        raise click.UsageError("--admin-password is required with --admin-email")
    p = platform()
    p.migrate()
    click.echo(f"Database ready ({p.engine.url.render_as_string(hide_password=True)}).")
    if admin_email:
        if p.users.get_by_email(admin_email):
            click.echo(f"Admin {admin_email} already exists.")
        else:
            p.users.create(admin_email, admin_password, name="Administrator", is_admin=True)
            click.echo(f"Created admin {admin_email}.")
    if not bare:
        from .cli_packs import install_defaults  # noqa: PLC0415  (cli_packs imports this module)
        install_defaults(p, demo=not no_demo)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Run the development server (production: gunicorn wsgi:app)."""
    # Flask.run refuses to start inside a Flask CLI command, so call werkzeug directly.
    from werkzeug.serving import run_simple

    click.echo(f"MetaCRM is running at http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@cli.group("metadata")
def metadata_group() -> None:
    """Plan, apply, export, list history of and roll back metadata."""


def _read(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")


def _print_plan(plan: Plan) -> None:
    if plan.empty and plan.ok:
        click.echo("Nothing to change.")
    for op in plan.operations:
        mark = click.style("DESTRUCTIVE", fg="red") if op.destructive else click.style("safe", fg="green")
        click.echo(f"  [{mark}] {op.summary}")
        for detail in op.details:
            click.echo(f"          {detail}")
    for issue in plan.issues:
        click.secho(f"  refused: {issue}", fg="red")


@metadata_group.command("plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="The file is the whole metadata: unlisted objects are removed.")
@friendly_errors
def plan_command(file: str, replace: bool) -> None:
    """Show what applying FILE would change, without changing anything."""
    plan = ready_platform().metadata.plan(_read(file), replace_all=replace)
    _print_plan(plan)
    if not plan.ok:
        sys.exit(1)


@metadata_group.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm destructive operations.")
@click.option("--replace", is_flag=True, help="The file is the whole metadata: unlisted objects are removed.")
@click.option("--reason", default="", help="Why: recorded in the history.")
@click.option("--author", default="cli", show_default=True)
@friendly_errors
def apply_command(file: str, yes: bool, replace: bool, reason: str, author: str) -> None:
    """Apply the objects in FILE (a bundle or one object)."""
    p = ready_platform()
    plan = p.metadata.plan(_read(file), replace_all=replace)
    _print_plan(plan)
    version = p.metadata.apply(plan, author=author, reason=reason, confirm=yes)
    click.echo(f"Applied as version {version.id}." if version else "Already up to date.")


@metadata_group.command("export")
@click.argument("object_name", required=False)
@friendly_errors
def export_command(object_name: str | None) -> None:
    """Print the current metadata (or one object) as JSON."""
    click.echo(json.dumps(ready_platform().metadata.export(object_name), indent=2, ensure_ascii=False))


@metadata_group.command("history")
@click.option("--limit", default=50, show_default=True)
def history_command(limit: int) -> None:
    """List metadata versions, newest first."""
    for v in ready_platform().metadata.history(limit):
        restored = f" (restores v{v.restored_from})" if v.restored_from else ""
        click.echo(f"v{v.id}  {v.created_at:%Y-%m-%d %H:%M}  {v.author:<24} {v.kind}{restored}  {v.reason}")
        for op in v.diff:
            click.echo(f"      {op['summary']}")


@metadata_group.command("rollback")
@click.argument("version", type=int)
@click.option("--yes", is_flag=True, help="Confirm destructive operations.")
@click.option("--author", default="cli", show_default=True)
@friendly_errors
def rollback_command(version: int, yes: bool, author: str) -> None:
    """Restore metadata VERSION (through plan/apply, as a new version)."""
    p = ready_platform()
    plan = p.metadata.plan_rollback(version)
    _print_plan(plan)
    applied = p.metadata.apply(plan, author=author, reason=f"restore version {version}", confirm=yes,
                               kind="rollback", restored_from=version)
    click.echo(f"Restored as version {applied.id}." if applied else "Already at that state.")


@metadata_group.command("archives")
def archives_command() -> None:
    """List archived columns and tables awaiting purge."""
    for a in ready_platform().metadata.archives():
        what = f"{a.object}.{a.field}" if a.field else f"object {a.object}"
        click.echo(f"#{a.id}  {what}  (archived in v{a.archived_in_version}, table {a.physical_table})")


@metadata_group.command("purge")
@click.argument("archive_id", type=int, required=False)
@click.option("--all", "purge_all", is_flag=True, help="Purge every archive.")
@click.option("--yes", is_flag=True, required=True, help="Confirm: purged data cannot be restored.")
@friendly_errors
def purge_command(archive_id: int | None, purge_all: bool, yes: bool) -> None:
    """Delete archived data for good."""
    if archive_id is None and not purge_all:
        raise click.UsageError("give an ARCHIVE_ID or --all")
    for a in ready_platform().metadata.purge(None if purge_all else archive_id):
        click.echo(f"Purged #{a.id} ({a.object}{'.' + a.field if a.field else ''}).")


def main() -> None:
    cli(prog_name="metacrm")


from . import cli_users  # noqa: E402,F401  (registers the user and token commands on the group)
from . import cli_roles  # noqa: E402,F401  (registers the role commands)
from . import cli_outbox  # noqa: E402,F401  (registers the outbox command)
from . import cli_packs  # noqa: E402,F401  (registers the pack commands)
from . import cli_settings  # noqa: E402,F401  (registers the settings commands)
from . import cli_jobs  # noqa: E402,F401  (registers worker, scheduler and the jobs commands)
from . import cli_logic  # noqa: E402,F401  (registers the logic recompute command)
from . import cli_files  # noqa: E402,F401  (registers the files prune command)
from . import cli_import  # noqa: E402,F401  (registers the import command)
from . import cli_data  # noqa: E402,F401  (registers export, backup, restore and retention)
