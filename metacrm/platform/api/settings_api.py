"""``GET``/``PUT /api/v1/settings``: the organisation settings, for administrators only.

PUT takes any subset of the keys (null resets a key to its environment
default; keys left out stay as they are) and answers with the document GET
returns. The blueprint also checks the settings once at the start of every
request (one small query, like the schema version), so formulas served by
this process use an admin's change from the next request on.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from ..logic import org_settings
from .auth import require_admin
from .bodies import json_body
from .context import platform

bp = Blueprint("settings_api", __name__, url_prefix="/api/v1/settings")
log = logging.getLogger(__name__)


@bp.before_app_request
def _check_settings() -> None:
    settings = platform().settings
    if settings is None:
        return
    try:
        org_settings.begin_request(settings)
    except sa.exc.SQLAlchemyError as exc:  # a database not initialised yet: saves check again themselves
        log.debug("organisation settings not checked: %s", exc)


@bp.teardown_app_request
def _request_done(_exc: BaseException | None) -> None:
    org_settings.end_request()


@bp.get("")
def get_settings() -> Response:
    """Effective values (``settings``), the keys set here (``stored``) and the environment's ``defaults``."""
    require_admin("read the organisation settings")
    return jsonify(platform().settings.document())  # type: ignore[union-attr]


@bp.put("")
def put_settings() -> Response:
    admin = require_admin("change the organisation settings")
    settings = platform().settings
    assert settings is not None
    settings.update(json_body(what="the settings"), author=admin.email)
    return jsonify(settings.document())
