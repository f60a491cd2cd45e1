"""The indicator map in a real headless Chromium, with every request served locally.

Counts one SVG path per buurt (the renderer is SVG on purpose), checks legend, title and
tooltip as a user sees them, and that the hostile names stay text: no dialog, no injected
``<img>``, no console or page errors, no request leaving the machine.
"""

from __future__ import annotations

import re

import pytest
from browser import ARTIFACTS, BRACES, HOSTILE, browser_page, rotterdam, synthetic_atlas

from wijkgeo.maps import indicator_map, save_map
from wijkgeo.maps.assets import map_assets

pytestmark = pytest.mark.browser

KEY = "aandeel_65_plus"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    atlas = synthetic_atlas()
    fmap = indicator_map(atlas, KEY)
    path = save_map(fmap, tmp_path_factory.mktemp("maps") / "kaart.html")
    return atlas, fmap.get_name(), path.read_text("utf-8")


def _hover(page, map_name: str, lat: float, lon: float) -> str:
    """Move the mouse to (lat, lon) and return the visible tooltip's text and HTML."""
    box = page.locator(f"#{map_name}").bounding_box()
    point = page.evaluate(
        f"([lat, lon]) => {{ const p = window.{map_name}.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    page.mouse.move(box["x"] + point[0], box["y"] + point[1])
    tip = page.locator(".leaflet-tooltip.wijkgeo-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    return tip.inner_text(), tip.inner_html()


def test_map_renders_in_chromium_with_local_assets_only(rendered):
    atlas, map_name, html = rendered
    n_buurten = len(atlas.buurten)
    points = atlas.buurten.to_crs("EPSG:4326").representative_point()
    by_code = dict(zip(atlas.buurten["buurtcode"], points, strict=True))

    with browser_page(html) as (page, traffic):
        page.wait_for_selector("path.wijkgeo-buurt")
        # one rendered path per buurt; wijk outlines separately, and not interactive
        assert page.locator("svg path.wijkgeo-buurt").count() == n_buurten
        assert page.locator("svg path.leaflet-interactive").count() == n_buurten
        assert page.locator("svg path.wijkgeo-wijk").count() == 1  # borders as one set of lines
        assert page.locator("svg path.wijkgeo-wijk.leaflet-interactive").count() == 0
        fills = page.eval_on_selector_all(
            "path.wijkgeo-buurt", "els => els.map(e => e.getAttribute('fill'))"
        )
        assert "#bdbdbd" in fills and len(set(fills)) == 4  # 3 classes + geen gegevens

        legend = page.locator("#wijkgeo-legend")
        assert legend.is_visible()
        assert "geen gegevens" in legend.inner_text()
        assert "Inwoners van 65 jaar en ouder" in legend.inner_text()
        title = page.locator("#wijkgeo-title")
        assert title.is_visible()
        assert "{{ 6*7 }}" in title.inner_text() and "2024" in title.inner_text()
        assert "Kadaster" in page.locator(".leaflet-control-attribution").inner_text()

        page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "indicator_map.png"))

        text, _ = _hover(page, map_name, by_code["BU99980001"].y, by_code["BU99980001"].x)
        assert "Centrum" in text and "Inwoners van 65 jaar en ouder: 10%" in text
        assert "wijk Binnenstad" in text
        text, _ = _hover(page, map_name, by_code["BU99980101"].y, by_code["BU99980101"].x)
        assert "Noord" in text and "geen gegevens" in text and "nan" not in text.lower()
        text, inner = _hover(page, map_name, by_code["BU99980002"].y, by_code["BU99980002"].x)
        assert HOSTILE in text  # shown as text ...
        assert "<img" not in inner  # ... never as markup
        text, _ = _hover(page, map_name, by_code["BU99980102"].y, by_code["BU99980102"].x)
        assert BRACES in text
        page.screenshot(path=str(ARTIFACTS / "indicator_map_tooltip.png"))

        # the only <img> elements are basemap tiles: nothing injected from data
        stray = page.eval_on_selector_all(
            "img:not(.leaflet-tile)", "els => els.map(e => e.outerHTML)"
        )
        assert stray == []
        assert traffic.dialogs == []
        assert traffic.page_errors == []
        assert traffic.console_errors == []

    expected = {u for kind in ("js", "css") for _, u in map_assets()[kind]}
    in_html = set(re.findall(r'<script src="([^"]+)"', html)) | set(
        re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    )
    assert in_html == expected
    assert traffic.missing == []
    assert set(traffic.assets) >= expected  # every asset was served from node_modules
    assert traffic.aborted == []  # nothing else left (or tried to leave) the machine
    assert traffic.tiles and all("/grijs/EPSG:3857/" in t for t in traffic.tiles)


@pytest.mark.realdata
def test_real_rotterdam_map_renders_one_path_per_buurt(realdata):
    buurten, wijken = rotterdam(realdata)
    fmap = indicator_map(buurten, KEY, wijken=wijken, year=2024)
    html = fmap.get_root().render()
    with browser_page(html) as (page, traffic):
        page.wait_for_selector("path.wijkgeo-buurt")
        assert page.locator("svg path.wijkgeo-buurt").count() == len(buurten) == 91
        assert page.locator("svg path.wijkgeo-wijk").count() == buurten["wijkcode"].nunique()
        assert "geen gegevens" in page.locator("#wijkgeo-legend").inner_text()
        page.screenshot(path=str(ARTIFACTS / "rotterdam.png"))
        assert traffic.page_errors == [] and traffic.console_errors == []
    assert traffic.missing == [] and traffic.aborted == []


