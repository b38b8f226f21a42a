"""``metacrm role ...``: the roles the metadata defines, and who holds them.

Roles themselves are metadata (changed with ``metacrm metadata apply``);
these commands read them and grant or revoke them. Like ``metacrm user``
they act as the operator; every grant and revoke is written to the
security log as a permission change by the user service.
"""

from __future__ import annotations

import click

from metacrm.metadata.compiled import CompiledSchema
from metacrm.metadata.definitions import ADMIN_ROLE, OBJECT_PERMISSIONS, RoleDef
from metacrm.metadata.names import did_you_mean

from .cli import cli, friendly_errors, ready_platform
from .platform.security.masking import shape
from .platform.security.role_names import assignable

SHORT = {"create": "C", "read": "R", "update": "U", "delete": "D", "view_all": "view_all",
         "modify_all": "modify_all"}


def _role(name: str) -> RoleDef | None:
    """The role of the current metadata (None for the built-in admin), or a did-you-mean error."""
    roles = ready_platform().metadata.current().compiled.roles
    if name == ADMIN_ROLE:
        return None
    if name not in roles:
        raise click.ClickException(f'No role "{name}" in the metadata{did_you_mean(name, assignable(roles))} '
                                   f"(roles: {', '.join(assignable(roles))}).")
    return roles[name]


@cli.group("role")
def role_group() -> None:
    """List roles, show their permissions, grant and revoke them."""


@role_group.command("list")
def role_list_command() -> None:
    """List every role with its label, owner and number of active users."""
    p = ready_platform()
    roles = p.metadata.current().compiled.roles
    counts = p.users.role_counts()
    click.echo(f"{'ROLE':<24} {'LABEL':<28} {'OWNER':<24} USERS")
    click.echo(f"{ADMIN_ROLE:<24} {'Administrator (built in)':<28} {'core':<24} {counts.get(ADMIN_ROLE, 0)}")
    for name in sorted(roles):
        r = roles[name]
        click.echo(f"{name:<24} {r.label:<28} {r.owner:<24} {counts.get(name, 0)}")
    stale = sorted(set(counts) - set(roles) - {ADMIN_ROLE})
    if stale:
        click.echo(f"Held but no longer defined (they grant nothing): {', '.join(stale)}")


@role_group.command("show")
@click.argument("name")
@friendly_errors
def role_show_command(name: str) -> None:
    """Show NAME's object permissions and field restrictions as tables."""
    role = _role(name)
    if role is None:
        click.echo(f"{ADMIN_ROLE}: built in; administrators may do everything on every object.")
        return
    click.echo(f"{role.name} — {role.label} (owner {role.owner})")
    if role.description:
        click.echo(role.description)
    click.echo("")
    click.echo(f"{'OBJECT':<24} " + " ".join(f"{SHORT[p]:<10}" for p in OBJECT_PERMISSIONS))
    for obj in sorted(role.objects):
        marks = " ".join(f"{'yes' if role.grants(obj, p) else '-':<10}" for p in OBJECT_PERMISSIONS)
        click.echo(f"{obj:<24} {marks}")
    if not role.objects:
        click.echo("(no object permissions: this role grants nothing)")
    if role.fields:
        schema = ready_platform().metadata.current().compiled
        click.echo("")
        click.echo(f"{'FIELD':<40} ACCESS")
        for obj in sorted(role.fields):
            for field_name, access in sorted(role.fields[obj].items()):
                click.echo(f"{obj + '.' + field_name:<40} {access}{_mask_note(schema, obj, field_name, access)}")


def _mask_note(schema: CompiledSchema, obj: str, field_name: str, access: str) -> str:
    """For a masked field, how much of it the role sees (the field's mask)."""
    if access != "masked":
        return ""
    compiled = schema.objects.get(obj)
    f = compiled.fields.get(field_name) if compiled is not None else None
    first, last = shape(f.definition if f is not None else None)
    return f" (shows first {first}, last {last} characters)" if first else f" (shows last {last} characters)"


@role_group.command("grant")
@click.argument("email")
@click.argument("role")
@friendly_errors
def role_grant_command(email: str, role: str) -> None:
    """Give EMAIL the role ROLE (admin: make an administrator)."""
    u = ready_platform().users.grant_role(email, role)
    click.echo(f"{u.email} now holds: {', '.join(_held(u.roles, u.is_admin)) or 'no role'}.")


@role_group.command("revoke")
@click.argument("email")
@click.argument("role")
@friendly_errors
def role_revoke_command(email: str, role: str) -> None:
    """Take ROLE away from EMAIL."""
    u = ready_platform().users.revoke_role(email, role)
    click.echo(f"{u.email} now holds: {', '.join(_held(u.roles, u.is_admin)) or 'no role'}.")


def _held(roles: frozenset[str], is_admin: bool) -> list[str]:
    return ([ADMIN_ROLE] if is_admin else []) + sorted(roles)
