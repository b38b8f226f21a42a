"""Loading plugins: broken ones are reported and skipped, the app starts anyway."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, Callable

from metacrm.platform.packs import builtin_packs, open_pack
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, basic_auth

from .conftest import EXAMPLE


def write_module(folder: Path, name: str, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(code))
    return folder


def plugins(app: Any) -> dict[str, dict[str, Any]]:
    response = app.test_client().get("/api/v1/plugins", headers=basic_auth(ADMIN_EMAIL, ADMIN_PASSWORD))
    return {p["name"]: p for p in response.get_json()["plugins"]}


def test_a_broken_plugin_is_reported_and_the_app_still_starts(
        install: Callable[..., None], make_app: Callable[[], Any], tmp_path: Path) -> None:
    code = write_module(tmp_path / "code", "exploding", """
        def setup(ctx):
            ctx.listen("record.created", print)
            raise RuntimeError("the config file is missing")
    """)
    install("broken-plugins", {"missing": "no_such_module:plugin", "exploding": "exploding"}, code_dir=code)
    install("metacrm-rating", {"rating": "metacrm_rating:plugin"}, code_dir=EXAMPLE)
    app = make_app()
    found = plugins(app)
    assert found["missing"]["status"] == "failed" and "ModuleNotFoundError" in found["missing"]["error"]
    assert found["exploding"] == {**found["exploding"], "status": "failed",
                                  "error": "RuntimeError: the config file is missing"}
    assert found["rating"]["status"] == "loaded"
    assert app.test_client().get("/healthz").status_code == 200
    # the failed plugin's listener was declared before it failed, and was not applied
    assert print not in [x for (name, _), xs in app.extensions["metacrm"].records.bus._listeners.items() for x in xs]


def test_a_plugin_cannot_take_over_a_built_in_field_type(
        install: Callable[..., None], make_app: Callable[[], Any], tmp_path: Path) -> None:
    code = write_module(tmp_path / "code", "usurper", """
        from metacrm.metadata.field_types import TextType

        class Text(TextType):
            pass

        def setup(ctx):
            ctx.add_field_type(Text)
    """)
    install("usurper", {"usurper": "usurper"}, code_dir=code)
    found = plugins(make_app())
    assert found["usurper"]["status"] == "failed" and 'field type "text" is already registered' in \
        found["usurper"]["error"]


def test_a_plugin_brings_pack_folders(install: Callable[..., None], make_app: Callable[[], Any],
                                      tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "dental"
    (pack / "objects").mkdir(parents=True)
    (pack / "pack.json").write_text(json.dumps({"name": "dental", "label": "Dental", "version": "0.1.0",
                                                "description": "Patients and appointments",
                                                "requires": {"base_crm": ">=1.0"}}))
    code = write_module(tmp_path / "code", "dental_plugin", f"""
        def setup(ctx):
            ctx.add_pack_folder({str(tmp_path / "packs")!r})
    """)
    install("dental", {"dental": "dental_plugin"}, code_dir=code)
    make_app()
    assert "dental" in [p.name for p in builtin_packs()]
    with open_pack("dental") as found:
        assert found.manifest.label == "Dental"


def test_only_admins_see_the_plugin_list(app: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.users.create("pat@example.com", "another long passphrase")
    response = app.test_client().get("/api/v1/plugins", headers=basic_auth("pat@example.com",
                                                                            "another long passphrase"))
    assert response.status_code == 403
