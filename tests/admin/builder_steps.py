"""Steps the builder's tests share: fill a page's form, read the plan, apply it as the admin would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tests.platform.web.conftest import csrf_of


class _Hidden(HTMLParser):
    """The hidden inputs inside ``<form id="apply-form">``."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.values = False, {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == "apply-form":
            self.inside = True
        elif tag == "input" and self.inside and a.get("type") == "hidden" and a.get("name"):
            self.values[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def hidden_fields(html: str) -> dict[str, str]:
    parser = _Hidden()
    parser.feed(html)
    return parser.values


def submit(browser: Any, url: str, **data: Any) -> Any:
    """Open ``url``, then post its form with the page's CSRF token (the step before a plan)."""
    page = browser.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    return browser.post(url, data={"csrf_token": csrf_of(page.get_data(as_text=True)), **data})


def apply(browser: Any, preview: Any, **data: Any) -> Any:
    """Confirm a plan page: post its apply form (hidden change, CSRF) with a reason and ``data``."""
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html[:3000]
    fields = hidden_fields(html)
    assert "change" in fields, html[:3000]
    return browser.post("/admin/metadata/apply", data={**fields, "reason": "testing the builder", **data})


def create_object(browser: Any, label: str, name: str, **extra: Any) -> Any:
    preview = submit(browser, "/admin/objects/new", label=label, name=name, icon="house", **extra)
    return apply(browser, preview)


def add_field(browser: Any, obj: str, type_: str, **data: Any) -> Any:
    preview = submit(browser, f"/admin/objects/{obj}/fields/new?type={type_}", **data)
    return apply(browser, preview, confirm="y")
