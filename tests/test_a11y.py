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


def _check(paths, width: int = 1200, height: int = 900) -> None:
    with file_page(paths[0], width=width, height=height) as page:
        for path in paths:
            page.goto(path.resolve().as_uri(), wait_until="load")
            found = violations(page)
            assert not found, f"{path.name}:\n{describe(found)}"


def test_profile_index_and_sample_pages_have_no_violations(demo_profiles):
    pages = demo_profiles.pages
    small = [c for c in pages if c.startswith("BU") and c.endswith("00")][:1]
    sample = ["WK999902", "WK999900", "BU99990201", *small]
    _check([demo_profiles.index, *(pages[c] for c in sample)])


def test_profile_pages_on_a_phone_have_no_violations(demo_profiles):
    """390 x 844: the tables that scroll sideways there are reachable by keyboard."""
    pages = demo_profiles.pages
    _check([demo_profiles.index, pages["WK999902"], pages["BU99990201"]], width=390, height=844)


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


# ---------------------------------------------------------------- the keyboard does it all
@pytest.fixture(scope="module")
def full_demo_map(tmp_path_factory) -> str:
    """Demodam as ``wijkgeo map`` writes it from a store with an earlier year (2015) and a
    national reference: the year switch, the change view and the peers view are on it."""
    from wijkgeo.demo.demodam import national_reference
    from wijkgeo.demo.years import demo_years
    from wijkgeo.maps import write_map
    from wijkgeo.store import Store

    store = Store(tmp_path_factory.mktemp("kb_store"))
    atlas = wijkgeo.make_demo()
    store.write_atlas(atlas)
    ref = national_reference(atlas, n_gemeenten=8)
    store.write_reference(ref, 2024, manifest_extra={"sources": ref.attrs["sources"]})
    for earlier in demo_years(atlas, [2015]).values():
        store.write_atlas(earlier)
    path = write_map("GM9999", 2024, store=store.path, path=tmp_path_factory.mktemp("m") / "m.html")
    return path.read_text("utf-8")


def _tab_to(page, test: str, limit: int = 80) -> None:
    """Press Tab (only the keyboard) until ``test`` (JS on ``e``, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!({test}); }})()"):
            return
    raise AssertionError(f"niet bereikbaar met Tab: {test}")


@pytest.mark.slow
def test_the_keyboard_switches_every_control_of_the_map(full_demo_map):
    """Indicator, view, year, area, every layer switch, the table (sort, a buurt's figures)
    and a point on the map: all with Tab, arrows, Space, Enter and Escape; no mouse."""
    from browser import browser_page

    state = "wijkgeo.maps['wijkgeo-data'].state"
    with browser_page(full_demo_map, width=1280, height=800) as (page, traffic):
        _ready(page)
        _tab_to(page, "e.id === 'wijkgeo-indicator'")
        first = page.evaluate(f"{state}.indicator")
        page.keyboard.press("ArrowDown")
        assert page.evaluate(f"{state}.indicator") != first
        # the views: one radio group, the arrows walk through it
        _tab_to(page, "e.name === 'wijkgeo-mode'")
        modes = set()
        for _ in range(6):
            page.keyboard.press("ArrowRight")
            modes.add(page.evaluate(f"{state}.mode"))
        assert {"waarde", "verschil", "verandering", "vergelijkbaar"} <= modes, modes
        while page.evaluate(f"{state}.mode") != "waarde":
            page.keyboard.press("ArrowRight")
        # the year switch
        _tab_to(page, "e.hasAttribute('data-wijkgeo-jaar')")
        page.keyboard.press("ArrowUp")
        assert "jaar=" in page.evaluate("location.hash")
        page.keyboard.press("ArrowDown")
        # buurten or wijken
        _tab_to(page, "e.name === 'wijkgeo-gebied'")
        page.keyboard.press("ArrowRight")
        assert page.evaluate(f"{state}.area") == "wijk"
        page.keyboard.press("ArrowLeft")
        assert page.evaluate(f"{state}.area") == "buurt"
        # every layer switch, with Space
        ids = page.evaluate(
            "[...document.querySelectorAll('input[data-wijkgeo-layer]')]"
            ".map(b => b.getAttribute('data-wijkgeo-layer'))"
        )
        assert len(ids) >= 5
        for layer in ids:
            _tab_to(page, f"e.getAttribute('data-wijkgeo-layer') === '{layer}'", limit=len(ids) + 2)
            before = bool(page.evaluate(f"{state}.layers['{layer}']"))
            page.keyboard.press("Space")
            assert bool(page.evaluate(f"{state}.layers['{layer}']")) != before, layer
            page.keyboard.press("Space")
        # the table: open, sort by name, a buurt's figures, close with Escape
        _tab_to(page, "e.classList.contains('wijkgeo-tablebtn')")
        page.keyboard.press("Enter")
        assert page.locator("#wijkgeo-table").is_visible()
        _tab_to(page, "e.getAttribute('data-wijkgeo-sort') === 'name'")
        page.keyboard.press("Enter")
        names = page.locator("#wijkgeo-table tbody th button").all_inner_texts()
        assert names == sorted(names)
        _tab_to(page, "e.hasAttribute('data-wijkgeo-buurt')")
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content .wijkgeo-naam")
        assert page.locator(".leaflet-popup-content .wijkgeo-naam").inner_text() == names[0]
        page.keyboard.press("Escape")
        assert page.locator("#wijkgeo-table").is_hidden()
        # a point of a layer on the map opens its popup with Enter
        buurt_popup = page.locator(".leaflet-popup").inner_text()
        _tab_to(page, "e.classList.contains('wijkgeo-poi')", limit=200)
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        opened = page.evaluate(
            "[...document.querySelectorAll('.leaflet-popup')].map(p => p.innerText)"
        )
        assert len(opened) == 1 and opened[0].strip() and opened[0] != buurt_popup, opened
        assert not traffic.page_errors
