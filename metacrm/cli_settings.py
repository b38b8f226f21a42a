"""``metacrm settings``: show and change the organisation settings (fiscal year, holidays, time zone).

The same validation as ``PUT /api/v1/settings``; every process sees a change
from its next request (the settings are checked once per request).
"""

from __future__ import annotations

import json

import click

from .cli import cli, friendly_errors, ready_platform
from .platform.logic.org_settings import KEYS, coerce_cli_value


@cli.group("settings")
def settings_group() -> None:
    """Organisation settings: fiscal_year_start, holiday_country, holiday_subdivision, extra_holidays,
    removed_holidays, time_zone."""


@settings_group.command("show")
@friendly_errors
def show_command() -> None:
    """Each setting's effective value; (default) marks those that come from the environment."""
    document = ready_platform().settings.document()  # type: ignore[union-attr]
    for key in KEYS:
        origin = "" if key in document["stored"] else "  (default)"
        click.echo(f"{key} = {json.dumps(document['settings'][key])}{origin}")


@settings_group.command("set")
@click.argument("key", type=click.Choice(KEYS))
@click.argument("value")
@friendly_errors
def set_command(key: str, value: str) -> None:
    """Set KEY to VALUE (JSON, or text; dates comma-separated; "null" resets to the default)."""
    settings = ready_platform().settings
    assert settings is not None
    settings.update({key: coerce_cli_value(key, value)}, author="cli")
    click.echo(f"{key} = {json.dumps(settings.document()['settings'][key])}")
