"""The map in a real headless Chromium (Debian chromium via Playwright), every request local.

One page load serves the desktop tests of this module (loads are slow on the shared machine);
the phone, the deep link, the offline file, the demo and real Rotterdam get one load each.
Screenshots go to tests/_artifacts/. Any dialog fails (names with script in them must stay
text), and so does any console or page error.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    BRACES,
    HOSTILE,
    SCRIPT_END,
    TEMPLATE,
    browser_page,
    rotterdam,
    screenshot,
    synthetic_atlas,
    synthetic_previous,
    wait_ready,
)

from wijkgeo.indicators import comparison_table
from wijkgeo.maps import build

pytestmark = pytest.mark.browser

KEY = "aandeel_65_plus"
API = "wijkgeo.maps['wijkgeo-data']"




def _point(page, i: int) -> tuple[float, float]:
    """Page coordinates of a point inside buurt ``i`` (its pole, drawn)."""
    box = page.locator(".folium-map").bounding_box()
    x, y = page.evaluate(
        f"i => {{ const a = {API}; const f = a.ctx.features[i];"
        " const p = a.map.latLngToContainerPoint(f.getCenter()); return [p.x, p.y]; }",
        i,
    )
    return box["x"] + x, box["y"] + y


def _fills(page) -> list[str]:
    return page.eval_on_selector_all(
        "path.wijkgeo-buurt", "els => els.map(e => e.getAttribute('fill'))"
    )


def _legend_rows(page) -> list[tuple[str, str, int]]:
    return page.eval_on_selector_all(
        "#wijkgeo-legend tr",
        "rows => rows.map(r => [r.querySelector('.wijkgeo-swatch').style.background,"
        " r.children[1].innerText, +r.children[2].innerText.replace(/\\./g, '')])",
    )


def _rgb(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


@pytest.fixture(scope="module")
def atlas():
    return synthetic_atlas()


#: A layer type of the kind issue 14 adds (voorzieningen...), registered the documented way.
PROEF_JS = (
    "<script>window.wijkgeo = window.wijkgeo || {}; wijkgeo.layerTypes = wijkgeo.layerTypes"
    " || {}; wijkgeo.layerTypes.proefpunten = function (ctx, spec) { return {layer:"
    " L.layerGroup(spec.points.map(function (p) { return L.circleMarker(p, {radius: 6,"
    " className: 'wijkgeo-proef', renderer: ctx.renderer}); }))}; };</script>"
)


@pytest.fixture(scope="module")
def html(atlas):
    from wijkgeo.maps import MapLayer
    from wijkgeo.maps.render import Verbatim

    centre = atlas.buurten.to_crs(4326).geometry.iloc[0].representative_point()
    layer = MapLayer(
        "proef",
        "proefpunten",
        "Proefpunten <b>",
        visible=False,
        spec={"points": [[centre.y, centre.x]]},
    )
    fmap = build(atlas, previous=synthetic_previous(atlas), indicator=KEY, layers=[layer])
    Verbatim(PROEF_JS).add_to(fmap)
    return fmap.get_root().render()


@pytest.fixture(scope="module")
def desktop(html):
    with browser_page(html, width=1200, height=800) as (page, traffic):
        wait_ready(page)
        yield page, traffic


def test_one_feature_per_buurt_with_wijk_borders_and_legend(desktop, atlas):
    page, _ = desktop
    assert page.locator("svg path.wijkgeo-buurt").count() == len(atlas.buurten)
    assert page.locator("svg path.leaflet-interactive").count() == len(atlas.buurten)
    assert page.locator("svg path.wijkgeo-wijk").count() == 1  # all borders, one path
    legend = page.locator("#wijkgeo-legend")
    assert legend.is_visible() and "Inwoners van 65 jaar en ouder" in legend.inner_text()
    assert "geen gegevens" in legend.inner_text()
    assert page.locator("#wijkgeo-indicator").input_value() == KEY
    assert "Kadaster" in page.locator(".leaflet-control-attribution").inner_text()
    page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
    screenshot(page, "engine_desktop.png")


def test_fills_are_the_legend_classes(desktop):
    page, _ = desktop
    fills = _fills(page)
    rows = _legend_rows(page)
    assert "#bdbdbd" in fills  # Noord: geen gegevens, grey
    for color, _text, count in rows:
        assert sum(_rgb(f) == color for f in fills) == count, (color, rows, fills)


def test_switching_the_indicator_recolours_and_changes_the_legend(desktop):
    page, _ = desktop
    before, legend_before = _fills(page), page.locator("#wijkgeo-legend").inner_text()
    page.select_option("#wijkgeo-indicator", "inwoners")
    after, legend_after = _fills(page), page.locator("#wijkgeo-legend").inner_text()
    assert after != before and "#bdbdbd" not in after  # every buurt has inwoners
    assert legend_after.startswith("Inwoners") and legend_after != legend_before
    assert "indicator=inwoners" in page.evaluate("location.hash")
    # the difference mode: diverging colours around the gemeente, its own legend
    page.select_option("#wijkgeo-indicator", KEY)
    page.check("input[name=wijkgeo-mode][value=verschil]")
    legend = page.locator("#wijkgeo-legend").inner_text()
    assert "verschil met de gemeente" in legend and "procentpunt" in legend
    diff = _fills(page)
    assert diff != before
    for color, _text, count in _legend_rows(page):
        assert sum(_rgb(f) == color for f in diff) == count
    assert "weergave=verschil" in page.evaluate("location.hash")
    screenshot(page, "engine_desktop_verschil.png")
    page.check("input[name=wijkgeo-mode][value=waarde]")
    assert _fills(page) == before


def test_an_indicator_without_values_is_greyed_with_the_reason(desktop):
    page, _ = desktop
    option = page.locator('#wijkgeo-indicator option[value="inkomen_per_inwoner"]')
    assert option.is_disabled()
    assert "Wijk- en Buurtkaart" in option.inner_text()
    groups = page.eval_on_selector_all("#wijkgeo-indicator optgroup", "gs => gs.map(g => g.label)")
    assert groups[:2] == ["Welzijn", "Materiële welvaart"]  # CBS's brede welvaart themes


def test_popup_in_dutch_with_unit_comparisons_rank_change_and_caveat(desktop, atlas):
    page, _ = desktop
    x, y = _point(page, 0)  # Centrum: 100 of 1,000 inwoners are 65+
    page.mouse.click(x, y)
    popup = page.locator(".wijkgeo-popup")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "Centrum" in text and "wijk Binnenstad" in text
    assert re.search(r"Deze buurt\s+10%", text)
    assert re.search(r"Gemeente Test'stad \{\{ 6\*7 \}\}\s+17% \(\u22127 procentpunten\)", text)
    assert re.search(r"Nederland\s+20% \(\u221210 procentpunten\)", text)
    rank = comparison_table(atlas, [KEY]).loc[0, [f"{KEY}_rang", f"{KEY}_rang_van"]]
    assert f"Rang in de gemeente\t{int(rank.iloc[0])} van {int(rank.iloc[1])}" in text
    assert re.search(r"Sinds 2023\s+\+1 procentpunt \(9%\)", text)
    assert "Let op: " in text
    assert "buurt=BU99980001" in page.evaluate("location.hash")
    page.wait_for_timeout(400)  # the popup fades in
    panel = page.locator("#wijkgeo-panel").bounding_box()
    box = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    assert box["x"] >= panel["x"] + panel["width"]  # the map moved: the popup is not under it
    screenshot(page, "engine_desktop_popup.png")
    # a buurt whose boundary changed: no change shown, and why
    page.mouse.click(*_point(page, 2))
    page.wait_for_function("document.querySelector('.wijkgeo-popup').innerText.includes('Zand')")
    assert "niet te vergelijken (grens gewijzigd)" in popup.inner_text()


def test_hostile_names_stay_text(desktop):
    page, traffic = desktop
    page.evaluate(f"{API}.map.closePopup()")  # the last popup would cover the next buurt
    page.wait_for_function("document.querySelector('.leaflet-popup') === null")
    page.mouse.move(*_point(page, 1))
    tip = page.locator(".leaflet-tooltip.wijkgeo-tooltip")
    tip.wait_for(state="visible")
    assert HOSTILE in tip.inner_text() and "<img" not in tip.inner_html()
    page.mouse.click(*_point(page, 5))
    page.wait_for_function("document.querySelector('.wijkgeo-popup') !== null")
    page.wait_for_function(
        "document.querySelector('.wijkgeo-popup').innerText.includes('alert(2)')"
    )
    text = page.locator(".wijkgeo-popup").inner_text()
    assert SCRIPT_END in text and TEMPLATE in text  # shown as typed, nothing ran
    page.mouse.move(*_point(page, 4))
    page.wait_for_function(
        f"document.querySelector('.wijkgeo-tooltip').innerText.includes({BRACES!r})"
    )
    stray = page.eval_on_selector_all("img:not(.leaflet-tile)", "els => els.map(e => e.outerHTML)")
    assert stray == []
    assert traffic.dialogs == []


def test_the_url_hash_round_trips(desktop):
    page, _ = desktop
    page.evaluate(
        "location.hash = '#indicator=inwoners&weergave=verschil&lagen=buurten&buurt=BU99980102'"
    )
    page.wait_for_function("document.querySelectorAll('.wijkgeo-popup').length === 1")
    page.wait_for_function(f"{API}.state.indicator === 'inwoners'")
    assert page.locator("#wijkgeo-indicator").input_value() == "inwoners"
    assert page.locator("input[name=wijkgeo-mode][value=verschil]").is_checked()
    assert page.locator("svg path.wijkgeo-wijk").count() == 0  # the wijk layer is off
    assert not page.locator('input[data-wijkgeo-layer="wijken"]').is_checked()
    assert BRACES in page.locator(".wijkgeo-popup").inner_text()
    # and what the page writes back is the same link
    assert page.evaluate("location.hash") == (
        "#indicator=inwoners&weergave=verschil&lagen=buurten&buurt=BU99980102"
    )
    page.check('input[data-wijkgeo-layer="wijken"]')
    assert page.locator("svg path.wijkgeo-wijk").count() == 1
    assert "lagen=buurten,wijken" in page.evaluate("location.hash")
    # an added layer type: off by default, in the panel (label escaped), in the link
    assert page.locator("path.wijkgeo-proef").count() == 0
    label = page.locator('input[data-wijkgeo-layer="proef"]').locator("xpath=..")
    assert label.inner_text() == "Proefpunten <b>"
    page.check('input[data-wijkgeo-layer="proef"]')
    assert page.locator("path.wijkgeo-proef").count() == 1
    assert "lagen=buurten,wijken,proef" in page.evaluate("location.hash")


def test_no_console_errors_and_nothing_left_the_machine(desktop):
    _, traffic = desktop
    assert traffic.console_errors == [] and traffic.page_errors == [] and traffic.dialogs == []
    assert traffic.missing == [] and traffic.aborted == []
    assert any("leaflet@1.9.3" in a for a in traffic.assets)


def test_phone_deep_link_selector_and_legend_stay_usable(html):
    width, height = 360, 740
    link = "#indicator=aandeel_65_plus&weergave=waarde&lagen=buurten,wijken&buurt=BU99980001"
    with browser_page(html, width=width, height=height, hash=link) as (page, traffic):
        wait_ready(page)
        popup = page.locator(".wijkgeo-popup")
        popup.wait_for(state="visible")  # the deep link opened the buurt
        assert "Centrum" in popup.inner_text()
        panel = page.locator("#wijkgeo-panel")
        assert panel.get_attribute("open") is None  # folded on a phone, out of the way
        page.wait_for_timeout(400)
        box = page.locator(".leaflet-popup-content-wrapper").bounding_box()
        top = panel.bounding_box()
        assert box["y"] >= top["y"] + top["height"]  # below the folded panel
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        screenshot(page, "engine_phone_link.png")
        page.locator("#wijkgeo-panel summary").click()
        select = page.locator("#wijkgeo-indicator")
        assert select.is_visible()
        page.select_option("#wijkgeo-indicator", "inwoners")
        assert page.locator("#wijkgeo-legend").inner_text().startswith("Inwoners")
        for box in (panel.bounding_box(), page.locator("#wijkgeo-legend").bounding_box()):
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
            assert box["y"] >= 0 and box["y"] + box["height"] <= height
        sb = select.bounding_box()
        assert sb["x"] + sb["width"] <= width and sb["height"] >= 20  # a tappable control
        screenshot(page, "engine_phone_panel.png")
        # the open popup folded the legend away on a phone; it opens and folds with a tap
        legend = page.locator("#wijkgeo-legend")
        assert not legend.evaluate("d => d.open")
        page.locator("#wijkgeo-legend summary").click()
        assert legend.bounding_box()["height"] >= 40
        page.locator("#wijkgeo-legend summary").click()
        assert legend.bounding_box()["height"] < 40
        assert traffic.console_errors == [] and traffic.page_errors == []
        assert traffic.dialogs == []


@pytest.mark.parametrize(("width", "height"), [(320, 480), (800, 360)])
def test_panel_and_legend_fit_small_and_short_screens(html, width, height):
    with browser_page(html, width=width, height=height) as (page, traffic):
        wait_ready(page)
        page.locator("#wijkgeo-panel summary").click()  # open on a phone, fold elsewhere
        page.locator("#wijkgeo-panel summary").click()
        if page.locator("#wijkgeo-panel").get_attribute("open") is None:
            page.locator("#wijkgeo-panel summary").click()
        screenshot(page, f"engine_{width}x{height}.png")
        panel = page.locator("#wijkgeo-panel").bounding_box()
        legend = page.locator("#wijkgeo-legend").bounding_box()
        for box in (panel, legend):
            assert box["x"] >= 0 and box["y"] >= 0
            assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
        apart = (
            panel["y"] + panel["height"] <= legend["y"]
            or panel["x"] + panel["width"] <= legend["x"]
        )
        assert apart  # the two boxes never cover each other
        assert page.locator("#wijkgeo-indicator").is_visible()
        assert traffic.console_errors == [] and traffic.page_errors == []


def test_offline_file_renders_with_every_outside_request_refused(atlas):
    html = build(atlas, indicator=KEY, offline=True).get_root().render()
    with browser_page(html, offline=True) as (page, traffic):
        wait_ready(page)
        assert page.locator("svg path.wijkgeo-buurt").count() == len(atlas.buurten)
        page.select_option("#wijkgeo-indicator", "inwoners")
        assert page.locator("#wijkgeo-legend").inner_text().startswith("Inwoners")
        page.mouse.click(*_point(page, 0))
        page.locator(".wijkgeo-popup").wait_for(state="visible")
        page.wait_for_timeout(400)  # the popup fades in and the map pans it clear of the panel
        screenshot(page, "engine_offline.png")
        assert traffic.page_errors == [] and traffic.dialogs == []
        assert traffic.assets == [] and traffic.missing == []
        # only basemap tiles were asked for (and refused); no script, style or font
        assert traffic.aborted and all("/achtergrondkaart/" in u for u in traffic.aborted)
        assert all("/achtergrondkaart/" in u for u in traffic.console_error_urls)


def test_demo_map_written_by_wijkgeo_demo_renders(tmp_path):
    import wijkgeo
    from wijkgeo.demo.pipeline import DEMO_INDICATOR, run_demo

    path = run_demo(store=tmp_path / "store", maps_dir=tmp_path)
    atlas = wijkgeo.load("GM9999", 2024, store=tmp_path / "store")
    with browser_page(path.read_text("utf-8")) as (page, traffic):
        wait_ready(page)
        assert page.locator("svg path.wijkgeo-buurt").count() == len(atlas.buurten)
        assert page.locator("#wijkgeo-indicator").input_value() == DEMO_INDICATOR
        options = page.locator("#wijkgeo-indicator option").count()
        assert options >= 40  # every registry indicator in one selector
        assert "Demodam" in page.locator("#wijkgeo-panel").inner_text()
        screenshot(page, "demodam.png")
        assert traffic.page_errors == [] and traffic.console_errors == []
    assert traffic.missing == [] and traffic.aborted == []


@pytest.mark.realdata
def test_real_rotterdam_map_renders_one_path_per_buurt(realdata):
    buurten, wijken = rotterdam(realdata)
    html = build(buurten, wijken=wijken, year=2024, indicator=KEY).get_root().render()
    with browser_page(html) as (page, traffic):
        wait_ready(page)
        assert page.locator("svg path.wijkgeo-buurt").count() == len(buurten) == 91
        assert page.locator("svg path.wijkgeo-wijk").count() == 1
        income = page.locator('#wijkgeo-indicator option[value="aandeel_huishoudens_laag_inkomen"]')
        assert income.is_disabled() and "Wijk- en Buurtkaart" in income.inner_text()
        assert "geen gegevens" in page.locator("#wijkgeo-legend").inner_text()
        screenshot(page, "rotterdam.png")
        assert traffic.page_errors == [] and traffic.console_errors == []
    assert traffic.missing == [] and traffic.aborted == []
