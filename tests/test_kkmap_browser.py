"""The koppelkansen map in real headless Chromium: layers, legends, year filter, search,
koppelkans popups, "Check deze plek", hostile names in every local layer, screenshots.

Two pages: the demo (every layer, the grid included) and the synthetic gemeente with hostile
names in all four local layers. Any dialog, console or page error fails.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    BRACES,
    HOSTILE,
    KANS_RULE,
    SCRIPT_END,
    TEMPLATE,
    browser_page,
    screenshot,
    synthetic_atlas,
    wait_ready,
    with_hostile_layers,
)

from wijkgeo.maps import build

pytestmark = pytest.mark.browser

API = "wijkgeo.maps['wijkgeo-data']"
KEY = "aandeel_65_plus"




def _layer_ids(page) -> list[str]:
    return page.evaluate(f"{API}.ctx.data.layers.map(l => l.id)")


def _on(page, layer: str) -> bool:
    return page.evaluate(f"id => {API}.map.hasLayer({API}.layers[id].layer)", layer)


def _toggle(page, layer: str, on: bool) -> None:
    box = page.locator(f'input[data-wijkgeo-layer="{layer}"]')
    box.check() if on else box.uncheck()


def _close_popup(page) -> None:
    page.evaluate(f"{API}.map.closePopup()")
    page.wait_for_function("document.querySelector('.leaflet-popup') === null")


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo_atlas():
    import wijkgeo

    return wijkgeo.make_demo()


@pytest.fixture(scope="module")
def demo_html(demo_atlas):
    return build(demo_atlas, indicator=KEY).get_root().render()


@pytest.fixture(scope="module")
def demo(demo_html):
    with browser_page(demo_html, width=1280, height=800) as (page, traffic):
        wait_ready(page)
        yield page, traffic


def test_the_demo_has_every_layer_in_one_control(demo):
    page, _ = demo
    ids = _layer_ids(page)
    assert ids == [
        "buurten",
        "wijken",
        "vierkanten",
        "voorzieningen",
        "initiatieven",
        "energietransitie",
        "projecten",
        "verhalen",
        "koppelkansen",
    ]
    assert page.locator("input[data-wijkgeo-layer]").count() == len(ids)
    page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
    screenshot(page, "kkmap_demo_desktop.png")


def test_every_layer_toggles_and_its_legend_follows(demo):
    page, _ = demo
    with_legend = {
        "vierkanten",
        "voorzieningen",
        "initiatieven",
        "verhalen",
        "energietransitie",
        "projecten",
        "koppelkansen",
    }
    for layer in _layer_ids(page):
        part = page.locator(f'[data-wijkgeo-legend="{layer}"]')
        _toggle(page, layer, True)
        assert _on(page, layer), layer
        assert part.count() == (1 if layer in with_legend else 0), layer
        assert "lagen=" in page.evaluate("location.hash")
        assert layer in page.evaluate("location.hash").split("lagen=")[1].split("&")[0].split(",")
        _toggle(page, layer, False)
        assert not _on(page, layer), layer
        assert part.count() == 0, layer
        assert layer not in page.evaluate("location.hash").split("lagen=")[1].split("&")[0]
    # the indicator legend belongs to the buurten and goes off with them
    _toggle(page, "buurten", False)
    assert not page.locator("#wijkgeo-legend").is_visible()
    _toggle(page, "buurten", True)
    assert page.locator("#wijkgeo-legend").is_visible()
    # the categorical legends read the categories of the layer
    _toggle(page, "voorzieningen", True)
    text = page.locator('[data-wijkgeo-legend="voorzieningen"]').inner_text()
    assert "huisarts" in text and "buurthuis" in text
    # the grid legend labels where the numbers come from, and the selector switches them
    _toggle(page, "vierkanten", True)
    grid = page.locator('[data-wijkgeo-legend="vierkanten"]')
    assert "CBS-vierkant (eigen cijfers)" in grid.inner_text()
    page.select_option("[data-wijkgeo-grid]", "inwoners_buurt")
    assert "uit buurtcijfers verdeeld (schatting)" in grid.inner_text()
    assert "vierkant=inwoners_buurt" in page.evaluate("location.hash")
    screenshot(page, "kkmap_demo_grid.png")
    _toggle(page, "vierkanten", False)
    for layer in (
        "buurten",
        "wijken",
        "voorzieningen",
        "initiatieven",
        "projecten",
        "koppelkansen",
    ):
        _toggle(page, layer, True)


def test_the_year_filter_hides_and_shows_projects(demo, demo_atlas):
    page, _ = demo
    _toggle(page, "projecten", True)
    paths = page.locator("path.wijkgeo-project")
    all_paths = paths.count()
    assert all_paths >= len(demo_atlas.local["projecten"])
    proj = demo_atlas.local["projecten"]
    first = int(proj["startjaar"].min())
    page.evaluate(
        "y => { const el = document.querySelector('[data-wijkgeo-years=\"to\"]');"
        " el.value = y; el.dispatchEvent(new Event('input')); }",
        first,
    )
    expected = int((proj["startjaar"] <= first).sum())
    assert page.evaluate(f"{API}.layers.projecten.count()") == expected
    assert 0 < paths.count() < all_paths
    assert f"jaren={first}-{first}" in page.evaluate("location.hash")
    out = page.locator("[data-wijkgeo-years-out]").inner_text()
    assert out == f"{first} – {first}"
    # a deep link restores the filter; the full range writes nothing
    last = int(proj["eindjaar"].max())
    page.evaluate(f"location.hash = location.hash.replace(/jaren=[0-9-]+/, 'jaren={first}-{last}')")
    page.wait_for_function(f"{API}.layers.projecten.count() === {len(proj)}")
    page.evaluate(
        "location.hash = location.hash.replace(/&?jaren=[0-9-]+/, '') + '&jaren=2026-2028'"
    )
    page.wait_for_function(f"{API}.layers.projecten.count() < {len(proj)}")
    assert page.locator('[data-wijkgeo-years="from"]').input_value() == "2026"
    assert page.locator('[data-wijkgeo-years="to"]').input_value() == "2028"
    page.evaluate(f"{API}.layers.projecten.setYears({first}, {last})")
    assert paths.count() == all_paths
    assert "jaren=" not in page.evaluate("location.hash")


def test_search_finds_a_buurt_by_name_and_by_code_and_a_wijk(demo, demo_atlas):
    page, _ = demo
    b = demo_atlas.buurten.iloc[7]
    box = page.locator("#wijkgeo-search")
    box.fill(str(b["buurtnaam"]).lower())
    assert str(b["buurtnaam"]) in page.locator("#wijkgeo-search-results").inner_text()
    box.press("Enter")
    page.wait_for_function(f"{API}.state.buurt === 7")
    assert str(b["buurtnaam"]) in page.locator(".wijkgeo-popup").first.inner_text()
    _close_popup(page)
    b = demo_atlas.buurten.iloc[12]
    box.fill(str(b["buurtcode"]))
    page.locator("#wijkgeo-search-results li[data-k]").first.click()
    page.wait_for_function(f"{API}.state.buurt === 12")
    _close_popup(page)
    box.fill("duinrand")
    results = page.locator("#wijkgeo-search-results").inner_text()
    assert "wijk WK999902" in results
    box.fill("zzzzqqq")
    assert "niets gevonden" in page.locator("#wijkgeo-search-results").inner_text()
    box.fill("")


def test_a_koppelkans_popup_shows_rule_explanation_robustness_and_assets(demo, demo_atlas):
    from wijkgeo.koppelkansen import evaluate

    page, _ = demo
    _toggle(page, "koppelkansen", True)
    res = evaluate(demo_atlas)
    row = res.matches[res.matches["code"] == "WK999902"].iloc[0]
    badge = page.locator('[data-wijkgeo-unit="WK999902"]')
    badge.click()
    popup = page.locator(".wijkgeo-kanspopup")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert row["titel"] in text
    assert row["robuustheid"] in text
    numbers = re.findall(r"\d+,\d%", row["uitleg"])
    assert numbers and all(n in text for n in numbers)  # the explanation with its numbers
    assert "In of vlakbij" in text
    assert row["initiatieven"][0].split(" (")[0] in text
    assert row["voorzieningen"][0].split(" (")[0] in text
    page.wait_for_timeout(300)
    screenshot(page, "kkmap_demo_koppelkans.png")
    _close_popup(page)


def test_check_deze_plek_lists_the_facts_of_the_clicked_buurt(demo, demo_atlas):
    from wijkgeo.facts.present import what_is_here
    from wijkgeo.koppelkansen import evaluate

    page, _ = demo
    _toggle(page, "koppelkansen", False)  # click the buurt itself, not a badge
    _toggle(page, "voorzieningen", False)
    code = "BU99990201"  # Havenbuurt: voorzieningen, koppelkansen, plans
    buurten = demo_atlas.buurten.reset_index(drop=True)
    i = int(buurten.index[buurten["buurtcode"] == code][0])
    # the buurt as a search or a deep link opens it (a real click is tested by the engine)
    page.evaluate(f"i => {API}.ctx.select(i, null, true)", i)
    page.locator(".wijkgeo-popup .wijkgeo-checkbtn").click()
    panel = page.locator("#wijkgeo-check")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert buurten.loc[i, "buurtnaam"] in text and code in text
    # "wat er al is" by the one rule (wijkgeo.facts.present), as koppelkansen and profile
    present = what_is_here(demo_atlas, "buurt").of(code)
    here = present["voorzieningen"]
    items = panel.locator('[data-wijkgeo-facts="voorzieningen"] li')
    assert items.count() == len(here) > 0
    for rec in here:
        assert rec["naam"] in text
    res = evaluate(demo_atlas)
    m = res.matches
    mine = m[
        (m["code"] == code) | ((m["niveau"] == "wijk") & (m["code"] == buurten.loc[i, "wijkcode"]))
    ]
    kansen = panel.locator('[data-wijkgeo-facts="koppelkansen"]').inner_text()
    assert len(mine) and all(t in kansen for t in mine["titel"])
    plans = panel.locator('[data-wijkgeo-facts="projecten"]')
    assert plans.locator("li").count() == len(present["projecten"]) > 0
    assert all(r["naam"] in plans.inner_text() for r in present["projecten"])
    if any(not r["binnen"] for r in present["projecten"]):
        assert "vlakbij, binnen 250 m" in plans.inner_text()
    facts = panel.locator('[data-wijkgeo-facts="indicatoren"] tr')
    assert facts.count() >= 20  # every indicator with values, in one compact table
    assert "Inwoners van 65 jaar en ouder" in panel.inner_text()
    screenshot(page, "kkmap_demo_check.png")
    panel.locator(".wijkgeo-close").click()
    assert not panel.is_visible()
    _toggle(page, "koppelkansen", True)
    _toggle(page, "voorzieningen", True)


def test_footer_names_sources_dates_and_attribution(demo, demo_atlas):
    page, traffic = demo
    footer = page.locator("#wijkgeo-footer")
    footer.locator("summary").click()
    text = footer.inner_text()
    assert "Demodam" in text and "Kadaster" in text and "Centraal Bureau voor de Statistiek" in text
    assert demo_atlas.meta["retrieved_at"][:10] in text and "peildatum 2024-09-01" in text
    assert page.locator(".wijkgeo-fullscreen a").count() == 1
    # the basemap switches between grijs and pastel (and the link says so)
    page.check('input[name="wijkgeo-basemap"][value="pastel"]')
    assert "achtergrond=pastel" in page.evaluate("location.hash")
    page.wait_for_function(
        "[...document.querySelectorAll('img.leaflet-tile')].some(i => i.src.includes('/pastel/'))"
    )
    page.check('input[name="wijkgeo-basemap"][value="grijs"]')
    assert "achtergrond=" not in page.evaluate("location.hash")
    assert page.locator(".leaflet-control-scale").count() == 1
    assert traffic.console_errors == [] and traffic.page_errors == [] and traffic.dialogs == []
    assert traffic.missing == [] and traffic.aborted == []


def test_phone_screenshot_keeps_boxes_on_screen(demo_html):
    width, height = 390, 844
    with browser_page(demo_html, width=width, height=height) as (page, traffic):
        wait_ready(page)
        page.wait_for_timeout(300)
        screenshot(page, "kkmap_demo_phone.png")
        for sel in ("#wijkgeo-panel", "#wijkgeo-legend", "#wijkgeo-layerlegend"):
            b = page.locator(sel).bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= width, sel
            assert b["y"] >= 0 and b["y"] + b["height"] <= height, sel
        page.locator('[data-wijkgeo-unit="WK999902"]').click()
        page.locator(".wijkgeo-kanspopup").wait_for(state="visible")
        page.wait_for_timeout(400)
        screenshot(page, "kkmap_demo_phone_kans.png")
        box = page.locator(".leaflet-popup-content-wrapper").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert traffic.page_errors == [] and traffic.dialogs == []


# --------------------------------------------------------------------------- hostile names


@pytest.fixture(scope="module")
def hostile_html():
    from wijkgeo.koppelkansen import evaluate, parse_rules

    atlas = with_hostile_layers(synthetic_atlas())
    rules, problems = parse_rules(KANS_RULE)
    assert problems == []
    result = evaluate(atlas, rules=rules)
    assert len(result.matches) == 2
    html = build(atlas, indicator=KEY, koppelkansen=result).get_root().render()
    assert "<img src=x" not in html.split("<body>")[1]
    return html


def test_hostile_names_in_every_local_layer_execute_nothing(hostile_html):
    link = (
        "#lagen=buurten,wijken,voorzieningen,initiatieven,energietransitie,projecten,koppelkansen"
    )
    with browser_page(hostile_html, width=1200, height=800, hash=link) as (page, traffic):
        wait_ready(page)
        # zoomed out, the four voorzieningen of Centrum are one cluster; its tooltip lists them
        page.evaluate(f"{API}.map.setZoom(13, {{animate: false}})")
        cluster = page.locator(".wijkgeo-cluster").first
        cluster.wait_for(state="visible")
        cluster.hover()
        tip = page.locator(".leaflet-tooltip")
        tip.wait_for(state="visible")
        assert HOSTILE in tip.inner_text() and SCRIPT_END in tip.inner_text()
        assert "<img" not in tip.inner_html()
        cluster.click()  # zooms in until the markers stand alone
        page.wait_for_function("document.querySelectorAll('.wijkgeo-poi').length >= 4")
        # every popup and tooltip of every layer, opened the way Leaflet opens them
        texts = page.evaluate(
            f"""() => {{
              const a = {API}, out = [];
              for (const id of ['voorzieningen', 'initiatieven', 'energietransitie',
                                'projecten', 'koppelkansen']) {{
                a.ctx.setLayer(id, true);
                a.layers[id].layer.eachLayer(function visit(l) {{
                  if (l.eachLayer) {{ l.eachLayer(visit); return; }}
                  if (l.getPopup && l.getPopup()) {{
                    l.openPopup(l.getLatLng ? l.getLatLng() : l.getBounds().getCenter());
                    out.push(l.getPopup().getElement().innerText);
                  }}
                }});
              }}
              a.map.closePopup();
              return out.join('\\n');
            }}"""
        )
        for hostile in (HOSTILE, SCRIPT_END, TEMPLATE, BRACES):
            assert hostile in texts, hostile
        assert "Veel ouderen" in texts and "30%" in texts  # the kans popup and its reason
        # the check panel of the hostile buurt lists hostile things as text
        page.evaluate(f"{API}.ctx.openCheck(1)")
        panel = page.locator("#wijkgeo-check")
        assert HOSTILE in panel.inner_text()
        page.evaluate(f"{API}.ctx.openCheck(0)")
        assert HOSTILE in panel.locator('[data-wijkgeo-facts="voorzieningen"]').inner_text()
        stray = page.eval_on_selector_all(
            "img:not(.leaflet-tile)", "els => els.map(e => e.outerHTML)"
        )
        assert stray == []
        assert page.evaluate("document.querySelectorAll('script').length") <= 6
        screenshot(page, "kkmap_hostile.png")
        assert traffic.dialogs == []
        assert traffic.console_errors == [] and traffic.page_errors == []


def test_the_offline_koppelkansen_map_needs_nothing_but_tiles(demo_atlas):
    html = build(demo_atlas, indicator=KEY, offline=True).get_root().render()
    with browser_page(html, offline=True) as (page, traffic):
        wait_ready(page)
        assert page.locator(".wijkgeo-poi, .wijkgeo-cluster").count() > 0
        assert page.locator('[data-wijkgeo-unit="WK999902"]').count() == 1
        assert traffic.page_errors == [] and traffic.dialogs == []
        assert all("/achtergrondkaart/" in u for u in traffic.aborted)
