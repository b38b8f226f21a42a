"""The state-machine diagram: a pure SVG of states and arrows (tooltips with roles and conditions), and the
read-only page that shows it for each machine of an object, for admins only."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest

from metacrm.admin import state_diagram
from tests.admin.builder_helpers import DEAL, only_admins
from tests.platform.web.conftest import USER_EMAIL, USER_PASSWORD, sign_in

SVG = "{http://www.w3.org/2000/svg}"
MACHINE = {"field": "stage", "initial": "New",
           "transitions": [{"from": "New", "to": ["Won", "Lost"]},
                           {"from": "Won", "to": "New", "roles": ["admin"], "condition": "amount > 0",
                            "message": "Needs an amount"},
                           {"from": "*", "to": "Lost"}],
           "states": {"Lost": {"locked": True, "on_enter": [{"type": "set_field", "fields": {"amount": 0}}]}}}
CHOICES = ["New", "Won", "Lost"]


def test_the_diagram_has_a_box_per_state_and_an_arrow_per_move() -> None:
    svg = ElementTree.fromstring(state_diagram.render_svg(CHOICES, MACHINE, title="Deal: Stage"))
    states = [g.get("data-state") for g in svg.iter(f"{SVG}g") if g.get("class") == "sd-state"]
    assert states == ["*", "New", "Won", "Lost"]  # "any state" first, then the picklist's order
    moves = {(g.get("data-from"), g.get("data-to")): g.find(f"{SVG}title").text
             for g in svg.iter(f"{SVG}g") if g.get("class") == "sd-move"}
    assert set(moves) == {("New", "Won"), ("New", "Lost"), ("Won", "New"), ("*", "Lost")}
    assert moves[("Won", "New")] == "Won → New · roles: admin · if amount > 0"
    assert moves[("*", "Lost")] == "any state → Lost · roles: anyone who may edit"
    lost = next(g for g in svg.iter(f"{SVG}g") if g.get("data-state") == "Lost")
    assert "locked" in lost.find(f"{SVG}title").text and "on enter: set_field" in lost.find(f"{SVG}title").text


def test_backward_moves_arc_below_and_text_is_escaped() -> None:
    machine = {"field": "s", "transitions": [{"from": "A", "to": "B"}, {"from": "B", "to": "A"}]}
    svg = ElementTree.fromstring(state_diagram.render_svg(["A", "B"], machine))
    paths = {g.get("data-from"): g.find(f"{SVG}path").get("d") for g in svg.iter(f"{SVG}g")
             if g.get("class") == "sd-move"}
    forward_peak = float(paths["A"].split("C")[1].split()[0].split(",")[1])
    backward_peak = float(paths["B"].split("C")[1].split()[0].split(",")[1])
    assert forward_peak < backward_peak  # SVG y grows downwards: forward above, backward below
    hostile = state_diagram.render_svg(["<b>&"], {"transitions": [{"from": "<b>&", "to": "x\"y"}]})
    assert "<b>" not in hostile and ElementTree.fromstring(hostile) is not None


@pytest.fixture
def deal_with_machine(app: Any) -> Any:
    metadata = app.extensions["metacrm"].metadata
    metadata.apply(metadata.plan({"objects": [{**DEAL, "state_machines": [MACHINE]}]}), author="test", confirm=True)
    return metadata


def test_the_page_draws_each_machine(browser: Any, deal_with_machine: Any) -> None:
    page = browser.get("/admin/objects/deal/state-machines/").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram"' in page
    assert 'data-field="stage"' in page and "amount &gt; 0" in page and "Needs an amount" in page
    assert "/admin/objects/deal/state-machines/" in browser.get("/admin/objects/deal/").get_data(as_text=True)


def test_an_object_without_a_machine_says_so(browser: Any, app: Any) -> None:
    metadata = app.extensions["metacrm"].metadata
    metadata.apply(metadata.plan({"objects": [DEAL]}), author="test", confirm=True)
    assert 'id="no-machines"' in browser.get("/admin/objects/deal/state-machines/").get_data(as_text=True)
    assert browser.get("/admin/objects/nothing/state-machines/").status_code == 404


def test_only_admins_see_state_machines(client: Any, plain_user: Any, deal_with_machine: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    only_admins(client, ["/admin/objects/deal/state-machines/"], [])
