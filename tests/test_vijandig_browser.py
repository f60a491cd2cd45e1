"""Hostile deep links and names on a real saved map page (with its CSP and SRI) in Chromium.

The page is written by :func:`wijkgeo.maps.save_map` (so it carries the strict
Content-Security-Policy and the integrity hashes) and opened with a malformed or hostile
hash; the map must draw, ignore what it does not know and raise no JavaScript error or CSP
violation.
"""

from __future__ import annotations

import pytest
from browser import browser_page, synthetic_atlas, wait_ready

from wijkgeo.maps import build, save_map

pytestmark = pytest.mark.browser

API = "wijkgeo.maps['wijkgeo-data']"
HOSTILE_HASHES = [
    "#%",
    "#buurt=toString",
    "#__proto__=1&buurt=constructor",
    "#indicator=__proto__&weergave=%E0%A4%A&lagen=toString",
    "#buurt=%ZZ&achtergrond=hasOwnProperty&vierkant=valueOf&jaren=9999-0000",
    "#" + "a=1&" * 2000,
]


@pytest.fixture(scope="module")
def page_html(tmp_path_factory):
    atlas = synthetic_atlas()
    atlas.buurten.loc[atlas.buurten.index[0], "buurtnaam"] = "Oost \u202e825 West"
    path = save_map(build(atlas), tmp_path_factory.mktemp("kaart") / "kaart.html")
    return path.read_text("utf-8")


def test_saved_page_has_csp_and_sri(page_html):
    assert 'http-equiv="Content-Security-Policy"' in page_html
    assert "'unsafe-inline'" not in page_html.split("script-src", 1)[1].split(";", 1)[0]
    assert 'integrity="sha384-' in page_html
    assert "\u202e" not in page_html


@pytest.mark.parametrize("bad", HOSTILE_HASHES)
def test_hostile_deep_links_are_ignored(page_html, bad):
    with browser_page(page_html, hash=bad) as (page, traffic):
        wait_ready(page)
        assert page.evaluate(f"{API}.state.buurt") is None
        # a valid link still works afterwards
        page.evaluate("location.hash = '#buurt=BU99980002'")
        page.wait_for_function(f"{API}.state.buurt !== null")
    assert traffic.page_errors == [] and traffic.console_errors == [], (
        traffic.page_errors,
        traffic.console_errors,
    )
