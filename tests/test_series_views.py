"""Years where people look: the map's year switch and change view, the profile's development.

Demodam 2015-2024 (a split, a merge, a re-used code) in a store; ``wijkgeo map`` and
``wijkgeo profile`` find the earlier years there by themselves.
"""

from __future__ import annotations

import json
import re

import pytest
from browser import browser_page, screenshot, wait_ready

import wijkgeo
from wijkgeo.demo.years import demo_years
from wijkgeo.maps import write_map
from wijkgeo.profile import build as build_profile
from wijkgeo.store import Store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("years_views"))
    atlas = wijkgeo.make_demo()
    store.write_atlas(atlas)
    for earlier in demo_years(atlas, [2015, 2019, 2022]).values():
        store.write_atlas(earlier)
    return store


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def years_map(demo_store, tmp_path_factory):
    path = write_map(
        "GM9999", 2024, store=demo_store.path, path=tmp_path_factory.mktemp("m") / "m.html"
    )
    return path.read_text(encoding="utf-8")


def test_map_carries_every_year_once_and_its_script(years_map, tmp_path):
    data = _data(years_map)
    jaren = data["jaren"]
    assert jaren["jaren"] == [2015, 2019, 2022, 2024] and jaren["grenzen"] == 2024
    # the newest year is the map's own values, the boundaries are not repeated
    assert "2024" not in jaren["waarden"]["inwoners"] and "topology" not in jaren
    assert set(jaren["herkomst"]) == {"2015", "2019", "2022", "2024"}
    assert "wijkgeo years" in years_map  # static/years.js, only with a series
    one = Store(tmp_path / "one")
    one.write_atlas(wijkgeo.make_demo())
    plain = write_map("GM9999", 2024, store=one.path, path=tmp_path / "p.html").read_text()
    assert "jaren" not in _data(plain) and "wijkgeo years" not in plain


@pytest.mark.browser
def test_change_view_in_the_browser(years_map):
    link = "#indicator=aandeel_huishoudens_laag_inkomen&weergave=verandering&sinds=2015"
    with browser_page(years_map, hash=link + "&buurt=BU99990003") as (page, _traffic):
        wait_ready(page)
        legend = page.inner_text("#wijkgeo-legend")
        assert "verandering sinds 2015" in legend and "geen betekenisvolle verandering" in legend
        popup = page.inner_text(".wijkgeo-popup")
        # the merged buurt: its 2015 value is the sum of the two whole buurten of then,
        # exact, so it says "opgeteld" and not "schatting"
        assert "Herkomst 2015" in popup and "opgeteld uit de hele gebieden" in popup
        assert "schatting" not in popup
        assert "sinds=2015" in page.evaluate("window.location.hash")  # kept in the link
        screenshot(page, "years_change.png")
        assert page.is_disabled("[data-wijkgeo-jaar]")  # one year at a time: off in the change view
        page.check("input[name][value=waarde]")
        page.select_option("[data-wijkgeo-jaar]", "2019")
        assert "jaar=2019" in page.evaluate("window.location.hash")
        assert "2019" in page.inner_text(".wijkgeo-popup")
    # a buurt split since 2015 was estimated through its area: said so
    with browser_page(years_map, hash=link + "&buurt=BU99990000") as (page, _traffic):
        wait_ready(page)
        popup = page.inner_text(".wijkgeo-popup")
        screenshot(page, "years_change_split.png")
    assert "Herkomst 2015" in popup and "schatting: grens veranderd, omgerekend" in popup


def test_profile_shows_development_with_estimates(demo_store, tmp_path):
    atlas = demo_store.read_atlas("GM9999", 2024)
    codes = ["BU99990000", "BU99990003", "WK999900"]
    res = build_profile(atlas, codes, path=tmp_path, store=demo_store.path)
    html = res.pages["BU99990000"].read_text(encoding="utf-8")  # split since 2015
    assert "Hoe ontwikkelt de buurt zich" in html
    assert '<svg class="ontwikkeling"' in html and 'fill="#fff"' in html  # estimates open
    assert "schatting" in html
    # the merged buurt: its earlier values are sums of whole buurten, exact: solid dots and
    # no "(schatting: grens veranderd)" beside its figures
    merged = res.pages["BU99990003"].read_text(encoding="utf-8")
    section = merged[merged.index('<section class="ontwikkeling">') :]
    section = section[: section.index("</section>")]
    assert '<svg class="ontwikkeling"' in section and 'fill="#fff"' not in section
    assert 'class="geschat"' not in section and "stroke-dasharray" not in section
    wijk = res.pages["WK999900"].read_text(encoding="utf-8")
    assert "Hoe ontwikkelt de wijk zich" in wijk
    one = Store(tmp_path / "one")
    one.write_atlas(atlas)
    alone = build_profile(atlas, ["BU99990003"], path=tmp_path / "p", store=one.path)
    assert '<section class="ontwikkeling">' not in alone.pages["BU99990003"].read_text("utf-8")


@pytest.fixture(scope="module")
def years_map_2021(tmp_path_factory):
    """Demodam with 2021 as the year before 2024: the codes swapped in 2022 make the
    single-year comparison call those buurten "niet te vergelijken (grens gewijzigd)"."""
    store = Store(tmp_path_factory.mktemp("years_2021"))
    atlas = wijkgeo.make_demo()
    store.write_atlas(atlas)
    for earlier in demo_years(atlas, [2015, 2019, 2021]).values():
        store.write_atlas(earlier)
    path = write_map("GM9999", 2024, store=store.path, path=tmp_path_factory.mktemp("m") / "m.html")
    return path.read_text(encoding="utf-8")


