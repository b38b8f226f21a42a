"""The metadata package is pure: importing it pulls in neither Flask nor a database."""

from __future__ import annotations

import subprocess
import sys


def test_metadata_imports_without_flask_or_sqlalchemy() -> None:
    code = ("import sys, metacrm.metadata, metacrm.metadata.diff, metacrm.metadata.compiled;"
            "bad = [m for m in ('flask', 'sqlalchemy', 'alembic', 'werkzeug') if m in sys.modules];"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
