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
from . import assets
from .platform.api import audit_api, docs_page, metadata_api, openapi_api, problems, records_api, users_api
from .platform.api import sharing_api
from .platform import web
from .platform.runtime import Platform


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config())
    app.config.from_mapping(test_config or {})
    app.json.sort_keys = False  # records keep their fields' order, as the metadata defines it
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    platform = Platform.from_url(app.config["DATABASE_URL"], migrate=app.config.get("AUTO_MIGRATE", False))
    app.extensions["metacrm"] = platform
    problems.init_app(app)
    app.register_blueprint(metadata_api.bp)
    app.register_blueprint(records_api.bp)
    app.register_blueprint(records_api.search_bp)
    app.register_blueprint(sharing_api.bp)  # a record's shares, team and denies
    app.register_blueprint(audit_api.bp)
    app.register_blueprint(users_api.bp)
    app.register_blueprint(openapi_api.bp)
    app.register_blueprint(docs_page.bp)
    assets.init_app(app)
    web.init_app(app)

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        return {"status": "ok", "metadata_version": platform.metadata.current().version}

    # Plugins register field types before this point; serving starts with a fixed set.
    app.before_request_funcs.setdefault(None, []).insert(0, _freeze_registries)
    return app


def _freeze_registries() -> None:
    FIELD_TYPES.freeze()