def _legend_counts(page) -> dict:
    """Legend swatch colour -> count, as the legend says it."""
    return page.evaluate(
        """() => { const out = {};
        document.querySelectorAll('#wijkgeo-legend tr').forEach(tr => {
          const c = getComputedStyle(tr.querySelector('.wijkgeo-swatch')).backgroundColor;
          const n = tr.querySelector('.wijkgeo-n').textContent.replace(/\\./g, '');
          out[c] = (out[c] || 0) + parseInt(n);
        }); return out; }"""
    )


def _drawn_counts(page) -> dict:
    """Fill colour -> number of buurten drawn in it (the map's own paths)."""
    return page.evaluate(
        """() => { const out = {}, probe = document.createElement('span');
        document.body.appendChild(probe);
        document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').forEach(p => {
          const f = p.getAttribute('fill'); if (!f || f === 'none') return;
          probe.style.backgroundColor = f;
          const c = getComputedStyle(probe).backgroundColor;
          out[c] = (out[c] || 0) + 1;
        }); probe.remove(); return out; }"""
    )


def _range_labels(page) -> list:
    """The class rows' range texts of the legend (the rows with a count, before missing)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#wijkgeo-legend tr'))
            .map(tr => tr.children[1].textContent)"""
    )


def _expected_ranges(data: dict, key: str, year: int) -> list:
    """Per class of the map (fixed bins) the range of ``year``'s values in it, Dutch."""
    from wijkgeo.indicators import format_number
    from wijkgeo.maps.topology import decode_vlq

    ind = next(i for i in data["indicators"] if i["key"] == key)
    jaren = data["jaren"]
    ints = [None if x is None else x + ind["o"] for x in decode_vlq(ind["v"])]
    for y in reversed(jaren["jaren"][:-1]):
        steps = decode_vlq(jaren["waarden"][key][str(y)])
        ints = [s if s is None or n is None else s + n for s, n in zip(steps, ints, strict=True)]
        if y == year:
            break
    bins, scale = ind["bins"], 10 ** ind["dec"]
    per: dict[int, list] = {}
    for x in ints:
        if x is not None:
            j = next((j for j, b in enumerate(bins) if x <= b), len(bins) - 1)
            per.setdefault(j, []).append(x / scale)
    out = []
    for j in range(len(bins)):
        if j not in per:
            out.append("geen buurt in deze klasse")
            continue
        a, b = (format_number(v, ind["dec"]) for v in (min(per[j]), max(per[j])))
        out.append(a if a == b else f"{a} \u2013 {b}")
    return out


@pytest.mark.browser
def test_earlier_year_legend_counts_what_the_map_draws(years_map_2021):
    data = _data(years_map_2021)
    link = "#indicator=inwoners&weergave=waarde"
    with browser_page(years_map_2021, hash=link + "&jaar=2015&buurt=BU99990003") as (page, t):
        wait_ready(page)
        counts, drawn = _legend_counts(page), _drawn_counts(page)
        # the counts are those of the 2015 values the map draws, not the newest year's
        assert {c: k for c, k in counts.items() if k} == drawn
        assert "2015 (op de grenzen van 2024)" in page.inner_text("#wijkgeo-legend")
        # the range labels are those of the 2015 values in each class, not the newest year's,
        # and the legend says the classes are the newest year's, fixed over the years
        expected = _expected_ranges(data, "inwoners", 2015)
        assert _range_labels(page)[: len(expected)] == expected
        assert "klassen van 2024, vast over de jaren" in page.inner_text("#wijkgeo-legend")
        screenshot(page, "years_2015_legend.png")
        # a missing value of an earlier year is "geen gegevens", never its area's provenance
        page.evaluate("k => window.wijkgeo.maps[Object.keys(window.wijkgeo.maps)[0]]"
                      ".setIndicator(k)", "aandeel_woningen_met_zonnestroom")
        legend = page.inner_text("#wijkgeo-legend")
        assert re.search(r"geen gegevens\s+[1-9]", legend)  # not in the 2015 edition
        assert "geen gegevens (" not in legend
        assert sum(counts.values()) == len(data["codes"])
        popup = page.inner_text(".wijkgeo-popup")
        # the merged buurt: summed from whole buurten of 2015, exact
        assert "2015" in popup and "opgeteld uit de hele gebieden" in popup
        screenshot(page, "years_2015_popup.png")
        page.select_option("[data-wijkgeo-jaar]", "2024")
        assert _legend_counts(page) != counts  # demo: the 2015 classes hold other numbers
        assert {c: k for c, k in _legend_counts(page).items() if k} == _drawn_counts(page)
        assert not t.page_errors and not t.console_errors


@pytest.mark.browser
def test_popup_gives_one_answer_for_the_change_since_the_year_before(years_map_2021):
    """The series' answer (carried across the boundary change, with its provenance), not
    beside it the single-year comparison's "niet te vergelijken (grens gewijzigd)"."""
    data = _data(years_map_2021)
    assert data["previous"]["year"] == 2021 and "grens gewijzigd" in data["previous"]["notes"]
    changed = data["codes"][data["previous"]["notes"].index("grens gewijzigd")]
    for view in ("&weergave=waarde", "&weergave=verandering&sinds=2015"):
        hash_ = "#indicator=inwoners" + view + "&buurt=" + changed
        with browser_page(years_map_2021, hash=hash_) as (page, _t):
            wait_ready(page)
            popup = page.inner_text(".wijkgeo-popup")
            assert "niet te vergelijken" not in popup, popup
            if "waarde" in view:
                assert "Sinds 2021" in popup and "Herkomst 2021" in popup
            else:
                assert "Sinds 2021" not in popup and "Verandering sinds 2015" in popup
