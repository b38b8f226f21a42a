"""Front-end libraries served locally from the npm install (never from a CDN).

``package.json``/``package-lock.json`` at the repository root pin them and
``npm ci`` installs them into ``node_modules``; only packages named in
``package.json`` are served, so nothing else under ``node_modules`` leaks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, abort, send_from_directory

REPO_ROOT = Path(__file__).resolve().parent.parent


def assets_root() -> Path:
    return Path(os.environ.get("METACRM_ASSETS_PATH", REPO_ROOT / "node_modules"))


def served_packages() -> frozenset[str]:
    manifest = REPO_ROOT / "package.json"
    if not manifest.exists():
        return frozenset()
    return frozenset(json.loads(manifest.read_text("utf-8")).get("dependencies", {}))


def init_app(app: Flask) -> None:
    allowed = served_packages()

    @app.get("/vendor/<package>/<path:filename>")
    def vendor_asset(package: str, filename: str) -> Response:
        if package not in allowed:
            abort(404)
        response = send_from_directory(assets_root() / package, filename, max_age=86400)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
