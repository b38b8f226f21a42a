"""``?next=`` after sign-in leads only to a path on this site."""

import pytest

from metacrm.platform.web.safe_next import safe_next


@pytest.mark.parametrize("target", ["/", "/o/deal", "/o/deal/7?tab=history", "/search?q=a%20b"])
def test_local_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    "https://evil.example/", "http://evil.example", "//evil.example", "//evil.example/o/deal",
    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "data:text/html,x", "evil.example",
    "/\t/evil.example", "/\n/evil.example", "https:evil.example", "  //evil.example", "mailto:x@y",
    "ftp://evil.example", "o/deal",
])
def test_anything_leaving_the_site_falls_back_home(target: str) -> None:
    assert safe_next(target) == "/"


def test_nothing_given_means_home() -> None:
    assert safe_next(None) == "/"
    assert safe_next("") == "/"
    assert safe_next("https://evil.example", default="/account/") == "/account/"
