"""The no-code builder: a client of the metadata service, never a second way to write schema.

Every page here is for administrators only (``guard.admin_required``) and
changes metadata through the same plan/apply path as the CLI and the API:
the page shows the plan, the admin confirms, the service applies.
"""

from __future__ import annotations

from flask import Flask

from . import assets_views, home_views, layouts_views, packs_views, roles_views, rules_views, users_views, views_views
from . import pack_export_views, plugins_views
from . import bundle_views, change_flow, fields_views, history_views, objects_views
from . import state_machine_views, workflows_views


def init_app(app: Flask) -> None:
    app.register_blueprint(home_views.bp)
    app.register_blueprint(packs_views.bp)
    app.register_blueprint(plugins_views.bp)  # loaded and failed plugins
    app.register_blueprint(pack_export_views.bp)  # the admin's customisations as a pack
    app.register_blueprint(assets_views.bp)
    app.register_blueprint(layouts_views.bp)
    app.register_blueprint(rules_views.bp)
    app.register_blueprint(roles_views.bp)
    app.register_blueprint(users_views.bp)
    app.register_blueprint(views_views.bp)
    app.register_blueprint(workflows_views.bp)  # /admin/objects/<object>/workflows
    app.register_blueprint(state_machine_views.bp)  # /admin/objects/<object>/state-machines
    for module in (objects_views, fields_views, history_views, bundle_views, change_flow):
        app.register_blueprint(module.bp)
