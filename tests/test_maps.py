"""The map as HTML: one geometry, every indicator, Dutch text, escaping, assets, offline.

What the browser shows is checked in tests/test_maps_browser.py; here the page and its data
block are read back in Python (the topology decoded with the Python twin of engine.js).
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
import shapely
import xyzservices
from browser import (
    APOSTROPHE,
    BRACES,
    GEMEENTE,
    HOSTILE,
    NODE_MODULES,
    ROOT,
    SCRIPT_END,
    TEMPLATE,
    rotterdam,
    synthetic_atlas,
    synthetic_previous,
)

from wijkgeo import ConfigError, DataValidationError
from wijkgeo.indicators import compute, get_indicator, reference_values, registry
from wijkgeo.maps import build, indicator_map, save_map
from wijkgeo.maps.assets import engine_assets, map_assets, parse_cdn_url
from wijkgeo.maps.classes import MISSING_COLOR, classify
from wijkgeo.maps.data import js_classes
from wijkgeo.maps.escape import esc
from wijkgeo.maps.topology import decode_coverage, decode_vlq, encode_coverage, encode_vlq

KEY = "aandeel_65_plus"


@pytest.fixture(scope="module")
def atlas():
    return synthetic_atlas()


@pytest.fixture(scope="module")
def fmap(atlas):
    return build(atlas, previous=synthetic_previous(atlas), indicator=KEY)


@pytest.fixture(scope="module")
def saved(fmap, tmp_path_factory):
    path = save_map(fmap, tmp_path_factory.mktemp("maps") / "kaart.html")
    return path.read_text("utf-8")


def payload(html_or_map) -> dict:
    html = html_or_map if isinstance(html_or_map, str) else html_or_map.get_root().render()
    found = re.search(r'<script type="application/json" id="wijkgeo-data">(.*?)</script>', html)
    assert found, "no data block"
    return json.loads(found[1])


def entry(data: dict, key: str) -> dict:
    return next(e for e in data["indicators"] if e["key"] == key)


def ints_of(e: dict, field: str = "v") -> list:
    """The integer values of an entry, as engine.js decodes them (steps from the median)."""
    return [None if v is None else v + e["o"] for v in decode_vlq(e[field])]


def values_of(data: dict, key: str) -> list:
    e = entry(data, key)
    return [None if v is None else v / 10 ** e["dec"] for v in ints_of(e)]


def _layer(data: dict, layer_id: str) -> dict:
    return next(layer for layer in data["layers"] if layer["id"] == layer_id)


def _arcs(data: dict) -> list[list[tuple[float, float]]]:
    """The decoded arcs (lon, lat), as engine.js decodes them."""
    topo = data["topology"]
    flat = decode_vlq(topo["arcs"])
    (x0, y0), (dx, dy) = topo["origin"], topo["step"]
    arcs, i, x, y = [], 0, 0, 0
    while i < len(flat):
        n, pts = flat[i], []
        i += 1
        for _ in range(n):
            x, y = x + flat[i], y + flat[i + 1]
            i += 2
            pts.append((x0 + x * dx, y0 + y * dy))
        arcs.append(pts)
    return arcs


# --------------------------------------------------------------------------- geometry


def test_vlq_round_trips_any_integers_and_missing():
    rng = np.random.default_rng(1)
    values = [*rng.integers(-(2**40), 2**40, 500).tolist(), 0, -1, 1, 15, 16, -16, None]
    assert decode_vlq(encode_vlq(values)) == values
    assert len(encode_vlq(range(-15, 16))) == 31  # |v| < 16: one character


def test_one_feature_per_buurt_and_the_coverage_survives_the_encoding(fmap, atlas):
    data = payload(fmap)
    assert data["codes"] == list(atlas.buurten["buurtcode"])
    polys = np.array(decode_coverage(data["topology"]))
    assert len(polys) == len(atlas.buurten)
    assert shapely.is_valid(polys).all()
    assert shapely.coverage_is_valid(polys)  # shared edges still shared: no gaps, no overlaps
    original = atlas.buurten.to_crs(4326).geometry.to_numpy()
    overlap = shapely.area(shapely.intersection(polys, original)) / shapely.area(original)
    assert (overlap > 0.97).all()  # every buurt where it was (2 m simplification)


def test_shared_edges_are_stored_once(atlas):
    wgs = atlas.buurten.to_crs(4326).geometry.to_numpy()
    topo = encode_coverage(wgs, quantum=1.0)
    assert all(1 <= len(u) <= 2 for u in topo.users)
    shared = sum(len(u) == 2 for u in topo.users)
    assert shared == 7  # the inner edges of a 3 x 2 grid
    # no arc appears twice: forwards or backwards
    seen = set()
    for arc in topo.arcs:
        key = min(arc.tobytes(), arc[::-1].tobytes())
        assert key not in seen
        seen.add(key)
    # 24 cell edges in the rings, 17 distinct edges stored: the points shrink alike
    ring_points = sum(int(shapely.get_num_coordinates(g)) for g in wgs)
    assert topo.n_points == pytest.approx(17 / 24 * ring_points, rel=0.03)


def test_wijk_borders_are_arcs_on_the_buurt_edges_drawn_once(fmap, atlas):
    data = payload(fmap)
    arcs = _arcs(data)
    wijk = _layer(data, "wijken")
    assert wijk["type"] == "outline" and wijk["className"] == "wijkgeo-wijk"
    borders = shapely.MultiLineString([arcs[i] for i in wijk["arcs"]])
    polys = decode_coverage(data["topology"])
    codes = atlas.buurten["wijkcode"].to_numpy()
    wijk_polys = [
        shapely.union_all([g for g, c in zip(polys, codes, strict=True) if c == w])
        for w in dict.fromkeys(codes)
    ]
    expected = shapely.union_all(shapely.boundary(wijk_polys))
    assert borders.buffer(1e-7).contains(expected) and expected.buffer(1e-7).contains(borders)
    assert borders.length == pytest.approx(expected.length, rel=1e-9)  # nothing drawn twice
    assert borders.length < sum(p.boundary.length for p in wijk_polys) * 0.99


def test_wijk_border_lines_on_small_known_coverages():
    from shapely.geometry import Polygon, box

    from wijkgeo.maps.geometry import wijk_borders

    # 2 x 2 unit squares; wijk A left, wijk B right: outside (8) + the middle line (2)
    squares = np.array([box(0, 0, 1, 1), box(0, 1, 1, 2), box(1, 0, 2, 1), box(1, 1, 2, 2)])
    lines = wijk_borders(squares, np.array(["A", "A", "B", "B"]))[0]
    assert lines.length == pytest.approx(10.0)
    assert wijk_borders(squares, np.array(["A"] * 4))[0].length == pytest.approx(8.0)
    ring = Polygon(box(0, 0, 3, 3).exterior.coords, [box(1, 1, 2, 2).exterior.coords])
    both = np.array([ring, box(1, 1, 2, 2)])
    assert wijk_borders(both, np.array(["A", "B"]))[0].length == pytest.approx(16.0)
    # the topology agrees: an enclave is one closed arc shared by the hole and the island
    lonlat = shapely.affinity.translate  # keep the numbers small but in degrees
    topo = encode_coverage(np.array([lonlat(g, 5, 52) for g in both]), quantum=0.5)
    assert len(topo.border_arcs(["A", "B"])) == 2 and len(topo.border_arcs(["A", "A"])) == 1


def test_auto_tolerance_follows_the_extent_and_none_keeps_the_edges(atlas):
    data_auto = payload(build(atlas, indicators=[KEY]))
    data_raw = payload(build(atlas, indicators=[KEY], simplify=None))
    assert len(data_auto["topology"]["arcs"]) < len(data_raw["topology"]["arcs"])


# --------------------------------------------------------------------------- indicators


def test_every_registry_indicator_travels_as_one_compact_array(fmap, atlas):
    data = payload(fmap)
    # every indicator but the RIVM estimates, which this atlas has no table of
    expected_keys = [k for k, ind in registry().items() if not ind.estimate]
    assert [e["key"] for e in data["indicators"]] == expected_keys
    for e in data["indicators"]:
        assert isinstance(e["v"], str) and len(ints_of(e)) == len(atlas.buurten)
    # the values are the registry's, rounded to its decimals; missing is missing
    expected = compute(atlas.buurten, [KEY])[KEY].round(get_indicator(KEY).decimals)
    got = values_of(data, KEY)
    assert [None if v != v else v for v in expected.tolist()] == got
    assert got[3] is None  # Noord has no count of 65-plussers


def test_classes_are_mapclassify_on_the_shown_values_and_the_browser_rule_agrees(fmap):
    data = payload(fmap)
    for e in data["indicators"]:
        if not e["ok"]:
            continue
        ints = np.array([np.nan if v is None else v for v in ints_of(e)], float)
        ind = get_indicator(e["key"])
        classes = classify(ints, ind.classification, ind.direction)
        index = js_classes(ints, e["bins"])
        assert index.tolist() == classes.index.tolist(), e["key"]
        assert e["colors"] == list(classes.colors)
        counts = re.findall(r'title="aantal buurten">([\d.]+)</td>', e["legend"])
        counts = [c.replace(".", "") for c in counts]
        expected = [*classes.counts]
        assert [int(c) for c in counts[: len(expected)]] == expected
        assert sum(int(c) for c in counts) == len(ints)  # every buurt in one legend row


def test_legend_has_an_honest_missing_class_with_the_reason(atlas):
    buurten = atlas.buurten.copy()
    buurten.loc[0, ["aantal_inwoners", "aantal_personen_65_jaar_en_ouder"]] = [20, 5]
    data = payload(build(buurten, indicators=[KEY]))
    e = entry(data, KEY)
    assert "geen gegevens (te weinig inwoners)</td>" in e["legend"]  # Centrum: 20 inwoners
    assert "geen gegevens</td>" in e["legend"]  # Noord: no count
    assert MISSING_COLOR in e["legend"]
    reasons = {data["reasons"][int(k)]: v for k, v in e["miss"].items()}
    assert reasons == {"te weinig inwoners": [0], "geen gegevens": [3]}


def test_an_indicator_without_any_value_is_greyed_in_the_selector_with_the_reason(saved):
    data = payload(saved)
    e = entry(data, "inkomen_per_inwoner")
    assert not e["ok"] and "Wijk- en Buurtkaart" in e["why"]
    option = re.search(r'<option value="inkomen_per_inwoner"[^>]*>[^<]*</option>', saved)[0]
    assert " disabled" in option and "geen gegevens" in option and "Wijk- en Buurtkaart" in option
    assert re.search(r'<option value="aandeel_65_plus" selected>', saved)
    # grouped by CBS's brede welvaart themes, in Dutch
    assert '<optgroup label="Samenleving">' in saved
    assert '<optgroup label="Materiële welvaart">' in saved


def test_difference_mode_is_diverging_around_the_gemeente(fmap, atlas):
    data = payload(fmap)
    e = entry(data, KEY)
    ref = reference_values(atlas, [KEY])
    assert e["gem"] == [round(ref.at["gemeente", KEY])] == [17]
    assert e["nl"] == round(ref.at["nederland", KEY]) == 20
    assert len(e["dcolors"]) == 2 * len(e["dbins"]) + 1
    assert "gelijk aan de gemeente" in e["dlegend"] and "verschil met de gemeente" in e["dlegend"]
    assert "procentpunt" in e["dlegend"]
    assert "+" in e["dlegend"]  # above the gemeente reads with a sign
    # a count is not compared with a total: no difference classes, and the legend says why
    count = entry(data, "inwoners")
    assert count["total"] is True and "Inwoners" in count["dlegend"]
    assert "een aantal, geen aandeel" in count["dlegend"]
    assert "total" not in e


def test_change_since_the_previous_year_only_where_the_boundary_held(fmap):
    data = payload(fmap)
    assert data["previous"]["year"] == 2023
    prev = ints_of(entry(data, KEY))
    before = ints_of(entry(data, KEY), "prev")
    assert before[2] is None and data["previous"]["notes"][2] == "grens gewijzigd"
    assert before[0] == 9 and prev[0] == 10  # 90 then 100 of 1,000 inwoners
    assert data["previous"]["notes"][0] is None


def test_suppressed_and_secret_values_are_missing_never_numbers(atlas, tmp_path):
    buurten = atlas.buurten.copy()
    buurten["aantal_personen_65_jaar_en_ouder"] = np.nan
    buurten["percentage_personen_65_jaar_en_ouder"] = [12.0, -99997.0, 20, 30, 40, 50]
    html = save_map(build(buurten, indicators=[KEY], wijken=False), tmp_path / "m.html")
    text = html.read_text()
    assert "-99997" not in text and "NaN" not in text
    assert values_of(payload(text), KEY)[1] is None


# --------------------------------------------------------------------------- page, escaping


def test_hostile_names_only_ever_appear_escaped(saved):
    assert HOSTILE not in saved and "<img" not in saved.lower()
    assert SCRIPT_END not in saved and saved.count("</script>") == saved.count("<script")
    data = payload(saved)
    names = data["names"]
    assert names[1] == str(esc(HOSTILE)) == "&lt;img src=x onerror=alert(1)&gt;"
    assert names[2] == "&#39;t Zand" and APOSTROPHE not in names
    assert names[4] == "Buurt &#123;&#123; 7*7 &#125;&#125;" and BRACES not in saved
    assert "Buurt 49" not in saved and "stad 42" not in saved  # Jinja evaluated nothing
    assert names[5] == str(esc(SCRIPT_END + " " + TEMPLATE))
    assert "${" not in names[5]  # braces escaped: no template literal can pick it up
    assert "Wijk &amp; &lt;b&gt;Noord&lt;/b&gt;" in data["wijken"]
    assert str(esc(GEMEENTE)) in saved


def test_engine_script_uses_no_template_literals_or_eval():
    from wijkgeo.maps.page import static_text

    js = static_text("engine.js")
    assert "`" not in js and "eval(" not in js and "new Function" not in js


def test_brt_basemap_url_attribution_and_metric_scale(saved, atlas):
    assert xyzservices.providers.nlmaps.grijs.build_url() in saved
    assert "Kadaster" in saved and "kadaster.nl" in saved
    assert saved.count("L.control.scale({imperial: false") == 1
    other = build(atlas, indicators=[KEY], basemap="standaard").get_root().render()
    assert xyzservices.providers.nlmaps.standaard.build_url() in other
    with pytest.raises(ConfigError, match="achtergrondkaart"):
        build(atlas, basemap="osm")


def test_panel_has_title_gemeente_year_source_and_the_layers(saved):
    panel = saved[saved.index('id="wijkgeo-panel"') :]
    panel = panel[: panel.index("</details>")]
    assert "Indicatoren per buurt" in panel
    assert str(esc(GEMEENTE)) in panel and "2024" in panel and "Bron: testgegevens" in panel
    assert 'data-wijkgeo-layer="buurten" checked' in panel
    assert 'data-wijkgeo-layer="wijken" checked' in panel
    assert "verschil met gemeente" in panel


def test_one_indicator_map_is_a_thin_use_of_build(atlas):
    m = indicator_map(atlas, KEY, title="Vergrijzing <3")
    html = m.get_root().render()
    assert [e["key"] for e in payload(html)["indicators"]] == [KEY]
    assert "Vergrijzing &lt;3" in html and "Vergrijzing <3" not in html


def test_the_same_input_gives_the_same_file(atlas):
    one = build(atlas, indicators=[KEY, "inwoners"]).get_root().render()
    two = build(atlas, indicators=[KEY, "inwoners"]).get_root().render()
    assert one == two


def test_online_assets_are_pinned_npm_files_and_only_leaflet(saved):
    package = json.loads((ROOT / "package.json").read_text())["dependencies"]
    urls = re.findall(r'<script src="([^"]+)"', saved) + re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', saved
    )
    assert sorted(urls) == sorted(u for kind in ("js", "css") for _, u in engine_assets()[kind])
    for url in urls:
        asset = parse_cdn_url(url)
        assert asset is not None and package.get(asset.package) == asset.version, url
    # the folium-style asset list (for plain folium maps) stays pinned too
    for _, url in map_assets()["js"] + map_assets()["css"]:
        asset = parse_cdn_url(url)
        assert asset is not None and package.get(asset.package) == asset.version, url


def test_offline_file_inlines_every_script_and_stylesheet(atlas):
    html = build(atlas, indicators=[KEY], offline=True).get_root().render()
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+stylesheet", html)
    assert "Leaflet 1.9.3" in html  # the library itself
    assert "url(images/" not in html and "data:image/png;base64," in html  # its icons inlined
    assert "cdn.jsdelivr.net" not in html


def test_vendored_files_are_the_pinned_npm_files_with_their_licences():
    vendor = ROOT / "wijkgeo" / "maps" / "vendor"
    package = json.loads((ROOT / "package.json").read_text())["dependencies"]
    folders = [p for p in vendor.iterdir() if p.is_dir()]
    assert folders
    for folder in folders:
        name, version = folder.name.rsplit("@", 1)
        assert package.get(name) == version, folder.name
        assert (folder / "LICENSE").is_file()
        installed = NODE_MODULES / name
        if not installed.is_dir():
            import browser

            msg = "npm-assets ontbreken; draai scripts/install_browser_deps.sh"
            pytest.fail(msg) if browser._strict() else pytest.skip(msg)
        assert json.loads((installed / "package.json").read_text())["version"] == version
        for path in folder.rglob("*"):
            if path.is_file() and path.name != "LICENSE":
                rel = path.relative_to(folder)
                assert path.read_bytes() == (installed / rel).read_bytes(), rel
    for _, url in engine_assets()["js"] + engine_assets()["css"]:
        asset = parse_cdn_url(url)
        assert (vendor / f"{asset.package}@{asset.version}" / asset.path).is_file(), url


def test_package_data_ships_the_engine_and_vendored_files():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["wijkgeo"]
    base = ROOT / "wijkgeo"
    needed = [
        base / "maps" / "static" / "engine.js",
        base / "maps" / "static" / "engine.css",
        base / "maps" / "text.json",
        *(p for p in (base / "maps" / "vendor").rglob("*") if p.is_file()),
    ]
    shipped = {p for g in globs for p in base.glob(g)}
    for path in needed:
        assert path in shipped, path.relative_to(base)


# --------------------------------------------------------------------------- input


def test_geodataframe_input_several_gemeenten_and_own_source(atlas):
    buurten = atlas.buurten.assign(
        gemeentenaam=["Aduard"] * 3 + ["Bedum"] * 3,
        gemeentecode=["GM0001"] * 3 + ["GM0002"] * 3,
    )
    m = build(buurten, indicators=[KEY], wijken=False, source="fictief land", year=2023)
    html = m.get_root().render()
    panel = html[html.index('id="wijkgeo-panel"') :]
    panel = panel[: panel.index("</details>")]
    assert "2 gemeenten" in panel and "2023" in panel and "Bron: fictief land" in panel
    data = payload(html)
    assert data["groups"] == ["Aduard", "Bedum"] and data["group_of"] == [0, 0, 0, 1, 1, 1]
    assert {layer["id"] for layer in data["layers"]} == {"buurten", "gemeenten"}


def test_missing_names_show_the_code_not_nan(atlas):
    buurten = atlas.buurten.copy()
    buurten.loc[0, "buurtnaam"] = None
    assert payload(build(buurten, indicators=[KEY]))["names"][0] == "BU99980001"


def test_bad_input_is_a_clear_error(atlas):
    no_crs = atlas.buurten.copy().set_crs(None, allow_override=True)
    with pytest.raises(DataValidationError, match="EPSG:28992"):
        build(no_crs, indicators=[KEY])
    dup = atlas.buurten.copy()
    dup.loc[1, "buurtcode"] = dup.loc[0, "buurtcode"]
    with pytest.raises(DataValidationError, match="BU99980001"):
        build(dup, indicators=[KEY])
    with pytest.raises(DataValidationError, match="geen buurten"):
        build(atlas.buurten.iloc[:0], indicators=[KEY])
    with pytest.raises(ConfigError, match="aandeel_65_plus"):
        build(atlas, indicators=["aandeel_65_plusss"])
    wgs = atlas.buurten.to_crs("EPSG:4326")  # another CRS is converted, not refused
    assert len(payload(build(wgs, indicators=[KEY]))["codes"]) == 6


def test_canvas_from_many_buurten_or_on_request(atlas):
    assert payload(build(atlas, indicators=[KEY]))["canvas"] is False
    assert payload(build(atlas, indicators=[KEY], prefer_canvas=True))["canvas"] is True


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
    # natural breaks are k-means: seeded, so one input gives one map
    y = np.random.default_rng(5).gamma(2, 10, 300)
    first = classify(y, {"scheme": "natural_breaks", "k": 5}).upper
    assert all(classify(y, {"scheme": "natural_breaks", "k": 5}).upper == first for _ in range(3))


def test_legend_ranges_hold_their_values_and_never_touch():
    from wijkgeo.indicators import format_number
    from wijkgeo.maps.legend import range_labels

    rng = np.random.default_rng(3)
    for _ in range(30):
        values = np.round(rng.gamma(2.0, 8.0, size=40), 2)
        classes = classify(values, {"scheme": "quantiles", "k": 5})
        labels = range_labels(classes, format_number, 0)
        ends = [float(p.replace(",", ".")) for t in labels for p in t.split(" – ")]
        assert ends == sorted(ends)
        pairs = [t.split(" – ") for t in labels]
        assert all(a[-1] != b[0] for a, b in itertools.pairwise(pairs))


def test_map_command_writes_the_file_and_prints_its_path(tmp_path, capsys, atlas):
    from wijkgeo.cli import main
    from wijkgeo.store import Store

    store = Store(tmp_path / "store")
    store.write_atlas(atlas)
    store.write_atlas(synthetic_previous(atlas))
    out = tmp_path / "kaarten" / "test.html"
    out.parent.mkdir()  # an output folder is never made: a typo in a path is refused
    rc = main(
        [
            "map",
            "GM9998",
            "--jaar",
            "2024",
            "--uitvoer",
            str(out),
            "--store",
            str(store.path),
            "--offline",
            "--indicator",
            KEY,
        ]
    )
    assert rc == 0
    assert capsys.readouterr().out.strip() == str(out.resolve())
    data = payload(out.read_text("utf-8"))
    assert data["initial"] == KEY and data["previous"]["year"] == 2023
    assert main(["-q", "map", "GM9998", "--jaar", "2019", "--store", str(store.path)]) == 2
    assert "refresh" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["map", "--help"])
    assert "Voorbeeld: wijkgeo map GM0772 --jaar 2024" in capsys.readouterr().out


def test_missing_browser_prerequisites_fail_on_ci_and_skip_elsewhere(monkeypatch, tmp_path):
    import browser

    monkeypatch.setattr(browser, "NODE_MODULES", tmp_path / "no_node_modules")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="npm-assets ontbreken"):
        browser.require_browser()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="npm-assets ontbreken"):
        browser.require_browser()


@pytest.mark.realdata
def test_real_rotterdam_map(realdata, tmp_path):
    """91 real Rotterdam buurten (generalised, not a clean coverage) with real KWB values."""
    buurten, wijken = rotterdam(realdata)
    assert len(buurten) == 91
    secret = (buurten["percentage_personen_65_jaar_en_ouder"] <= -99990).to_numpy()
    assert secret.any()
    html = save_map(build(buurten, wijken=wijken, year=2024), tmp_path / "r.html").read_text()
    data = payload(html)
    assert data["codes"] == list(buurten["buurtcode"])
    assert "-9999" not in html and "NaN" not in html
    old = values_of(data, KEY)
    assert all(old[i] is None for i in np.flatnonzero(secret))
    # the Wijk- en Buurtkaart has no income: greyed in the selector, saying why
    for key in ("inkomen_per_inwoner", "aandeel_huishoudens_laag_inkomen"):
        e = entry(data, key)
        assert not e["ok"] and "Wijk- en Buurtkaart" in e["why"]
    assert sum(e["ok"] for e in data["indicators"]) >= 30
    # cleaned into a coverage before encoding, so neighbours share their arcs; quantising
    # may pinch a sliver (not a valid coverage to the 1 m); cleaning gives the gaps and
    # overlaps of the generalised source to one neighbour (up to 13 % of a small buurt)
    polys = shapely.make_valid(np.array(decode_coverage(data["topology"])))
    original = buurten.to_crs(4326).geometry.to_numpy()
    share = shapely.area(shapely.intersection(polys, original)) / shapely.area(original)
    assert np.median(share) > 0.99 and share.min() > 0.8
    assert len(_layer(data, "wijken")["arcs"]) > 0
    assert "Rotterdam" in html
    # all 50 (now 51) indicators, 91 buurten: measured 150 kB (one indicator as GeoJSON was 106 kB);
    # 224 kB with the keyboard/table text alternative of the map in engine.js, 260 kB with
    # the wijken's own values (Gebied: wijken)
    assert len(html.encode()) < 275_000
