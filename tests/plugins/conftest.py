"""Installing plugins for a test: a ``.dist-info`` on ``sys.path`` is what ``pip install`` leaves
behind, so ``importlib.metadata`` finds the entry points exactly as it would in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from metacrm.metadata.field_types import FIELD_TYPES
from metacrm.platform.packs import source
from metacrm.platform.web.forms.factory import FORMS
from metacrm.platform.workflows.actions import ACTIONS
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plugins" / "metacrm_rating"


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """install(name, entry_points={"rating": "metacrm_rating:plugin"}, code_dir=...) registers a distribution."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def _install(name: str, entry_points: dict[str, str], code_dir: Path | None = None) -> None:
        info = site / f"{name.replace('-', '_')}-1.0.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\n")
        lines = "".join(f"{k} = {v}\n" for k, v in entry_points.items())
        (info / "entry_points.txt").write_text(f"[metacrm.plugins]\n{lines}")
        if code_dir is not None:
            monkeypatch.syspath_prepend(str(code_dir))

    builders = dict(FORMS._builders)
    folders = list(source._PLUGIN_DIRS)
    actions = dict(ACTIONS)
    with FIELD_TYPES.isolated():
        yield _install
    FORMS._builders = builders
    source._PLUGIN_DIRS[:] = folders
    ACTIONS.clear()
    ACTIONS.update(actions)


@pytest.fixture
def make_app(database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Any]]:
    """Build the app after the test installed its plugins (the ``app`` fixture would load none)."""
    apps: list[Any] = []
    monkeypatch.setenv("METACRM_INSTANCE_PATH", str(tmp_path / "instance"))

    def _make() -> Any:
        from metacrm.app import create_app

        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True,
                          "AUTO_MIGRATE": True})
        app.extensions["metacrm"].users.create(ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True)
        apps.append(app)
        return app
    yield _make
    for app in apps:
        app.extensions["metacrm"].engine.dispose()
