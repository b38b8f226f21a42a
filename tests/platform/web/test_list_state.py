"""The list URL state (pure), and list views changing as metadata without DDL."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from metacrm.metadata.compiled import compile_schema
from metacrm.metadata.list_views import FILTER_OPERATORS, default_view
from metacrm.metadata.loader import load_bundle
from metacrm.platform.query.model import OPERATORS
from metacrm.platform.web.lists.saved_views import SavedView
from metacrm.platform.web.lists.state import read_state
from tests.conftest import fld, make_object

DEAL = make_object("deal", fld("title"), fld("stage", "picklist", options=["New", "Won"]), fld("amount", "currency"),
                   fld("secret"))


def obj() -> Any:
    return compile_schema(load_bundle({"objects": [DEAL]}).bundle, 1).objects["deal"]


def state(query: str, visible: tuple[str, ...] = ("title", "stage", "amount", "secret")) -> Any:
    o = obj()
    return read_state(o, default_view(o.definition), MultiDict(parse_qsl(query)), visible)


def test_the_metadata_layer_knows_every_operator_of_the_query_language() -> None:
    assert FILTER_OPERATORS == OPERATORS


def test_the_url_round_trips(app: Any) -> None:
    with app.test_request_context():
        s = state("q=acme&stage=Won&amount__gte=10&sort=amount&cols=title,amount&cursor=C2&back=-&back=C1&view=all")
        assert s.url() == ("/o/deal?cols=title%2Camount&sort=amount&q=acme&amount__gte=10&stage=Won"
                           "&cursor=C2&back=-&back=C1")
        assert state(s.url().split("?", 1)[1]).url() == s.url()
        assert s.query_params(count=True) == {
            "stage": ["Won"], "amount__gte": ["10"], "q": ["acme"], "sort": ["amount"], "limit": ["50"],
            "fields": ["title,amount"], "cursor": ["C2"], "count": ["1"]}
        assert s.page_index == 2
        assert s.previous_url() == "/o/deal?cols=title%2Camount&sort=amount&q=acme&amount__gte=10&stage=Won&cursor=C1&back=-"
        assert s.next_url("C3").endswith("cursor=C3&back=-&back=C1&back=C2")


def test_sorting_restarts_paging_and_toggles(app: Any) -> None:
    with app.test_request_context():
        s = state("sort=amount&cursor=C2&back=-")
        assert s.sort_of("amount") == "ascending" and s.sort_of("title") is None
        assert s.sort_url("amount") == "/o/deal?sort=-amount"
        assert state("sort=-amount").sort_url("amount") == "/o/deal?sort=amount"
        assert state("").sort_of("amount") is None  # the default sort (-updated_at) is not a column


def test_hidden_or_unknown_columns_are_dropped(app: Any) -> None:
    with app.test_request_context():
        s = state("cols=title,secret,nope", visible=("title", "stage", "amount"))
        assert [c.name for c in s.columns] == ["title"]
        assert [c.name for c in state("cols=secret", visible=("title",)).columns] == ["title"]


def test_a_saved_view_replays_its_state(app: Any) -> None:
    with app.test_request_context():
        s = state("stage=Won&sort=-amount&q=acme&cols=title,amount")
        saved = SavedView(7, "Mine", s.saved_state())
        view = saved.as_view(50)
        assert view.name == "my:7" and view.columns == ("title", "amount") and view.sort == "-amount"
        assert dict(view.filters) == {"q": "acme", "stage": "Won"}
        o = obj()
        again = read_state(o, view, MultiDict(), ("title", "stage", "amount"))
        assert again.query_params(count=False)["stage"] == ["Won"] and again.url() == "/o/deal?view=my%3A7"


def test_changing_only_views_is_a_new_version_without_ddl(platform: Any) -> None:
    platform.metadata.apply(platform.metadata.plan(DEAL), author="test", confirm=True)
    before = platform.metadata.current().version
    plan = platform.metadata.plan({**DEAL, "list_views": [{"name": "won", "filters": {"stage": "Won"}}]})
    assert [(op.kind, op.destructive) for op in plan.operations] == [("update_object", False)]
    platform.metadata.apply(plan, author="test", confirm=False)
    live = platform.metadata.current()
    assert live.version == before + 1
    assert live.compiled.objects["deal"].definition.list_views[0].filters == {"stage": "Won"}
