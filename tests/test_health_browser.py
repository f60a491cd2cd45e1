"""A model estimate's popup in a real headless Chromium, on a map that also carries the
stored years: the estimate's year, the word "schatting" and its own provenance, never the
years' change and per-year boundary rows (they would contradict it: one RIVM edition is no
yearly series)."""

from __future__ import annotations

import re

import pytest
from browser import browser_page, screenshot, wait_ready

import wijkgeo
from wijkgeo.demo.years import demo_years
from wijkgeo.maps import write_map
from wijkgeo.store import Store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    folder = tmp_path_factory.mktemp("health_map")
    store = Store(folder / "store")
    atlas = wijkgeo.make_demo()
    store.write_atlas(atlas)
    store.write_atlas(demo_years(atlas, [2023])[2023])
    path = write_map("GM9999", 2024, store=store.path, path=folder / "kaart.html")
    return path.read_text(encoding="utf-8"), atlas


def test_estimate_popup_has_its_own_provenance_not_the_years_rows(html):
    text, atlas = html
    code = str(atlas.buurten["buurtcode"].iloc[0])
    with browser_page(text, hash=f"#indicator=eenzaam_65plus&buurt={code}") as (page, _):
        wait_ready(page)
        popup = page.locator(".wijkgeo-popup")
        popup.wait_for(state="visible")
        got = popup.inner_text()
        screenshot(page, "health_estimate_popup.png")
        assert "schatting 2024" in got and "tussen" in got  # year and published margin
        assert len(re.findall(r"^Herkomst", got, flags=re.M)) == 1, got
        assert "Sinds 2023" not in got and "Herkomst 2023" not in got, got
        # an earlier year shown: the estimate stays the one edition with its year, not an
        # empty "2023" (the RIVM figures are no yearly series of the store)
        page.select_option("select[data-wijkgeo-jaar]", "2023")
        page.wait_for_timeout(300)
        got = popup.inner_text()
        assert "schatting 2024" in got and "2023" not in got, got
        # an indicator of the Kerncijfers keeps the years' rows on the same map
        page.select_option("select[data-wijkgeo-jaar]", "2024")
        page.select_option("#wijkgeo-indicator", "aandeel_65_plus")
        page.wait_for_function(
            "document.querySelector('.wijkgeo-popup') &&"
            " document.querySelector('.wijkgeo-popup').innerText.includes('Sinds 2023')"
        )
