"""``metacrm outbox``: read the messages waiting in the outbox.

Until email delivery is configured, a password-reset link for a locked-out
user sits in the outbox; the operator reads it here and hands it over.
"""

from __future__ import annotations

import click

from .cli import cli, ready_platform
from .platform import outbox


@cli.command("outbox")
@click.option("--to", "to", default=None, help="Only messages to this address.")
@click.option("--limit", default=20, show_default=True, help="How many of the newest messages.")
@click.option("--body/--no-body", default=False, help="Print each message's text too.")
def outbox_command(to: str | None, limit: int, body: bool) -> None:
    """List the newest outgoing messages (newest first)."""
    found = outbox.messages(ready_platform().engine, to=to.strip().lower() if to else None, limit=limit)
    if not found:
        click.echo("The outbox is empty.")
    for message in found:
        click.echo(f"#{message.id}  {message.created_at:%Y-%m-%d %H:%M}  {message.status:<6}  {message.to}  "
                   f"{message.subject}")
        if body:
            click.echo("    " + message.body.replace("\n", "\n    "))
