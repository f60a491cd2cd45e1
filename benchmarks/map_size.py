"""Size and speed of the map engine against one ``folium.Choropleth`` layer per indicator.

Run ``.venv/bin/python benchmarks/map_size.py`` (about 5 minutes; needs the browser
prerequisites of ``make test`` for the render timing). Everything is measured in this one run:

1. On the national-scale synthetic country (``generate_country()``, ~15,000 buurten): the
   HTML size of ``wijkgeo.maps.build`` with 1 and with 40 indicators (the registry's 39 that the
   synthetic KWB columns feed, plus ``planjaar_aardgasvrij`` from a synthetic
   energietransitie table).
2. The naive way on the same country: ``folium.Choropleth`` of the whole GeoDataFrame per
   indicator (what the folium docs show), with 1 and with 5 indicators in one file; 40 is
   **extrapolated linearly** from those two (size = a + b * N), not built: it would be ~4 GB.
3. On the 1,075-buurt region (``generate_country(25)``): the time from navigation until every
   buurt is drawn (``path`` elements counted on each animation frame) in headless Chromium,
   served by the tests' local harness (tests/browser.py: assets from ``.cache/npm``, tiles
   stubbed), median of 3 loads each: ours with 40 indicators against the naive map with one
   (without Choropleth's legend, which needs d3 from cdnjs: that only helps the naive map).

The last line is ``size_ratio_40_vs_1=<x> smaller_than_naive_40=<y> national_40_mb=<z>
render_speedup=<r>`` (render_speedup = naive time / our time).

Measured 2026-12-01 on the shared 2-core machine (folium 0.20, shapely 2.2, Debian
Chromium; other jobs were running, so the seconds are noisy, the sizes exact)::

    national: 15,050 buurten (15.3 s)
      ours, 1 indicator:     2.92 MB (build+save 17.0 s)
      ours, 40 indicators:   4.14 MB (build+save 17.1 s)
      naive Choropleth, 1 indicator(s):    111.6 MB (33 s)
      naive Choropleth, 5 indicator(s):    557.7 MB (127 s)
      naive Choropleth, 40 indicators:   4461.2 MB (EXTRAPOLATED linearly from 1 and 5:
        111.6 MB + 39 x 111.5 MB; not built)
    region: 1,075 buurten; ours 40 indicators 0.57 MB drawn in 447 ms | naive 1 indicator
      7.78 MB drawn in 2164 ms (median of 3 loads, headless Chromium)
    size_ratio_40_vs_1=1.42 smaller_than_naive_40=1077 national_40_mb=4.14 render_speedup=4.84

Re-run after issue 14 (the koppelkansen layer types in ``engine.js`` and the new
``overlays.js``, which this benchmark's bare buurten do not load), same machine::

    national: ours, 1 indicator 2.93 MB (build+save 6.1 s); 40 indicators 4.15 MB (5.8 s)
    naive Choropleth: 1 indicator 111.6 MB (16 s); 5 indicators 557.7 MB (73 s)
    region: ours 40 indicators 0.58 MB drawn in 282 ms | naive 1 indicator 7.78 MB in 778 ms
    size_ratio_40_vs_1=1.42 smaller_than_naive_40=1076 national_40_mb=4.15 render_speedup=2.76

The targets still hold; the engine grew by ~10 kB (hooks, layer legends), the seconds are
lower than the first run only because the machine was less busy.

Targets of issue 13: ratio <= 1.5 (met, 1.42), >= 10x smaller than naive at 40 (1,077x, the
naive number extrapolated), national 40 <= 15 MB (4.1 MB), rendering at least as fast as the
naive one-indicator map (4.8x faster).

Re-run after issue 19 round 2 (the map renders ``wijkgeo.facts.build_facts``): sizes
unchanged (1 indicator 2.95 MB, 40 indicators 4.19 MB, the HTML byte-for-byte that of the
code before). The national build, ours only, old and new code back to back on a loaded
machine (load ~4)::

    before: 1 indicator 8.4 s, 40 indicators 17.4 s
    after:  1 indicator 10.9 s, 40 indicators 10.0 s   (build_facts itself: 0.5 s for 40)

(The render step of this script needs the npm assets of ``scripts/install_browser_deps.sh``;
the page is unchanged, so its render time is too.)

Reading, honestly:

- Geometry: the national map is drawn at the automatic tolerance of 12.5 m
  (:func:`wijkgeo.maps.geometry.auto_tolerance`) on a 6.25 m grid; 450,000 topology points
  against 1.45 million buurt vertices at 2 m in the old one-indicator builder (which made
  47.8 MB). The topology alone stores 53 % of the points (measured on the region at 2 m:
  106,926 buurt vertices, 57,136 topology points), the wijk and gemeente borders cost none
  (lists of the same arcs), and the VLQ delta encoding takes ~2.7 characters per point
  where GeoJSON takes ~22; the coarser tolerance does the rest. Of the 2.92 MB of the
  one-indicator file, 1.2 MB are arcs, 0.65 MB the ring lists (JSON), 0.7 MB codes, names
  and wijk names.
- 39 more indicators cost 1.2 MB: ~22 kB of values per indicator (1.5 characters per buurt:
  integers at the registry's decimals, as steps from the median) plus ~4 kB of legends and
  gemeente values. The ratio 1.42 is close to the 1.5 target *because* the geometry is
  small; a finer tolerance would lower the ratio and raise the size.
- The naive file repeats the whole GeoDataFrame (all KWB columns as properties) per
  indicator, 111.5 MB each; 40 of them would be 4.5 GB, which no browser opens. That is
  an extrapolation: only 1 and 5 layers were built (5 took 2 minutes and ~4 GB of memory).
- Rendering: ours parses 0.57 MB and builds 1,075 SVG paths from decoded arcs; the naive map
  parses 7.8 MB of GeoJSON in a script first. The naive render map has no Choropleth legend
  (it needs d3 from cdnjs, which the local harness cannot serve), so its time is if
  anything too low. At national size ours draws on a canvas (from 3,000 buurten on) and was
  ready in about 2 s in the same Chromium (not part of this benchmark's last line).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from wijkgeo.atlas import Atlas
from wijkgeo.demo.synthetic import generate_country
from wijkgeo.indicators import compute, registry
from wijkgeo.maps import build, save_map
from wijkgeo.maps.assets import apply_assets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

N_NAIVE = (1, 5)


def energietransitie(wijken: gpd.GeoDataFrame, seed: int = 1) -> pd.DataFrame:
    """A synthetic planning table (wijkcode, planjaar) so the 40th indicator has values."""
    rng = np.random.default_rng(seed)
    codes = wijken["wijkcode"].astype(str).to_numpy()
    return pd.DataFrame({"wijkcode": codes, "planjaar": rng.integers(2026, 2051, len(codes))})


def forty_keys(buurten: gpd.GeoDataFrame, local: dict) -> list[str]:
    values = compute(buurten, None, local=local)
    keys = [k for k in registry() if values[k].notna().any()]
    if len(keys) < 40:
        raise SystemExit(f"only {len(keys)} indicators with values; expected 40")
    return keys[:40]


def ours(country, keys: list[str], path: Path, local: dict) -> tuple[int, float]:
    t0 = time.perf_counter()
    fmap = build(
        Atlas.from_frames(country.buurten, gemeenten=country.gemeenten, local=local),
        indicators=keys,
    )
    save_map(fmap, path)
    return path.stat().st_size, time.perf_counter() - t0


def naive(
    buurten: gpd.GeoDataFrame, keys: list[str], path: Path, legend: bool = True
) -> tuple[int, float]:
    """One folium.Choropleth per indicator, each with the whole frame as its GeoJSON.

    ``legend=False`` drops Choropleth's branca legend, which loads d3 from cdnjs (not an npm
    file the local harness can serve): used for the render timing, where it only makes the
    naive map faster."""
    t0 = time.perf_counter()
    gdf = buurten.to_crs(4326)
    fmap = folium.Map(tiles=None)
    folium.TileLayer(
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png",
        attr="Kadaster",
    ).add_to(fmap)
    apply_assets(fmap)  # the same pinned npm files as ours, so the harness serves them
    for i, key in enumerate(keys):
        layer = folium.Choropleth(
            geo_data=gdf,
            data=gdf,
            columns=["buurtcode", key],
            key_on="feature.properties.buurtcode",
            fill_color="YlOrRd",
            nan_fill_color="lightgrey",
            legend_name=key,
            name=key,
            show=i == 0,
        ).add_to(fmap)
        folium.GeoJsonTooltip(["buurtnaam", key]).add_to(layer.geojson)
        if not legend and layer.color_scale is not None:
            del layer._children[layer.color_scale.get_name()]
            layer.color_scale = None
    if len(keys) > 1:
        folium.LayerControl().add_to(fmap)
    fmap.fit_bounds(fmap.get_bounds())
    fmap.save(str(path))
    return path.stat().st_size, time.perf_counter() - t0


def render_ms(html: str, selector: str, n: int, repeat: int = 3) -> float:
    """Median milliseconds from navigation until ``n`` elements match ``selector``."""
    from browser import browser_page

    times = []
    for _ in range(repeat):
        with browser_page(html, width=1200, height=800) as (page, traffic):
            page.on("crash", lambda *_: print("    (page crashed)", file=sys.stderr))
            page.wait_for_function(
                "([sel, n]) => { if (document.querySelectorAll(sel).length >= n) {"
                " window.__drawn = window.__drawn || performance.now(); return true; }"
                " return false; }",
                arg=[selector, n],
                polling="raf",
                timeout=120_000,
            )
            times.append(page.evaluate("window.__drawn"))
            if traffic.page_errors:
                raise SystemExit(f"page errors: {traffic.page_errors[:3]}")
    return statistics.median(times)


def with_values(buurten: gpd.GeoDataFrame, keys: list[str], local: dict) -> gpd.GeoDataFrame:
    values = compute(buurten, keys, local=local)
    return buurten.assign(**{k: values[k].to_numpy() for k in keys})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="write the HTML files here (default: temp)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sys.stdout.reconfigure(line_buffering=True)  # progress lines also when redirected

    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)

        t0 = time.perf_counter()
        land = generate_country(seed=2024)
        local = {"energietransitie": energietransitie(land.wijken)}
        keys = forty_keys(land.buurten, local)
        print(f"national: {len(land.buurten):,} buurten ({time.perf_counter() - t0:.1f} s)")
        one, t_one = ours(land, keys[:1], out / "ours_1.html", local)
        forty, t_forty = ours(land, keys, out / "ours_40.html", local)
        print(f"  ours, 1 indicator:   {one / 1e6:6.2f} MB (build+save {t_one:.1f} s)")
        print(f"  ours, 40 indicators: {forty / 1e6:6.2f} MB (build+save {t_forty:.1f} s)")

        plain = with_values(land.buurten, keys[:5], local)
        sizes = {}
        for n in N_NAIVE:
            size, secs = naive(plain, keys[:n], out / f"naive_{n}.html")
            sizes[n] = size
            print(f"  naive Choropleth, {n} indicator(s): {size / 1e6:8.1f} MB ({secs:.0f} s)")
            (out / f"naive_{n}.html").unlink()
        per = (sizes[5] - sizes[1]) / 4
        naive_40 = sizes[1] + per * 39
        print(
            f"  naive Choropleth, 40 indicators: {naive_40 / 1e6:8.1f} MB "
            f"(EXTRAPOLATED linearly from 1 and 5: {sizes[1] / 1e6:.1f} MB + 39 x "
            f"{per / 1e6:.1f} MB; not built)"
        )

        del land, plain  # the national frames hold ~2 GB; the browser needs the memory
        region = generate_country(n_gemeenten=25, seed=2024)
        rlocal = {"energietransitie": energietransitie(region.wijken)}
        rkeys = forty_keys(region.buurten, rlocal)
        n = len(region.buurten)
        ours_html = (
            build(
                Atlas.from_frames(region.buurten, gemeenten=region.gemeenten, local=rlocal),
                indicators=rkeys,
            )
            .get_root()
            .render()
        )
        naive_path = out / "naive_region.html"
        naive(with_values(region.buurten, rkeys[:1], rlocal), rkeys[:1], naive_path, legend=False)
        naive_html = naive_path.read_text("utf-8")
        t_ours = render_ms(ours_html, "path.wijkgeo-buurt", n)
        t_naive = render_ms(naive_html, "path.leaflet-interactive", n)
        print(
            f"region: {n:,} buurten; ours 40 indicators {len(ours_html) / 1e6:.2f} MB drawn in "
            f"{t_ours:.0f} ms | naive 1 indicator {len(naive_html) / 1e6:.2f} MB drawn in "
            f"{t_naive:.0f} ms (median of 3 loads, headless Chromium)"
        )

    print(
        f"size_ratio_40_vs_1={forty / one:.2f} smaller_than_naive_40={naive_40 / forty:.0f} "
        f"national_40_mb={forty / 1e6:.2f} render_speedup={t_naive / t_ours:.2f}"
    )


if __name__ == "__main__":
    main()
