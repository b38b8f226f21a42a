"""Access to the platform from inside a Flask request (the one place views reach it)."""

from __future__ import annotations

from flask import current_app

from ..runtime import Platform


def platform() -> Platform:
    return current_app.extensions["metacrm"]
