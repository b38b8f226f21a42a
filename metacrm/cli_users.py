"""``metacrm user ...`` and ``metacrm token ...``: accounts and API tokens from the shell.

Kept out of cli.py so that file stays about metadata. These commands act as
the operator (no signed-in user): whoever can run them can already reach the
database. ``token create`` prints the token on its last line, alone, so a
script can take it with ``tail -n 1``.
"""

from __future__ import annotations

import datetime as dt

import click

from .cli import cli, friendly_errors, ready_platform
from .platform.security.tokens import SCOPES
from .platform.security.users import User
from .platform.storage.store import utcnow


def _user(email: str) -> User:
    found = ready_platform().users.get_by_email(email)
    if found is None:
        raise click.ClickException(f"No user with email {email.strip().lower()}.")
    return found


def _when(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@cli.group("user")
def user_group() -> None:
    """Create, list, disable and enable users; set passwords."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 12 characters.")
@click.option("--name", default="")
@click.option("--role", "roles", multiple=True,
              help="A role the metadata defines, or admin (repeat for several; see `metacrm role list`).")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@friendly_errors
def user_create_command(email: str, password: str, name: str, roles: tuple[str, ...], admin: bool) -> None:
    """Create a user who can sign in at once."""
    created = ready_platform().users.create(email, password, name=name, is_admin=admin, roles=roles)
    extra = f" with roles {', '.join(sorted(created.roles))}" if created.roles else ""
    click.echo(f"Created {'admin' if created.is_admin else 'user'} {created.email} (id {created.id}){extra}.")


@user_group.command("list")
def user_list_command() -> None:
    """List every user with status and roles."""
    for u in ready_platform().users.list():
        flags = [f for f, on in (("admin", u.is_admin), ("portal", u.is_portal), ("disabled", not u.is_active)) if on]
        click.echo(f"{u.id:>5}  {u.email:<32} {u.name:<24} {','.join(flags) or '-':<16} "
                   f"{','.join(sorted(u.roles)) or '-'}")


@user_group.command("disable")
@click.argument("email")
@friendly_errors
def user_disable_command(email: str) -> None:
    """Stop EMAIL signing in (password and tokens); their data is kept."""
    ready_platform().users.disable(email)
    click.echo(f"Disabled {email.strip().lower()}.")


@user_group.command("enable")
@click.argument("email")
@friendly_errors
def user_enable_command(email: str) -> None:
    """Let a disabled EMAIL sign in again, with the password and roles they had."""
    ready_platform().users.enable(email)
    click.echo(f"Enabled {email.strip().lower()}.")


@user_group.command("set-password")
@click.argument("email")
@click.option("--password", required=True, help="At least 12 characters.")
@friendly_errors
def user_set_password_command(email: str, password: str) -> None:
    """Replace EMAIL's password."""
    ready_platform().users.set_password(email, password)
    click.echo(f"Password changed for {email.strip().lower()}.")


@cli.group("token")
def token_group() -> None:
    """Create, list and revoke API tokens (sent as 'Authorization: Bearer <token>')."""


@token_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, to tell tokens apart.")
@click.option("--scope", type=click.Choice(SCOPES), default="write", show_default=True)
@click.option("--expires-days", type=click.IntRange(min=1), default=None, help="Expire after N days (default never).")
@friendly_errors
def token_create_command(email: str, name: str, scope: str, expires_days: int | None) -> None:
    """Create an API token for EMAIL; it is printed once, on the last line."""
    owner = _user(email)
    expires_at = utcnow() + dt.timedelta(days=expires_days) if expires_days else None
    text, info = ready_platform().tokens.create(owner.id, name, scope=scope, expires_at=expires_at)
    click.echo(f"Created token #{info.id} '{info.name}' ({info.scope}, expires {_when(info.expires_at)}) "
               f"for {owner.email}. Copy it now; it cannot be shown again:")
    click.echo(text)


@token_group.command("list")
@click.argument("email")
@friendly_errors
def token_list_command(email: str) -> None:
    """List EMAIL's tokens (never the secrets)."""
    now = utcnow()
    for t in ready_platform().tokens.list(_user(email).id):
        state = "revoked" if t.revoked_at else ("expired" if not t.active(now) else "active")
        click.echo(f"#{t.id:<5} {t.display:<18} {t.name:<24} {t.scope:<6} {state:<8} "
                   f"created {_when(t.created_at)}  expires {_when(t.expires_at)}  last used {_when(t.last_used_at)}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@friendly_errors
def token_revoke_command(token_id: int) -> None:
    """Revoke token TOKEN_ID for good."""
    info = ready_platform().tokens.revoke(token_id, None)
    click.echo(f"Revoked token #{info.id} '{info.name}'.")
