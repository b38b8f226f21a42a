"""The plugins page: loaded and failed plugins, what each adds, and the error of a failed one."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Callable

from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, sign_in
from tests.plugins.conftest import EXAMPLE, install, make_app  # noqa: F401  (fixtures)


def test_the_setup_home_links_to_it(browser: Any) -> None:
    html = browser.get("/admin/").get_data(as_text=True)
    assert 'id="plugins-card"' in html and 'href="/admin/plugins/"' in html


def test_built_ins_are_listed_with_what_they_add(browser: Any) -> None:
    html = browser.get("/admin/plugins/").get_data(as_text=True)
    assert 'data-plugin="messaging" data-status="loaded"' in html and "Built-in" in html
    assert "workflow action send_email" in html and "job email.send" in html
    assert 'data-plugin="rich_text"' in html and "field type rich_text" in html
    assert 'id="plugins-failed"' not in html


def test_a_failed_plugin_is_shown_first_with_its_error(
        install: Callable[..., None], make_app: Callable[[], Any], tmp_path: Path) -> None:  # noqa: F811
    code = tmp_path / "code"
    code.mkdir()
    (code / "broken_sync.py").write_text(textwrap.dedent("""
        def setup(ctx):
            raise RuntimeError("SYNC_TOKEN is not set")
    """))
    install("broken-sync", {"sync": "broken_sync"}, code_dir=code)
    install("metacrm-rating", {"rating": "metacrm_rating:plugin"}, code_dir=EXAMPLE)
    client = make_app().test_client()
    sign_in(client)
    html = client.get("/admin/plugins/").get_data(as_text=True)
    assert 'id="plugins-failed"' in html and "1 plugin failed to load" in html
    assert html.index('data-plugin="sync"') < html.index('data-plugin="messaging"')
    assert 'data-plugin="sync" data-status="failed"' in html and "RuntimeError: SYNC_TOKEN is not set" in html
    assert 'data-plugin="rating" data-status="loaded"' in html and "field type rating" in html


def test_it_is_for_administrators_only(client: Any, plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    assert client.get("/admin/plugins/").status_code == 403
