"""The map as published: a PNG cropped to the gemeente and its legend."""

from __future__ import annotations

import numpy as np
import pytest

import wijkgeo


def test_png_is_cropped_to_the_gemeente_and_its_legend(tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    from wijkgeo.maps import png

    pic = png(wijkgeo.make_demo(), "aandeel_65_plus", path=tmp_path / "p.png")
    grey = np.asarray(Image.open(pic.path).convert("L"))
    ink_rows = (grey < 245).any(axis=1)
    # no band of empty rows: under 20 % of the height is white rows (it was about 40 %)
    assert 1 - ink_rows.mean() < 0.2, 1 - ink_rows.mean()
    height = grey.shape[0]
    assert all(0 <= y <= height for _, y in pic.pixels)


@pytest.fixture(scope="module")
def online_map() -> str:
    from wijkgeo.maps import build

    return build(wijkgeo.make_demo()).get_root().render()


@pytest.mark.browser
def test_online_variant_without_network_says_so_in_dutch(online_map):
    from browser import browser_page

    with browser_page(online_map, offline=True) as (page, _traffic):
        alert = page.locator(".wijkgeo-offline[role=alert]")
        alert.wait_for(timeout=10_000)
        assert "geen internetverbinding" in alert.inner_text()


@pytest.mark.browser
def test_print_shows_the_gemeente_without_controls(online_map):
    from browser import browser_page

    with browser_page(online_map, width=1280, height=800) as (page, _traffic):
        page.wait_for_function(
            "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
        )
        page.emulate_media(media="print")
        page.evaluate("wijkgeo.maps['wijkgeo-data'].ctx.printView()")
        assert not page.locator(".wijkgeo-panel").is_visible()
        assert not page.locator(".leaflet-control-zoom").is_visible()
        assert page.locator(".wijkgeo-legend").is_visible()
        inside = page.evaluate(
            """() => { const api = wijkgeo.maps['wijkgeo-data'], m = api.map;
                 const all = L.featureGroup(api.ctx.features).getBounds();
                 return m.getBounds().pad(0.01).contains(all); }"""
        )
        assert inside  # the whole gemeente on the page


def _payload(html: str) -> dict:
    import json
    import re

    block = re.search(
        r'<script type="application/json" id="wijkgeo-data">(.*?)</script>', html, re.S
    )
    return json.loads(block.group(1))


def test_map_opens_on_a_rate_where_people_live_with_wijk_values(online_map):
    data = _payload(online_map)
    first = next(e for e in data["indicators"] if e["key"] == data["initial"])
    assert first["ok"] and not first.get("total")  # a rate or share, never a count
    assert len(data["area"]["codes"]) == len(wijkgeo.make_demo().wijken)
    assert sum("wv" in e for e in data["indicators"]) > 10
    assert '<html lang="nl">' in online_map and "user-scalable=no" not in online_map


def test_populated_bounds_leave_out_an_empty_harbour():
    import geopandas as gpd
    from shapely.geometry import box

    from wijkgeo.maps.view import populated_bounds

    city = [box(x, 0, x + 1, 1) for x in range(10)]
    harbour = box(-60, 0, -10, 5)
    frame = gpd.GeoDataFrame(geometry=[*city, harbour])
    assert populated_bounds(frame, [1000] * 10 + [5]) == (0.0, 0.0, 10.0, 1.0)


@pytest.mark.browser
def test_wijken_with_their_own_values(online_map):
    from browser import browser_page

    with browser_page(online_map, width=1280, height=800) as (page, _traffic):
        page.wait_for_function(
            "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
        )
        page.locator("input[name=wijkgeo-gebied][value=wijk]").check()
        same = page.evaluate(
            """() => { const api = wijkgeo.maps['wijkgeo-data'], d = api.ctx.data;
                 const by = {};
                 for (let i = 0; i < d.codes.length; i++) {
                   const c = api.ctx.features[i].options.fillColor;
                   (by[d.area.of[i]] = by[d.area.of[i]] || new Set()).add(c);
                 }
                 return Object.values(by).every(s => s.size === 1); }"""
        )
        assert same  # every buurt of a wijk shows that wijk's own figure
        assert "gebied=wijk" in page.evaluate("location.hash")


_LEGEND_SUM = """() => [...document.querySelectorAll('#wijkgeo-legend td.wijkgeo-n')]
    .filter(td => td.offsetParent !== null)
    .reduce((s, td) => s + parseInt(td.textContent.replace(/\\./g, ''), 10), 0)"""


@pytest.mark.browser
def test_wijk_mode_legend_counts_the_wijken(online_map):
    from browser import browser_page

    demo = wijkgeo.make_demo()
    with browser_page(online_map, width=1280, height=800) as (page, _traffic):
        page.wait_for_function(
            "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
        )
        assert page.evaluate(_LEGEND_SUM) == len(demo.buurten)
        page.locator("input[name=wijkgeo-gebied][value=wijk]").check()
        for mode in ("waarde", "verschil"):
            page.locator(f"input[name=wijkgeo-mode][value={mode}]").check()
            assert page.evaluate(_LEGEND_SUM) == len(demo.wijken), mode
            titles = page.locator("#wijkgeo-legend td.wijkgeo-n").evaluate_all(
                "tds => tds.map(t => t.title)"
            )
            assert set(titles) == {"aantal wijken"}
            # each class row counts the wijken drawn in its colour
            pairs = page.evaluate(
                """() => { const api = wijkgeo.maps['wijkgeo-data'], d = api.ctx.data;
                     const first = {}, by = {};
                     d.area.of.forEach((w, i) => { if (!(w in first)) first[w] = i; });
                     Object.values(first).forEach(i => {
                       const c = api.ctx.features[i].options.fillColor.toLowerCase();
                       by[c] = (by[c] || 0) + 1; });
                     return [...document.querySelectorAll('#wijkgeo-legend tr')].map(tr => {
                       const m = /background:\\s*([^;]+)/.exec(
                         tr.querySelector('.wijkgeo-swatch').getAttribute('style'));
                       return [by[m[1].trim().toLowerCase()] || 0,
                               parseInt(tr.querySelector('.wijkgeo-n').textContent, 10)]; }); }"""
            )
            assert pairs and all(want == got for want, got in pairs), pairs
        page.locator("input[name=wijkgeo-mode][value=waarde]").check()
        page.locator("input[name=wijkgeo-gebied][value=buurt]").check()
        assert page.evaluate(_LEGEND_SUM) == len(demo.buurten)


@pytest.mark.browser
def test_phone_popup_is_inside_the_screen_and_clear_of_the_legends(online_map):
    """390 x 844: a buurt chosen in search shows with its popup in view; the legends fold
    away (and come back when the popup closes); a buurt chosen in the table shows on the map."""
    from browser import browser_page

    with browser_page(online_map, width=390, height=844) as (page, _traffic):
        page.wait_for_function(
            "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
        )
        assert page.locator("#wijkgeo-legend").evaluate("d => d.open")
        page.locator(".wijkgeo-panel > summary").click()
        page.fill("#wijkgeo-search", "oud")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # the first buurt (the first suggestion is a wijk)
        page.keyboard.press("Enter")
        popup = page.locator(".leaflet-popup")
        popup.wait_for()
        box = popup.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
        assert not page.locator("#wijkgeo-legend").evaluate("d => d.open")
        # the chosen buurt is on screen, below its popup
        inside = page.evaluate(
            """() => { const api = wijkgeo.maps['wijkgeo-data'], m = api.map;
                 const f = api.ctx.features[api.state.buurt];
                 return m.getBounds().contains(f.getBounds().getCenter()); }"""
        )
        assert inside
        page.locator(".leaflet-popup-close-button").click()
        page.wait_for_function("document.querySelector('#wijkgeo-legend').open")
        page.locator(".wijkgeo-panel > summary").click()
        page.locator(".wijkgeo-tablebtn").click()
        page.locator("#wijkgeo-table tbody th button").first.click()
        popup.wait_for()
        assert page.locator("#wijkgeo-table").is_hidden()
        focused = page.evaluate("document.activeElement.className")
        assert "leaflet-popup-close-button" in focused


@pytest.mark.browser
def test_too_few_inhabitants_is_hatched_on_the_map_and_in_the_legend(online_map):
    from browser import browser_page

    link = "#indicator=aandeel_65_plus&weergave=waarde"
    with browser_page(online_map, width=1280, height=800, hash=link) as (page, _traffic):
        page.wait_for_function(
            "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
        )
        small = page.evaluate(
            """() => { const api = wijkgeo.maps['wijkgeo-data'], d = api.ctx.data;
                 const v = api.ctx.values(api.ctx.byKey['aandeel_65_plus']);
                 return [...Array(d.codes.length).keys()]
                   .filter(i => d.small_reasons.includes(v.reason[i])); }"""
        )
        assert small  # Demodam's Centrum: 20 inwoners
        hatched = page.evaluate(
            """() => wijkgeo.maps['wijkgeo-data'].ctx.features
                 .map((f, i) => f._path.classList.contains('wijkgeo-small') ? i : -1)
                 .filter(i => i >= 0)"""
        )
        assert hatched == small
        fill = page.locator("path.wijkgeo-small").first.evaluate("p => getComputedStyle(p).fill")
        assert "wijkgeo-hatch" in fill
        row = page.locator("#wijkgeo-legend tr", has_text="te weinig inwoners")
        swatch = row.locator(".wijkgeo-swatch")
        assert "gradient" in swatch.evaluate("s => getComputedStyle(s).backgroundImage")
        plain = page.locator("#wijkgeo-legend tr").first.locator(".wijkgeo-swatch")
        assert plain.evaluate("s => getComputedStyle(s).backgroundImage") == "none"
