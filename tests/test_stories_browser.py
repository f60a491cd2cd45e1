"""Hostile text in stories and initiative results executes nothing, on the map or the profile.

Stories and outcomes are free text typed by people: every field gets HTML, ``</script>``,
a JavaScript template literal and Jinja braces. In headless Chromium no dialog opens, no
stray element appears, and the texts are shown as the text they are.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest
from shapely import Point

import wijkgeo
from tests.browser import (
    BRACES,
    HOSTILE,
    SCRIPT_END,
    TEMPLATE,
    browser_page,
    require_browser,
    screenshot,
    wait_ready,
)
from wijkgeo.maps import build

pytestmark = pytest.mark.browser

API = "wijkgeo.maps['wijkgeo-data']"


@pytest.fixture(scope="module")
def atlas():
    demo = wijkgeo.make_demo()
    b = demo.buurten.set_index("buurtcode")
    inside = b.geometry["BU99990201"].representative_point()
    stories = gpd.GeoDataFrame(
        {
            "id": ["H1", "H2", "H3"],
            "datum": pd.to_datetime(["2024-05-01", "2024-06-01", "2024-07-01"]),
            "thema": ["welzijn", SCRIPT_END, "wonen"],
            "bron": ["bewoner", HOSTILE, "wijkschouw"],
            "tekst": [HOSTILE + " " + TEMPLATE, SCRIPT_END + BRACES, "Gewoon verhaal"],
            "gaat_over": ["aandeel_65_plus", HOSTILE, ""],
            "buurtcode": ["", "BU99990201", ""],
            "wijkcode": ["", "", "WK999902"],
        },
        geometry=[Point(inside.x, inside.y), None, None],
        crs="EPSG:28992",
    )
    init = demo.local["bewonersinitiatieven"].copy()
    first = init.index[0]
    for col in ("naam", "doel", "activiteiten", "bereik", "wat_is_veranderd"):
        init[col] = init[col].astype(object)
        init.loc[first, col] = f"{HOSTILE} {SCRIPT_END} {TEMPLATE} {BRACES}"
    init["deelnemers"] = init["deelnemers"].astype(object)
    init.loc[first, "deelnemers"] = HOSTILE
    init.loc[first, "veranderverhaal"] = "javascript:alert(4)"
    local = {**demo.local, "verhalen": stories, "bewonersinitiatieven": init}
    return replace(demo, local=local)


def test_map_popups_and_check_panel_show_hostile_text_as_text(atlas):
    html = build(atlas).get_root().render()
    assert "<img src=x" not in html and "{{ 7*7 }}" not in html
    with browser_page(html, width=1280, height=800) as (page, traffic):
        wait_ready(page)
        texts = page.evaluate(
            f"""() => {{
              const a = {API}, out = [];
              for (const id of ['verhalen', 'initiatieven']) {{
                a.ctx.setLayer(id, true);
                a.layers[id].layer.eachLayer(function visit(l) {{
                  if (l.eachLayer) {{ l.eachLayer(visit); return; }}
                  if (l.getPopup && l.getPopup()) {{
                    l.openPopup(l.getLatLng());
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
        i = page.evaluate(f"{API}.ctx.data.codes.indexOf('BU99990201')")
        page.evaluate(f"{API}.ctx.openCheck({i})")
        panel = page.locator('#wijkgeo-check [data-wijkgeo-facts="verhalen"]')
        assert HOSTILE in panel.inner_text() and "Gewoon verhaal" in panel.inner_text()
        stray = page.eval_on_selector_all(
            "img:not(.leaflet-tile)", "els => els.map(e => e.outerHTML)"
        )
        assert stray == []
        screenshot(page, "stories_hostile_map.png")
        assert traffic.dialogs == [] and traffic.page_errors == []


def test_profile_shows_hostile_stories_and_results_as_text(atlas, tmp_path):
    from playwright.sync_api import sync_playwright

    from wijkgeo.profile import build as build_profile

    chromium = require_browser()
    res = build_profile(atlas, ["BU99990201", "WK999902"], path=tmp_path)
    html = res.pages["WK999902"].read_text("utf-8")
    assert "<img src=x" not in html and "javascript:" not in html
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        for code in ("BU99990201", "WK999902"):
            page.goto(res.pages[code].resolve().as_uri())
            assert (
                page.evaluate("document.querySelectorAll('script, img, svg[onload]').length") == 0
            )
            text = page.inner_text("body")
            assert HOSTILE in text and TEMPLATE in text
        works = page.inner_text("section.works")
        assert SCRIPT_END in works and BRACES in works
        voices = page.inner_text("section.themes")
        assert "Wat bewoners hierover zeggen" in voices  # beside aandeel_65_plus
        page.locator("section.works").screenshot(path=str(tmp_path / "works.png"))
        browser.close()
    assert dialogs == [] and errors == []
