"""Shared steps of the builder editors' tests: an object to edit, and "save → plan → apply" as a browser does it."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from tests.conftest import fld, make_object
from tests.platform.web.conftest import csrf_of

DEAL = make_object("deal", fld("title", required=True), fld("stage", "picklist", options=["New", "Won", "Lost"]),
                   fld("amount", "currency"), fld("notes", "long_text"), fld("close_date", "date"))


def add_deal(app: Any, *roles: dict[str, Any]) -> None:
    metadata = app.extensions["metacrm"].metadata
    document: dict[str, Any] = {"objects": [DEAL]}
    if roles:
        document["roles"] = list(roles)
    metadata.apply(metadata.plan(document), author="test", confirm=True)


def save_and_apply(browser: Any, editor_url: str, save_url: str, **data: Any) -> tuple[Any, Any]:
    """Post an editor's form (its CSRF token first), then confirm the plan page's form; both responses."""
    token = csrf_of(browser.get(editor_url).get_data(as_text=True))
    plan_page = browser.post(save_url, data={"csrf_token": token, **data})
    if plan_page.status_code != 200 or 'id="apply-form"' not in plan_page.get_data(as_text=True):
        return plan_page, None
    html = plan_page.get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*id="apply-form"', html).group(1)
    hidden = re.search(r'id="document" name="document" type="hidden" value="([^"]*)"', html)
    document = html_lib.unescape(hidden.group(1))
    done = browser.post(action, data={"csrf_token": csrf_of(html), "document": document, "confirm": "y"})
    return plan_page, done


def only_admins(client: Any, urls: list[str], posts: list[str]) -> None:
    """Every URL answers 403 to a signed-in non-admin, GET and POST alike."""
    for url in urls:
        assert client.get(url).status_code == 403, url
    token = csrf_of(client.get("/").get_data(as_text=True))  # a valid token: the refusal is about the role
    for url in posts:
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
