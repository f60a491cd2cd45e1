"""Accessibility (WCAG 2.0/2.1 A and AA) of every page wijkgeo writes, checked with axe-core
in headless Chromium (tests/axe.py): zero violations, on the demo and on real Rotterdam."""

from __future__ import annotations

import pytest
from axe import describe, file_page, violations

import wijkgeo
from wijkgeo.profile import build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_profiles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profielen")
    return build(wijkgeo.make_demo(), path=folder)


def _check(paths) -> None:
    with file_page(paths[0]) as page:
        for path in paths:
            page.goto(path.resolve().as_uri(), wait_until="load")
            found = violations(page)
            assert not found, f"{path.name}:\n{describe(found)}"


def test_profile_index_and_sample_pages_have_no_violations(demo_profiles):
    pages = demo_profiles.pages
    small = [c for c in pages if c.startswith("BU") and c.endswith("00")][:1]
    sample = ["WK999902", "WK999900", "BU99990201", *small]
    _check([demo_profiles.index, *(pages[c] for c in sample)])


@pytest.mark.slow
def test_every_profile_page_has_no_violations(demo_profiles):
    pages = [demo_profiles.index, *demo_profiles.pages.values()]
    assert len(pages) > 40
    _check(pages)


def test_profile_map_names_the_area(demo_profiles):
    with file_page(demo_profiles.pages["BU99990201"]) as page:
        label = page.locator("svg.map").get_attribute("aria-label")
        name = page.locator("h1").inner_text().replace("Buurtprofiel ", "")
        assert label and name in label


def test_profile_index_entries_never_split(demo_profiles):
    with file_page(demo_profiles.index, width=900) as page:
        splits = page.evaluate(
            """() => [...document.querySelectorAll('.index-list li.buurt')]
                 .filter(li => li.getClientRects().length > 1).map(li => li.textContent)"""
        )
        assert splits == []


# ------------------------------------------------------------------------------- the map
@pytest.fixture(scope="module")
def demo_map() -> str:
    from wijkgeo.maps import build as build_map

    return build_map(wijkgeo.make_demo()).get_root().render()


def _ready(page) -> None:
    page.wait_for_function(
        "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
    )


def test_map_with_every_layer_on_has_no_violations(demo_map):
    from browser import browser_page

    with browser_page(demo_map, width=1280, height=800) as (page, traffic):
        _ready(page)
        for box in page.locator("input[data-wijkgeo-layer]").all():
            if not box.is_checked():
                box.check()
        found = violations(page)
        assert not found, describe(found)
        page.locator(".wijkgeo-tablebtn").click()
        found = violations(page)
        assert not found, "met de tabel open:\n" + describe(found)
        assert not traffic.page_errors


def test_map_by_keyboard_search_arrows_enter_and_table(demo_map):
    from browser import browser_page

    with browser_page(demo_map, width=1280, height=800) as (page, _traffic):
        _ready(page)
        presses = 0
        while presses < 5 and page.evaluate("document.activeElement.id") != "wijkgeo-search":
            page.keyboard.press("Tab")  # the search box within a few Tab presses of the top
            presses += 1
        assert page.evaluate("document.activeElement.id") == "wijkgeo-search", presses
        page.keyboard.type("oud")
        options = page.locator("#wijkgeo-search-results li[data-k]")
        assert options.count() >= 2
        second = options.nth(1).locator("b").inner_text()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert options.nth(1).get_attribute("aria-selected") == "true"
        page.keyboard.press("Enter")  # the highlighted suggestion, not the first
        page.wait_for_function("document.querySelector('.leaflet-popup-content') !== null")
        assert page.locator(".leaflet-popup-content .wijkgeo-naam").inner_text() == second
        # buurt shapes are not in the tab order
        assert page.evaluate(
            "[...document.querySelectorAll('path.wijkgeo-buurt')].every(p => p.tabIndex < 0)"
        )
        # the table: every buurt with the current indicator, sortable, opens a buurt's figures
        page.locator(".wijkgeo-tablebtn").focus()
        page.keyboard.press("Enter")
        rows = page.locator("#wijkgeo-table tbody tr")
        assert rows.count() == len(wijkgeo.make_demo().buurten)
        page.locator('#wijkgeo-table [data-wijkgeo-sort="name"]').click()
        names = page.locator("#wijkgeo-table tbody th button").all_inner_texts()
        assert names == sorted(names)
        page.locator("#wijkgeo-table tbody th button").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(200)
        assert page.locator(".leaflet-popup-content .wijkgeo-naam").inner_text() == names[0]


@pytest.mark.realdata
@pytest.mark.slow
def test_real_rotterdam_map_and_profiles_have_no_violations(realdata, tmp_path):
    from _wijkbuurtkaart import build_wijkbuurtkaart
    from browser import browser_page

    from wijkgeo.maps import build as build_map
    from wijkgeo.refresh import import_wijkbuurtkaart

    gpkg = build_wijkbuurtkaart(realdata, tmp_path / "wbk.gpkg", gemeenten=["GM0599"])
    import_wijkbuurtkaart(gpkg, "GM0599", 2024, store=tmp_path / "store")
    atlas = wijkgeo.load("GM0599", 2024, store=tmp_path / "store")
    html = build_map(atlas).get_root().render()
    with browser_page(html, width=1280, height=800) as (page, _traffic):
        _ready(page)
        for box in page.locator("input[data-wijkgeo-layer]").all():
            if not box.is_checked():
                box.check()
        found = violations(page)
        assert not found, describe(found)
    res = build(atlas, ["BU05991571", "BU05990842", "WK059908"], path=tmp_path / "p")
    _check([res.index, *res.pages.values()])
