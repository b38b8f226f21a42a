"""The Flask application factory.

``create_app(test_config)`` builds one platform (engine, schema cache,
services) and keeps it in ``app.extensions["metacrm"]``; each module wires
itself in with ``init_app``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from .config import load_config
from .metadata.field_types import FIELD_TYPES
from . import admin, assets
from .platform.api import audit_api, docs_page, metadata_api, openapi_api, problems, records_api, users_api
from .platform.api import jobs_api, plugins_api, sharing_api
from .platform.api import workflows_api
from .platform.api import approvals_api
from .platform.api import conversions_api
from .platform.api import notifications_api, workflow_hooks_api
from .platform.api import files_api
from .platform.api import scripts_api, settings_api
from .platform.api import exports_api, privacy_api
from .platform.api import reports_api
from .platform.api import duplicates_api
from .platform import web
from .platform.runtime import Platform
from .plugins import PluginManager


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config())
    app.config.from_mapping(test_config or {})
    app.json.sort_keys = False  # records keep their fields' order, as the metadata defines it
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    plugins = PluginManager()
    if app.config.get("PLUGINS", True):
        plugins.load()
        plugins.register_types()  # before any metadata is compiled
    platform = Platform.from_url(app.config["DATABASE_URL"], migrate=app.config.get("AUTO_MIGRATE", False))
    app.extensions["metacrm"] = platform
    _plan_schedules(platform)
    problems.init_app(app)
    app.register_blueprint(metadata_api.bp)
    app.register_blueprint(records_api.bp)
    app.register_blueprint(records_api.search_bp)
    app.register_blueprint(sharing_api.bp)  # a record's shares, team and denies
    app.register_blueprint(audit_api.bp)
    app.register_blueprint(files_api.bp)  # uploads, and downloads through a record
    app.register_blueprint(users_api.bp)
    app.register_blueprint(workflows_api.bp)  # the workflow run log and manual workflows' buttons
    app.register_blueprint(approvals_api.bp)  # submit, decide, recall; my queue (docs/workflows.md)
    app.register_blueprint(conversions_api.bp)  # lead conversion (docs/api.md)
    app.register_blueprint(workflow_hooks_api.bp)  # inbound webhooks of workflows, signed (docs/workflows.md)
    app.register_blueprint(notifications_api.bp)  # a user's own notifications
    app.register_blueprint(jobs_api.bp)  # background jobs, for admins
    app.register_blueprint(scripts_api.bp)  # API scripts (docs/logic.md)
    app.register_blueprint(settings_api.bp)  # organisation settings; checked once per request
    app.register_blueprint(exports_api.bp)  # whole-object exports, legal holds (docs/data.md)
    app.register_blueprint(privacy_api.bp)  # personal-data export and erasure (docs/data.md)
    app.register_blueprint(openapi_api.bp)
    app.register_blueprint(docs_page.bp)
    app.register_blueprint(plugins_api.bp)
    app.register_blueprint(reports_api.bp)  # reports and dashboards (docs/reports.md)
    app.register_blueprint(duplicates_api.bp)  # probable duplicates and merge (docs/import.md)
    assets.init_app(app)
    web.init_app(app)
    admin.init_app(app)  # the builder: admins only
    plugins.init_app(app, platform)

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        return {"status": "ok", "metadata_version": platform.metadata.current().version}

    # Plugins register field types before this point; serving starts with a fixed set.
    app.before_request_funcs.setdefault(None, []).insert(0, _freeze_registries)
    return app


def _plan_schedules(platform: Platform) -> None:
    """Plan the schedule triggers of the current metadata at start-up (docs/workflows.md); a database
    not initialised yet (``metacrm init`` runs later) is not an error here."""
    from sqlalchemy.exc import SQLAlchemyError

    from .platform.workflows import schedules

    try:
        schedules.sync(platform.workflows)
    except SQLAlchemyError as exc:
        logging.getLogger(__name__).warning("schedule triggers not planned: %s", exc)


def _freeze_registries() -> None:
    FIELD_TYPES.freeze()
