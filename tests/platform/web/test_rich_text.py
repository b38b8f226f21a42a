"""Rich text: sanitised on the write path (any writer), rendered as HTML on record pages, words only in excerpts."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest

from metacrm.metadata.field_types.scalar import RichTextType
from metacrm.platform.records import SYSTEM
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

from .conftest import post_form

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<p onclick=alert(1) onmouseover='alert(2)'>hi</p>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="//evil.example/">x</a>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<object data="javascript:alert(1)"></object>',
    "<embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<p>unclosed <b>bold <a href="https://ok.example" onclick=alert(1)>link',
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<details open ontoggle=alert(1)>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<template><script>alert(1)</script></template>",
    '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    '<p title="x" lang="en" class="c" id="i">attributes</p>',
]


@pytest.mark.parametrize("payload", XSS)
def test_no_script_handler_or_dangerous_url_survives(payload: str) -> None:
    clean = RichTextType.sanitise(payload).lower()
    for bad in ("<script", "onerror", "onclick", "onload", "ontoggle", "onmouseover", "javascript:", "vbscript:",
                "data:", "<style", "style=", "<svg", "<iframe", "<object", "<embed", "<form", "<img", "<meta",
                "<base", "//evil", "target=", "<!--", "opener\"", "title=", "lang="):
        assert bad not in clean, (payload, clean)


def test_the_allowed_markup_is_kept_and_links_get_noopener() -> None:
    html = ('<h2>Title</h2><p>A <strong>b</strong> <b>c</b> <em>d</em> <i>e</i> <u>f</u> <s>g</s><br>h</p>'
            '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote><pre><code>x = 1</code></pre>'
            '<h3>3</h3><h4>4</h4><p><a href="https://example.org/a?b=1">web</a> <a href="mailto:a@b.example">mail</a></p>')
    clean = RichTextType.sanitise(html)
    assert clean == html.replace('">web', '" rel="noopener noreferrer">web').replace(
        '">mail', '" rel="noopener noreferrer">mail')


def test_plain_text_is_the_words_with_blocks_apart() -> None:
    assert RichTextType.plain_text("<p>One &amp; <b>two</b></p><p>three<br>four</p><script>x</script>") == \
        "One & two three four"


@pytest.fixture
def notes(apply: Callable[..., Any]) -> None:
    apply(make_object("note", fld("title", required=True), fld("body", "rich_text", max_length=60)))


def test_every_writer_stores_sanitised_html_through_the_record_service(platform: Platform, notes: None) -> None:
    record = platform.records.create(SYSTEM, "note", {"title": "t", "body": '<p onclick="x()">Hi<script>1</script></p>'})
    assert record["body"] == "<p>Hi</p>"
    updated = platform.records.update(SYSTEM, "note", record["id"], {"body": '<a href="javascript:x">y</a>'})
    assert updated["body"] == '<a rel="noopener noreferrer">y</a>'


def test_max_length_counts_the_sanitised_html(platform: Platform, notes: None) -> None:
    long_attr = '<p title="' + "x" * 500 + '">short</p>'
    assert platform.records.create(SYSTEM, "note", {"title": "t", "body": long_attr})["body"] == "<p>short</p>"


def test_the_api_stores_sanitised_html(app: Any, admin_headers: dict[str, str]) -> None:
    app.extensions["metacrm"].metadata.apply(app.extensions["metacrm"].metadata.plan(
        make_object("note", fld("title", required=True), fld("body", "rich_text"))), author="t", confirm=True)
    response = app.test_client().post("/api/v1/records/note", headers=admin_headers,
                                      json={"title": "t", "body": "<p>ok<img src=x onerror=alert(1)></p>"})
    assert response.status_code == 201 and response.get_json()["body"] == "<p>ok</p>"


def test_the_record_page_renders_the_sanitised_html_and_the_form_offers_the_editor(app: Any, browser: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(
        make_object("note", fld("title", required=True), fld("body", "rich_text"))), author="t", confirm=True)
    response = post_form(browser, "/o/note/new", title="Plan", body="<p>Be <strong>bold</strong><script>x</script></p>")
    assert response.status_code == 302, response.get_data(as_text=True)
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert '<div class="app-rich-text"><p>Be <strong>bold</strong></p></div>' in html
    form = browser.get("/o/note/new").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*data-widget="rich-text"', form), "a textarea without JavaScript"
    assert "/vendor/trix/dist/trix.umd.min.js" in form and "/vendor/trix/dist/trix.css" in form


def test_old_unsanitised_values_are_cleaned_again_when_shown(app: Any, browser: Any) -> None:
    """Values written before sanitising existed (or straight into the table) are still never live markup."""
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(
        make_object("note", fld("title", required=True), fld("body", "rich_text"))), author="t", confirm=True)
    record = platform.records.create(SYSTEM, "note", {"title": "t", "body": "<p>x</p>"})
    live = platform.schema.get()
    with platform.engine.begin() as conn:
        conn.execute(live.tables["note"].update().values(body="<p>x<img src=x onerror=alert(1)></p>"))
    html = browser.get(f"/o/note/{record['id']}").get_data(as_text=True)
    assert "onerror" not in html and '<div class="app-rich-text"><p>x</p></div>' in html
