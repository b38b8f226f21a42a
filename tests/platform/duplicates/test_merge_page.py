"""The web side: the notice after a form creates a probable duplicate, and the merge page (CSRF, radios, result)."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.records.errors import RecordNotFound
from tests.platform.web.conftest import csrf_of, post_form, sign_in

from .conftest import apply_bundle


@pytest.fixture
def web(app: Any, client: Any) -> Any:
    platform = apply_bundle(app)
    assert sign_in(client).status_code == 302
    return platform


def test_creating_a_probable_duplicate_shows_links_to_it_and_to_merge(web: Any, client: Any) -> None:
    ada = web.records.create(SYSTEM, "person", {"first_name": "Ada", "last_name": "Lovelace"})["id"]
    created = post_form(client, "/o/person/new", first_name="Ada", last_name="Lovelase")
    assert created.status_code == 302
    new_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "may duplicate" in page and f'href="/o/person/{ada}"' in page
    assert f'href="/o/person/{ada}/merge?with={new_id}"' in page
    alone = post_form(client, "/o/person/new", first_name="Grace", last_name="Hopper")
    assert "may duplicate" not in client.get(alone.headers["Location"]).get_data(as_text=True)


def test_the_merge_page_shows_both_records_and_merges_the_chosen_values(web: Any, client: Any) -> None:
    master = web.records.create(SYSTEM, "person", {"first_name": "Ada", "last_name": "Lovelace", "city": "London"})["id"]
    dup = web.records.create(SYSTEM, "person", {"first_name": "Ada", "last_name": "Lovelace", "city": "Paris",
                                                "phone": "555 0100"})["id"]
    note = web.records.create(SYSTEM, "note", {"title": "met", "person": dup})["id"]
    url = f"/o/person/{master}/merge?with={dup}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "London" in html and "Paris" in html
    assert 'name="city" id="merge-city-master" value="master" checked' in html
    assert 'id="merge-city-duplicate"' in html and 'id="merge-first_name-master"' not in html  # same value: no choice
    assert client.post(url, data={"city": "duplicate"}).status_code == 400  # no CSRF token
    done = client.post(url, data={"csrf_token": csrf_of(html), "city": "duplicate", "phone": "duplicate"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/o/person/{master}")
    merged = web.records.get(SYSTEM, "person", master)
    assert (merged["city"], merged["phone"]) == ("Paris", "555 0100")
    assert web.records.get(SYSTEM, "note", note)["person"] == master
    with pytest.raises(RecordNotFound):
        web.records.get(SYSTEM, "person", dup)
    assert "was merged into" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_without_a_partner_the_page_lists_probable_duplicates(web: Any, client: Any) -> None:
    ada = web.records.create(SYSTEM, "person", {"first_name": "Ada", "last_name": "Lovelace", "phone": "5550100"})["id"]
    twin = web.records.create(SYSTEM, "person", {"first_name": "Ada", "last_name": "Byron", "phone": "555-0100"})["id"]
    html = client.get(f"/o/person/{ada}/merge").get_data(as_text=True)
    assert f'href="/o/person/{ada}/merge?with={twin}"' in html
    assert client.get(f"/o/person/{ada}/merge?with=999999").status_code == 404


def test_the_notice_links_five_duplicates_and_the_rest_through_the_list(web: Any, client: Any) -> None:
    web.records.bulk_create(SYSTEM, "person", [{"last_name": f"P{i}", "phone": "555 0100"} for i in range(7)])
    created = post_form(client, "/o/person/new", last_name="New", phone="5550100")
    new_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert page.count(f"/merge?with={new_id}") == 5
    assert f'href="/o/person/{new_id}/merge">and 2 more' in page
