"""List cells: formatted in the reader's locale and time zone, with Babel's answer, a column at a time.

A page builds one formatter per column and resolves the locale once per request
(``lists/locale_formats.py``); these tests pin that the shortcut says exactly
what Flask-Babel's own helpers say, and that a list page does not repeat the
metadata-version check or read personal views it does not show.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import format_currency, format_date, format_datetime, format_decimal

from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.storage.platform_tables import user as user_table
from metacrm.platform.web import list_views
from metacrm.platform.web.i18n import SUPPORTED
from metacrm.platform.web.lists.locale_formats import request_formats
from tests.conftest import ADMIN_EMAIL

from .test_list_pages import count_of, deals, rows_of  # noqa: F401  (deals: the fixture)

VALUES = [Decimal("0"), Decimal("1234.5"), Decimal("-98765.432"), 7, 1_000_000]


@pytest.mark.parametrize("locale", SUPPORTED)
def test_the_formats_say_what_flask_babel_says(app: Any, locale: str) -> None:
    when = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)
    with app.test_request_context(headers={"Accept-Language": locale}):
        formats = request_formats()
        assert str(formats.locale) == locale
        for value in VALUES:
            assert formats.decimal(value) == format_decimal(value)
            assert formats.currency(value, "EUR") == format_currency(value, "EUR")
            assert formats.currency(value, "JPY") == format_currency(value, "JPY")  # no decimals for yen
        assert formats.date(when.date()) == format_date(when.date(), "medium")
        assert formats.datetime(when) == format_datetime(when, "short")
        assert request_formats() is formats  # resolved once per request


def set_locale(app: Any, locale: str, time_zone: str) -> None:
    with app.extensions["metacrm"].engine.begin() as conn:
        conn.execute(sa.update(user_table).where(user_table.c.email == ADMIN_EMAIL)
                     .values(locale=locale, time_zone=time_zone))


def test_a_german_user_reads_german_numbers_dates_and_local_times(app: Any, browser: Any, deals: Any) -> None:
    set_locale(app, "de", "Europe/Berlin")
    html = browser.get("/o/deal?col=title&col=amount&col=close_date&col=hot&col=created_at&sort=amount"
                       "&title=Deal 012").get_data(as_text=True)
    row = re.search(r'<tr data-id="12".*?</tr>', html, re.S).group(0)
    assert "1.200,00\xa0$" in row and "13.01.2026" in row  # amount 1200, close date 2026-01-13
    created = deals.records.get(SYSTEM, "deal", 12)["created_at"]
    berlin = created.astimezone(dt.timezone(dt.timedelta(hours=1)))  # January: CET, UTC+1
    assert f"{berlin:%d.%m.%y}, {berlin:%H:%M}" in row  # shown in the user's time zone


def test_arabic_users_get_arabic_formats_in_a_right_to_left_list(app: Any, browser: Any, deals: Any) -> None:
    set_locale(app, "ar", "UTC")
    html = browser.get("/o/deal?col=title&col=amount&sort=amount&title=Deal 012").get_data(as_text=True)
    assert 'dir="rtl"' in html
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        expected = format_currency(Decimal("1200"), "USD")
    assert expected in html


def test_the_count_follows_the_filters_and_stops_at_the_cap(browser: Any, deals: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    html = browser.get("/o/deal?stage=Won&sort=amount").get_data(as_text=True)
    assert len(rows_of(html)) == 40 and "1–40 of 40" in html  # one page: its own count, no request
    monkeypatch.setattr(list_views, "COUNT_CAP", 30)
    html = browser.get("/o/deal?sort=amount").get_data(as_text=True)
    assert count_of(browser, html) == "1–50 of 30+"
    assert browser.get("/o/deal/count?amount__gte=lots").get_data(as_text=True) == "No records"


def test_a_list_page_checks_the_metadata_version_once(app: Any, browser: Any, deals: Any) -> None:
    """The page, the names of the records its lookups point at and the shell share one schema version."""
    statements: list[str] = []
    engine = app.extensions["metacrm"].engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        browser.get("/o/deal", headers={"HX-Request": "true", "HX-Target": "list-results"})
        partial = list(statements)
        statements.clear()
        browser.get("/o/deal")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert sum("metacrm_meta_version" in s for s in partial) == 1
    assert sum("metacrm_meta_version" in s for s in statements) == 1
    assert not any("metacrm_saved_view" in s for s in partial)  # the htmx swap shows no view picker
    assert sum("metacrm_saved_view" in s for s in statements) == 1
    assert not any("count(" in s and "obj_deal" in s for s in statements)  # counted by its own request


def test_values_are_escaped_in_cells_links_and_cards(browser: Any, deals: Any) -> None:
    evil = '<img src=x onerror="alert(1)">'
    deals.records.create(SYSTEM, "deal", {"title": evil, "code": f'"><script>{"x" * 130}', "stage": "Won"})
    html = browser.get("/o/deal?col=title&col=code&col=stage&title__icontains=img").get_data(as_text=True)
    row = re.search(r'<tr data-id="121".*?</tr>', html, re.S).group(0)
    assert "<img" not in row and "<script>" not in row
    assert '<a href="/o/deal/121">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</a>' in row  # the name links the record
    assert 'title="&#34;&gt;&lt;script&gt;xxx' in row and "…</span>" in row  # long text: cut, whole in the title
    board = browser.get("/o/deal/kanban?by=stage&title__icontains=img").get_data(as_text=True)
    assert "<img" not in board and "&lt;img src=x" in board



def test_rich_text_shows_its_words_in_cells_and_exports(app: Any, browser: Any) -> None:
    from metacrm.platform.records import SYSTEM
    from tests.conftest import fld, make_object

    platform = app.extensions["metacrm"]
    doc = {"objects": [make_object("note", fld("title"), fld("body", "rich_text"))]}
    platform.metadata.apply(platform.metadata.plan(doc), author="test", confirm=True)
    platform.records.create(SYSTEM, "note", {"title": "First", "body": "<p>Call <strong>Ada</strong> &amp; Bob</p>"})
    html = browser.get("/o/note?col=title&col=body").get_data(as_text=True)
    assert "Call Ada &amp; Bob" in html and "<strong>Ada" not in html
    csv_text = browser.get("/o/note/export.csv?col=title&col=body").get_data(as_text=True)
    assert "Call Ada & Bob" in csv_text