def test_demo_map_written_by_wijkgeo_demo_renders(tmp_path):
    """What `make demo` writes (maps/demodam.html) renders: a path per buurt, legend, no errors."""
    import wijkgeo
    from wijkgeo.demo.pipeline import run_demo

    path = run_demo(maps_dir=tmp_path)
    atlas = wijkgeo.load("GM9999", 2024)
    html = path.read_text("utf-8")
    with browser_page(html) as (page, traffic):
        page.wait_for_selector("path.wijkgeo-buurt")
        assert page.locator("svg path.wijkgeo-buurt").count() == len(atlas.buurten)
        assert page.locator("svg path.wijkgeo-wijk").count() == 1
        legend = page.locator("#wijkgeo-legend")
        assert legend.is_visible() and "geen gegevens" in legend.inner_text()
        assert "Demodam" in page.locator("#wijkgeo-title").inner_text()
        page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
        page.screenshot(path=str(ARTIFACTS / "demodam.png"))
        assert traffic.page_errors == [] and traffic.console_errors == []
        assert traffic.dialogs == []
    assert traffic.missing == [] and traffic.aborted == []


@pytest.mark.parametrize(("width", "height"), [(420, 800), (320, 480), (800, 360)])
def test_legend_and_title_stay_inside_narrow_and_short_screens(width, height):
    import wijkgeo

    atlas = wijkgeo.make_demo()
    fmap = indicator_map(atlas, "aandeel_huishoudens_laag_inkomen")
    with browser_page(fmap.get_root().render(), width=width, height=height) as (page, traffic):
        page.wait_for_selector("path.wijkgeo-buurt")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"map_{width}x{height}.png"))
        legend = page.locator("#wijkgeo-legend").bounding_box()
        title = page.locator("#wijkgeo-title").bounding_box()
        for box in (legend, title):
            assert box["x"] >= 0 and box["y"] >= 0
            assert box["x"] + box["width"] <= width  # never past the eastern edge
            assert box["y"] + box["height"] <= height
        # the two boxes never cover each other
        assert title["y"] + title["height"] <= legend["y"]
        # whatever does not fit scrolls inside the legend instead of leaving the screen
        overflow = page.evaluate(
            "() => { const e = document.getElementById('wijkgeo-legend');"
            " return [e.scrollWidth - e.clientWidth, e.scrollHeight - e.clientHeight,"
            " getComputedStyle(e).overflowY]; }"
        )
        assert overflow[0] <= 0 and overflow[2] == "auto"
        assert page.get_by_text("geen gegevens").first.is_visible() or overflow[1] > 0
        assert not traffic.console_errors and not traffic.page_errors


def test_legend_folds_away_with_a_tap_on_its_heading():
    import wijkgeo

    fmap = indicator_map(wijkgeo.make_demo(), "aandeel_huishoudens_laag_inkomen")
    with browser_page(fmap.get_root().render(), width=320, height=480) as (page, traffic):
        page.wait_for_selector("path.wijkgeo-buurt")
        legend = page.locator("#wijkgeo-legend")
        open_height = legend.bounding_box()["height"]
        assert page.get_by_text("geen gegevens").first.is_visible()
        page.locator("#wijkgeo-legend summary").click()
        folded = legend.bounding_box()
        assert folded["height"] < open_height / 3  # only the heading is left
        assert not page.get_by_text("geen gegevens").first.is_visible()
        assert folded["x"] + folded["width"] <= 320
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map_320x480_legend_folded.png"))
        page.locator("#wijkgeo-legend summary").click()  # and back
        assert legend.bounding_box()["height"] == open_height
        assert not traffic.console_errors and not traffic.page_errors


def test_tooltips_stay_on_a_narrow_screen():
    import wijkgeo

    atlas = wijkgeo.make_demo()
    fmap = indicator_map(atlas, "aandeel_huishoudens_laag_inkomen")
    name, width = fmap.get_name(), 320
    points = atlas.buurten.to_crs("EPSG:4326").representative_point()
    with browser_page(fmap.get_root().render(), width=width, height=480) as (page, traffic):
        page.wait_for_selector("path.wijkgeo-buurt")
        page.locator("#wijkgeo-legend summary").click()  # fold the legend: more map to hover
        seen = 0
        for p in points:
            x, y = page.evaluate(
                f"([lat, lon]) => {{ const p = window.{name}.latLngToContainerPoint([lat, lon]);"
                " return [p.x, p.y]; }",
                [p.y, p.x],
            )
            if not (0 < x < width and 120 < y < 420):  # under the title or the folded legend
                continue
            page.mouse.move(x, y)
            tip = page.locator(".leaflet-tooltip.wijkgeo-tooltip")
            tip.wait_for(state="visible", timeout=3000)
            box = tip.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, tip.inner_text()
            seen += 1
            if seen == 1:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "map_320x480_tooltip.png"))
        assert seen >= 10
        assert not traffic.console_errors and not traffic.page_errors
