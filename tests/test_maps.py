"""The indicator map as HTML: content, Dutch text, escaping, assets, geometry handling."""

from __future__ import annotations

import itertools
import json
import re

import folium
import numpy as np
import pytest
import shapely
import xyzservices
from browser import APOSTROPHE, BRACES, GEMEENTE, HOSTILE, ROOT, rotterdam, synthetic_atlas
from shapely.geometry import shape

from wijkgeo import ConfigError, DataValidationError
from wijkgeo.indicators import get_indicator
from wijkgeo.maps import indicator_map, save_map
from wijkgeo.maps.assets import map_assets, parse_cdn_url
from wijkgeo.maps.classes import MISSING_COLOR, classify
from wijkgeo.maps.escape import esc

KEY = "aandeel_65_plus"


@pytest.fixture(scope="module")
def atlas():
    return synthetic_atlas()


@pytest.fixture(scope="module")
def fmap(atlas):
    return indicator_map(atlas, KEY)


@pytest.fixture(scope="module")
def saved(fmap, tmp_path_factory):
    path = save_map(fmap, tmp_path_factory.mktemp("maps") / "sub" / "kaart.html")
    return path.read_text("utf-8")


def _js_unescape(text: str) -> str:
    """Undo the ``\\uXXXX`` escapes of the embedded JSON (what the browser's parser sees)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)


def _layers(fmap):
    out = {}
    for child in fmap._children.values():
        if isinstance(child, folium.GeoJson):
            out[child.options.get("className")] = child
    return out


def _tooltips(fmap) -> dict[str, str]:
    layer = _layers(fmap)["wijkgeo-buurt"]
    return {
        f["properties"]["buurtcode"]: f["properties"]["tooltip"] for f in layer.data["features"]
    }


def test_every_buurt_is_in_the_html_once_as_a_feature(fmap, saved, atlas):
    features = _layers(fmap)["wijkgeo-buurt"].data["features"]
    assert [f["properties"]["buurtcode"] for f in features] == list(atlas.buurten["buurtcode"])
    for code in atlas.buurten["buurtcode"]:
        assert f'"buurtcode": "{code}"' in saved


def _wijk_borders(fmap):
    features = _layers(fmap)["wijkgeo-wijk"].data["features"]
    assert len(features) == 1 and features[0]["geometry"]["type"] in {
        "LineString",
        "MultiLineString",
    }
    return shape(features[0]["geometry"])


def test_wijk_borders_lie_on_the_buurt_edges_and_are_drawn_once(fmap, atlas):
    layers = _layers(fmap)
    assert layers["wijkgeo-wijk"].options["interactive"] is False  # never takes the hover
    buurt_geoms = [shape(f["geometry"]) for f in layers["wijkgeo-buurt"].data["features"]]
    codes = atlas.buurten["wijkcode"].to_numpy()
    wijk_polys = [
        shapely.union_all([g for g, c in zip(buurt_geoms, codes, strict=True) if c == w])
        for w in dict.fromkeys(codes)
    ]
    expected = shapely.union_all(shapely.boundary(wijk_polys))  # each border once
    borders = _wijk_borders(fmap)
    assert borders.equals(expected)
    # drawn once: no segment twice (polygon outlines would draw the wijk-wijk border twice)
    assert borders.length == pytest.approx(expected.length, rel=1e-9)
    assert borders.length < sum(p.boundary.length for p in wijk_polys) * 0.99
    # every vertex of the borders is a vertex of the drawn buurten (exactly on their edges)
    buurt_vertices = {tuple(c) for g in buurt_geoms for c in shapely.get_coordinates(g)}
    assert {tuple(c) for c in shapely.get_coordinates(borders)} <= buurt_vertices


def test_wijk_border_lines_on_small_known_coverages():
    from shapely.geometry import Polygon, box

    from wijkgeo.maps.geometry import wijk_borders as _wijk_borders

    # 2 x 2 unit squares; wijk A left, wijk B right: outside (8) + the middle line (2)
    squares = np.array([box(0, 0, 1, 1), box(0, 1, 1, 2), box(1, 0, 2, 1), box(1, 1, 2, 2)])
    lines = _wijk_borders(squares, np.array(["A", "A", "B", "B"]))[0]
    assert lines.length == pytest.approx(10.0)
    assert lines.equals(shapely.union_all([box(0, 0, 2, 2).boundary, box(1, 0, 1, 2).boundary]))
    # one wijk: only the outside
    assert _wijk_borders(squares, np.array(["A"] * 4))[0].length == pytest.approx(8.0)
    # an enclave: a buurt with a hole and the buurt inside it
    ring = Polygon(box(0, 0, 3, 3).exterior.coords, [box(1, 1, 2, 2).exterior.coords])
    inner = box(1, 1, 2, 2)
    both = np.array([ring, inner])
    assert _wijk_borders(both, np.array(["A", "B"]))[0].length == pytest.approx(16.0)
    assert _wijk_borders(both, np.array(["A", "A"]))[0].length == pytest.approx(12.0)


def test_wijk_outlines_without_simplification_are_wijk_polygons(atlas):
    m = indicator_map(atlas, KEY, simplify=None)
    features = _layers(m)["wijkgeo-wijk"].data["features"]
    assert len(features) == len(atlas.wijken)
    assert {f["geometry"]["type"] for f in features} == {"Polygon"}


def _legend_texts(fmap) -> list[str]:
    html = fmap.get_root().render()
    legend = html[html.index('id="wijkgeo-legend"') :]
    return re.findall(r"</span></td><td>([^<]*)</td>", legend[: legend.index("</table>")])


def test_legend_uses_more_decimals_when_classes_would_read_alike(atlas):
    # 65-plussers 11.2 % and 11.4 %: with the registry's 0 decimals both read "11"
    buurten = atlas.buurten.assign(
        aantal_inwoners=[1000] * 6,
        aantal_personen_65_jaar_en_ouder=[100.0, 112.0, 114.0, 300.0, 310.0, np.nan],
    )
    assert get_indicator(KEY).decimals == 0
    texts = _legend_texts(indicator_map(buurten, KEY, wijken=False))
    assert texts[:-1] == ["10,0", "11,2", "11,4", "30,0", "31,0"]
    assert texts[-1] == "geen gegevens"


def test_legend_ranges_hold_their_values_and_never_touch(atlas):
    from wijkgeo.indicators import format_number
    from wijkgeo.maps.legend import range_labels

    rng = np.random.default_rng(3)
    for _ in range(50):
        values = np.round(rng.gamma(2.0, 8.0, size=40), 2)
        classes = classify(values, {"scheme": "quantiles", "k": 5})
        labels = range_labels(classes, format_number, 0)
        ends = [float(p.replace(",", ".")) for t in labels for p in t.split(" – ")]
        assert ends == sorted(ends)  # ascending, no class range inside another
        for i, text in enumerate(labels):
            lo, hi = text.split(" – ") if " – " in text else (text, text)
            mine = values[classes.index == i]
            d = len(lo.split(",")[1]) if "," in lo else 0
            assert lo == format_number(mine.min(), d) and hi == format_number(mine.max(), d)
        # a class's highest value and the next one's lowest never read the same
        pairs = [t.split(" – ") for t in labels]
        assert all(a[-1] != b[0] for a, b in itertools.pairwise(pairs))


def test_missing_value_reads_geen_gegevens_and_is_grey(fmap, atlas):
    tips = _tooltips(fmap)
    noord = tips["BU99980101"]
    assert "geen gegevens" in noord
    assert "nan" not in noord.lower() and "-9999" not in noord
    layer = _layers(fmap)["wijkgeo-buurt"]
    feature = next(
        f for f in layer.data["features"] if f["properties"]["buurtcode"] == "BU99980101"
    )
    assert feature["properties"]["k"] == -1
    assert layer.style_function(feature)["fillColor"] == MISSING_COLOR


def test_cbs_secret_value_is_missing_not_a_number(atlas, tmp_path):
    buurten = atlas.buurten.copy()
    buurten["aantal_personen_65_jaar_en_ouder"] = np.nan
    buurten["percentage_personen_65_jaar_en_ouder"] = [12.0, -99997.0, 20, 30, 40, 50]
    html = save_map(indicator_map(buurten, KEY, wijken=False), tmp_path / "m.html").read_text()
    assert "-99997" not in html
    tip = _tooltips(indicator_map(buurten, KEY, wijken=False))["BU99980002"]
    assert "geen gegevens" in tip


def test_suppressed_value_says_why(atlas):
    buurten = atlas.buurten.copy()
    buurten.loc[0, ["aantal_inwoners", "aantal_personen_65_jaar_en_ouder"]] = [20, 5]
    tip = _tooltips(indicator_map(buurten, KEY, wijken=False))["BU99980001"]
    assert "<b>geen gegevens (te weinig inwoners)</b>" in tip  # reason from the registry


def test_missing_names_show_the_code_not_nan(atlas):
    buurten = atlas.buurten.copy()
    buurten.loc[0, "buurtnaam"] = None
    tip = _tooltips(indicator_map(buurten, KEY, wijken=False))["BU99980001"]
    assert '<div class="wijkgeo-naam">BU99980001</div>' in tip and "nan" not in tip.lower()


def test_tooltip_is_dutch_with_value_unit_and_wijk(fmap):
    tips = _tooltips(fmap)
    centrum = tips["BU99980001"]
    assert "Inwoners van 65 jaar en ouder" in centrum  # registry label
    assert "<b>10%</b>" in centrum  # 100 of 1000, unit from the registry
    assert "wijk Binnenstad" in centrum
    assert "Wijk &amp; &lt;b&gt;Noord&lt;/b&gt;" in tips["BU99980102"]


def test_brt_basemap_url_and_attribution(saved, atlas, tmp_path):
    grijs = xyzservices.providers.nlmaps.grijs
    assert grijs.build_url() in saved
    assert "Kadaster" in saved and "kadaster.nl" in saved
    other = save_map(
        indicator_map(atlas, KEY, basemap="standaard"),
        tmp_path / "standaard.html",
    ).read_text()
    assert xyzservices.providers.nlmaps.standaard.build_url() in other
    with pytest.raises(ConfigError, match="achtergrondkaart"):
        indicator_map(atlas, KEY, basemap="osm")


def test_scale_bar_is_metric_only(saved):
    assert saved.count("L.control.scale(") == 1
    assert "L.control.scale({imperial: false" in saved


def test_title_box_has_label_gemeente_year_and_source(saved, atlas):
    box = saved[saved.index('id="wijkgeo-title"') :]
    box = box[: box.index("</div></div>")]
    assert "Inwoners van 65 jaar en ouder per buurt" in box
    assert str(esc(GEMEENTE)) in box and "2024" in box and "Bron: testgegevens" in box
    custom = indicator_map(atlas, KEY, title="Vergrijzing <3").get_root().render()
    assert "Vergrijzing &lt;3" in custom and "Vergrijzing <3" not in custom


def test_hostile_names_only_ever_appear_escaped(saved):
    decoded = _js_unescape(saved)
    assert "<img src=x" not in decoded and "<img" not in decoded.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in decoded
    assert HOSTILE not in decoded
    assert "&#39;t Zand" in decoded and APOSTROPHE not in decoded
    # folium renders element output twice with Jinja: braces must not be evaluated
    assert "Buurt &#123;&#123; 7*7 &#125;&#125;" in decoded and BRACES not in decoded
    assert "Buurt 49" not in decoded and "stad 42" not in decoded


def test_every_asset_is_a_pinned_npm_file(saved):
    package = json.loads((ROOT / "package.json").read_text())["dependencies"]
    urls = re.findall(r'<script src="([^"]+)"', saved) + re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', saved
    )
    assert sorted(urls) == sorted(u for kind in ("js", "css") for _, u in map_assets()[kind])
    for url in urls:
        asset = parse_cdn_url(url)
        assert asset is not None, f"{url} is not a jsdelivr npm URL"
        assert package.get(asset.package) == asset.version, url


def test_coverage_simplification_shrinks_html_and_keeps_a_coverage(atlas, tmp_path):
    raw = save_map(indicator_map(atlas, KEY, simplify=None), tmp_path / "raw.html")
    simple = save_map(indicator_map(atlas, KEY, simplify=5.0), tmp_path / "simple.html")
    assert simple.stat().st_size < raw.stat().st_size
    feats = _layers(indicator_map(atlas, KEY, simplify=5.0))["wijkgeo-buurt"].data["features"]
    geoms = np.array([shape(f["geometry"]) for f in feats])
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)  # shared edges still shared: no gaps, no overlaps
    coords = [c for f in feats for ring in f["geometry"]["coordinates"] for c in ring]
    assert all(len(repr(v).split(".")[1]) <= 6 for c in coords for v in c)  # 6 decimals


def test_geodataframe_input_and_no_wijken(atlas):
    m = indicator_map(atlas.buurten, KEY, wijken=False, year=2023)
    assert set(_layers(m)) == {"wijkgeo-buurt"}
    html = m.get_root().render()
    assert "2023" in html and str(esc(GEMEENTE)) in html


def test_title_of_a_map_over_several_gemeenten_and_own_source(atlas):
    buurten = atlas.buurten.assign(gemeentenaam=["Aduard"] * 3 + ["Bedum"] * 3)
    m = indicator_map(buurten, KEY, wijken=False, source="fictief land, geen echte gegevens")
    title = m.get_root().render()
    title = title[title.index('id="wijkgeo-title"') :]
    title = title[: title.index("</div></div>")]
    assert "2 gemeenten" in title and "Aduard" not in title  # not the first buurt's gemeente
    assert "Bron: fictief land, geen echte gegevens" in title
    assert "CBS" not in title


def test_wijk_outlines_from_wijken_when_buurten_lack_wijkcode(atlas):
    m = indicator_map(atlas.buurten.drop(columns="wijkcode"), KEY, wijken=atlas.wijken)
    outlines = _layers(m)["wijkgeo-wijk"].data["features"]
    assert len(outlines) == len(atlas.wijken)
    assert "wijk " not in _tooltips(m)["BU99980001"]  # no wijkcode: no wijk line in the tooltip


def test_bad_input_is_a_clear_error(atlas):
    no_crs = atlas.buurten.copy().set_crs(None, allow_override=True)
    with pytest.raises(DataValidationError, match="EPSG:28992"):
        indicator_map(no_crs, KEY)
    dup = atlas.buurten.copy()
    dup.loc[1, "buurtcode"] = dup.loc[0, "buurtcode"]
    with pytest.raises(DataValidationError, match="BU99980001"):
        indicator_map(dup, KEY)
    with pytest.raises(DataValidationError, match="geen buurten"):
        indicator_map(atlas.buurten.iloc[:0], KEY)
    wgs = atlas.buurten.to_crs("EPSG:4326")  # another CRS is converted, not refused
    assert len(_layers(indicator_map(wgs, KEY))["wijkgeo-buurt"].data["features"]) == 6


def test_classify_handles_ties_all_missing_and_direction():
    c = classify(np.array([1.0, 1, 1, 2, np.nan]), {"scheme": "quantiles", "k": 5})
    assert c.counts == (3, 1) and c.missing == 1 and c.index.tolist() == [0, 0, 0, 1, -1]
    empty = classify(np.array([np.nan, np.nan]), {"scheme": "quantiles", "k": 5})
    assert empty.colors == () and empty.missing == 2
    good = classify(np.arange(10.0), {"scheme": "equal_interval", "k": 4}, "hoger_is_beter")
    bad = classify(np.arange(10.0), {"scheme": "equal_interval", "k": 4}, "hoger_is_slechter")
    assert good.colors != bad.colors and len(good.colors) == 4
    with pytest.raises(ConfigError, match="klassenindeling"):
        classify(np.arange(10.0), {"scheme": "no_such_scheme", "k": 4})


@pytest.mark.realdata
def test_real_rotterdam_map(realdata, tmp_path):
    """91 real Rotterdam buurten (generalised, not a clean coverage) with real CBS values."""
    buurten, wijken = rotterdam(realdata)
    assert len(buurten) == 91
    secret = buurten["percentage_personen_65_jaar_en_ouder"] <= -99990
    assert secret.any()  # the real file has CBS secret values: they must read "geen gegevens"

    fmap = indicator_map(buurten, KEY, wijken=wijken, year=2024)
    html = save_map(fmap, tmp_path / "rotterdam.html").read_text("utf-8")
    for code in buurten["buurtcode"]:
        assert f'"buurtcode": "{code}"' in html
    assert "-9999" not in html and "NaN" not in html
    tips = _tooltips(fmap)
    for code in buurten.loc[secret, "buurtcode"]:
        assert "geen gegevens" in tips[code]
    assert "Rotterdam" in html
    # the real (generalised) boundaries are no clean coverage: drawn as they are, wijk polygons
    wijk_layer = _layers(fmap)["wijkgeo-wijk"]
    assert len(wijk_layer.data["features"]) == buurten["wijkcode"].nunique()
    # size guard: measured 106 kB (folium.GeoJson(gdf) with all columns: 809 kB)
    assert len(html.encode()) < 160_000


def test_missing_browser_prerequisites_fail_on_ci_and_skip_elsewhere(monkeypatch, tmp_path):
    import browser

    monkeypatch.setattr(browser, "NODE_MODULES", tmp_path / "no_node_modules")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="npm-assets ontbreken"):
        browser.require_browser()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="npm-assets ontbreken"):
        browser.require_browser()


def test_canvas_renderer_is_opt_in(atlas):
    assert '"preferCanvas": false' in indicator_map(atlas, KEY).get_root().render()
    assert (
        '"preferCanvas": true' in indicator_map(atlas, KEY, prefer_canvas=True).get_root().render()
    )
