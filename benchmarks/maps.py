"""The indicator map against what users would otherwise write: folium.Choropleth and explore().

Run ``.venv/bin/python benchmarks/maps.py`` (``--quick`` skips the national size). Everything
is measured in this one run on this machine, and printed as ratios naive/ours, because
absolute seconds on a shared machine are noise.

Contenders, each starting from the same buurten GeoDataFrame in EPSG:28992 with the indicator
already attached as a column (``aandeel_huishoudens_laag_inkomen``):

- **ours**: ``wijkgeo.maps.indicator_map(buurten, key)`` + ``save_map``. It computes the
  indicator itself from the registry, coverage-simplifies (2 m), writes one pre-rendered Dutch
  tooltip per buurt and only the class number and code as properties, plus wijk outlines.
- **choropleth**: what the folium docs show and users copy: ``to_crs(4326)``,
  ``folium.Choropleth(geo_data=<the whole GeoDataFrame, all KWB columns>, data=...,
  key_on="feature.properties.buurtcode", nan_fill_color=...)`` plus a ``GeoJsonTooltip`` with
  name and value. Choropleth has no wijk outlines and no Dutch missing-value text.
- **explore**: ``gdf.explore(column=key, scheme="quantiles", k=5)``; its default tooltip shows
  every column.

Printed per size: build+save seconds (best of a few runs for the small sizes), HTML size raw
and gzipped, and the number of vertices drawn (all GeoJSON layers, so ours includes the wijk
outlines). "Choropleth per indicator" (folium #1112): N indicators as N Choropleth layers in
one file repeat the GeoJSON N times; ours makes one map per indicator, so N maps cost N files
that each hold the geometry once; both totals are printed.

Measured 2026-11-23 on the shared 2-core machine (folium 0.20, geopandas 1.2, shapely 2.2,
one run; best of 5 / 2 / 1 runs per contender for the three sizes)::

    maps demodam (40 buurten): ours 0.03 s 133 kB (gz 30 kB) 4,711 vtx | choropleth 0.10 s
        309 kB (gz 71 kB) 3,858 vtx | explore 0.12 s 316 kB (gz 72 kB) 3,858 vtx
        ratios choropleth/ours: size 2.3x (gz 2.4x), time 2.87x | explore/ours: size 2.4x
        (gz 2.4x), time 3.52x
        ours drawn: 3,493 buurt + 1,218 wijk vertices
        per indicator, N=5: choropleth layers in one file 1,530 kB (gz 347 kB) | ours 5 maps of
        133 kB, together 663 kB | one naive file / all ours 2.3x, / one of ours 11.5x
    maps regio (1,075 buurten): ours 0.63 s 3,621 kB (gz 922 kB) 142,896 vtx | choropleth
        2.11 s 7,764 kB (gz 1,873 kB) 107,584 vtx | explore 1.08 s 7,802 kB (gz 1,878 kB)
        ratios choropleth/ours: size 2.1x (gz 2.0x), time 3.32x | explore/ours: size 2.2x
        (gz 2.0x), time 1.71x
        ours drawn: 106,926 buurt + 35,970 wijk vertices
        per indicator, N=5: choropleth layers in one file 37.9 MB (gz 9.4 MB) | ours 5 maps of
        3.6 MB, together 17.7 MB | one naive file / all ours 2.1x, / one of ours 10.7x
    maps nederland (15,050 buurten, canvas): ours 10.85 s 47.8 MB (gz 11.2 MB) 1,927,831 vtx
        | choropleth 27.26 s 106.1 MB (gz 24.9 MB) 1,521,394 vtx | explore 17.88 s 106.6 MB
        ratios choropleth/ours: size 2.2x (gz 2.2x), time 2.51x | explore/ours: size 2.2x
        (gz 2.2x), time 1.65x
        ours drawn: 1,451,122 buurt + 476,709 wijk vertices
        ours with simplify=25 m: 6.40 s 19.7 MB (gz 4.1 MB) 633,942 vtx | size ratio
        choropleth/this 5.4x (gz 6.2x), time 4.26x

Time ratios moved by up to 30 % between runs on the shared machine (other jobs); size ratios
and vertex counts are exact and repeat.

Before this benchmark the builder was *slower* than explore() (1,075 buurten: 1.50 s vs
0.96 s; Demodam 0.11 s vs 0.08 s). cProfile showed three causes, fixed in
``wijkgeo/maps``: a pyproj Transformer built per call (~25 ms each, half of a Demodam map),
branca compiling the rendered GeoJSON script again as a Jinja template (a quarter of the save
time; :mod:`wijkgeo.maps.layer`), and wijk outlines drawn as polygons, which repeats every
border between two wijken (now lines, each edge once: -48 % outline vertices; chaining the
edges in numpy instead of GEOS ``line_merge`` took the national borders from 2.9 to 1.0 s).

Reading, honestly:

- Size: ours is about 2x smaller raw and gzipped at every size, because the naive maps carry
  every KWB attribute column in every feature (explore() also in its tooltip), while ours
  carries a code, a class number and one pre-rendered Dutch tooltip.
- Vertices: ours draws *more* (+22 to +33 %): the wijk borders, which the naive maps do not
  have, and the 2 m coverage simplification removes only 1-10 % of the synthetic boundaries (real
  PDOK boundaries are denser; the Rotterdam test map is 106 kB against 809 kB for
  ``folium.GeoJson(gdf)``). For a national map the lever is the tolerance: ``simplify=25``
  (about one screen pixel at zoom 12) gives 5.4x smaller HTML than Choropleth.
- N indicators: N Choropleth layers in one file cost N times the GeoJSON (1.5 MB for Demodam,
  38 MB for the region); ours makes one map per indicator, so the same five indicators cost
  five files that together are 2.1-2.3x smaller, and the one a user opens is 10-11x smaller.
  What the naive file gives in return is switching layers without loading another page.
- Even at 47.7 MB a 15,000-buurt map is too heavy to open comfortably; at national scale use
  a coarser tolerance (or gemeente-level maps).
"""

from __future__ import annotations

import argparse
import gzip
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd

import wijkgeo
from wijkgeo.indicators import compute
from wijkgeo.maps import indicator_map, save_map
from wijkgeo.sources.synthetic import generate_country

KEY = "aandeel_huishoudens_laag_inkomen"
#: Further indicators for the "one Choropleth layer per indicator" case (N = 5 with KEY).
MORE = [
    "aandeel_65_plus",
    "aandeel_corporatiewoningen",
    "inkomen_per_inwoner",
    "afstand_huisarts",
]


def _count_vertices(obj) -> int:
    """Coordinate pairs in a GeoJSON-like dict/list."""
    if isinstance(obj, dict):
        if "coordinates" in obj:
            return _count_vertices(obj["coordinates"])
        if "geometry" in obj:
            return _count_vertices(obj["geometry"])
        if "features" in obj:
            return sum(_count_vertices(f) for f in obj["features"])
        return 0
    if isinstance(obj, list | tuple):
        if obj and isinstance(obj[0], int | float):
            return 1
        return sum(_count_vertices(o) for o in obj)
    return 0


def _engine_points(text: str) -> int:
    """Points stored in the topology of an engine map's data block (each shared edge once)."""
    import json
    import re

    from wijkgeo.maps.topology import decode_vlq

    found = re.search(r'<script type="application/json" id="wijkgeo-data">(.*?)</script>', text)
    if not found:
        return 0
    flat = decode_vlq(json.loads(found[1])["topology"]["arcs"])
    total, i = 0, 0
    while i < len(flat):
        total += flat[i]
        i += 1 + 2 * flat[i]
    return total


def vertices(fmap: folium.Map) -> int:
    """Vertices in every GeoJson layer of ``fmap``, plus the points of an engine topology."""
    total, stack = 0, [fmap]
    while stack:
        el = stack.pop()
        if isinstance(el, folium.GeoJson):
            total += _count_vertices(el.data)
        if getattr(el, "text", None) and "wijkgeo-data" in el.text:
            total += _engine_points(el.text)
        stack.extend(el._children.values())
    return total


def ours(buurten: gpd.GeoDataFrame, path: Path, canvas: bool, simplify: float = 2.0) -> folium.Map:
    fmap = indicator_map(buurten, KEY, prefer_canvas=canvas, simplify=simplify)
    save_map(fmap, path)
    return fmap


def layer_vertices(fmap: folium.Map) -> str:
    """What one of our maps stores: topology points (buurten; wijk borders are arc lists)."""
    return f"{vertices(fmap):,} topology points (buurten and wijk borders share them)"


def choropleth(
    buurten: gpd.GeoDataFrame, path: Path, canvas: bool, keys: list[str] = (KEY,)
) -> folium.Map:
    gdf = buurten.to_crs(4326)
    fmap = folium.Map(prefer_canvas=canvas)
    for i, key in enumerate(keys):
        layer = folium.Choropleth(
            geo_data=gdf,  # the whole frame, as users pass it
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
    if len(keys) > 1:
        folium.LayerControl().add_to(fmap)
    fmap.fit_bounds(fmap.get_bounds())
    fmap.save(str(path))
    return fmap


def explore(buurten: gpd.GeoDataFrame, path: Path, canvas: bool) -> folium.Map:
    fmap = buurten.explore(column=KEY, scheme="quantiles", k=5, prefer_canvas=canvas)
    fmap.save(str(path))
    return fmap


def measure(
    build: Callable[..., folium.Map], buurten, path: Path, canvas: bool, repeat: int, **kw
) -> dict:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fmap = build(buurten, path, canvas, **kw)
        times.append(time.perf_counter() - t0)
    raw = path.read_bytes()
    return {
        "map": fmap,
        "s": min(times),
        "median": statistics.median(times),
        "bytes": len(raw),
        "gz": len(gzip.compress(raw, 6)),
        "vertices": vertices(fmap),
    }


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f} kB" if n < 10 * 1024**2 else f"{n / 1024**2:,.1f} MB"


def _fmt(name: str, r: dict) -> str:
    return f"{name} {r['s']:.2f} s {_kb(r['bytes'])} (gz {_kb(r['gz'])}) {r['vertices']:,} vtx"


def with_indicators(buurten: gpd.GeoDataFrame, keys: list[str]) -> gpd.GeoDataFrame:
    """The buurten with indicator columns attached (what a user has before mapping)."""
    values = compute(buurten, keys, level="buurt")
    return buurten.assign(**{k: values[k].to_numpy() for k in keys})


def run_case(
    name: str, buurten, out: Path, *, canvas: bool, repeat: int, n5: bool, coarse: float = 0
) -> None:
    buurten = with_indicators(buurten, [KEY, *MORE])
    r = {
        "ours": measure(ours, buurten, out / f"{name}_ours.html", canvas, repeat),
        "choropleth": measure(choropleth, buurten, out / f"{name}_choro.html", canvas, repeat),
        "explore": measure(explore, buurten, out / f"{name}_explore.html", canvas, repeat),
    }
    o = r["ours"]
    ratios = " | ".join(
        f"{k}/ours: size {r[k]['bytes'] / o['bytes']:.1f}x (gz {r[k]['gz'] / o['gz']:.1f}x), "
        f"time {r[k]['s'] / o['s']:.2f}x"
        for k in ("choropleth", "explore")
    )
    print(
        f"maps {name} ({len(buurten):,} buurten{', canvas' if canvas else ''}): "
        + " | ".join(_fmt(k, v) for k, v in r.items())
    )
    print(f"    ratios {ratios}")
    print(f"    ours drawn: {layer_vertices(o['map'])} vertices")
    if coarse:  # the lever for national maps: a tolerance that fits the zoom level
        c = measure(ours, buurten, out / f"{name}_coarse.html", canvas, 1, simplify=coarse)
        print(
            f"    ours with simplify={coarse:g} m: {_fmt('ours', c)} | size ratio choropleth/this "
            f"{r['choropleth']['bytes'] / c['bytes']:.1f}x (gz "
            f"{r['choropleth']['gz'] / c['gz']:.1f}x), time {r['choropleth']['s'] / c['s']:.2f}x"
        )
    if n5:
        keys = [KEY, *MORE]
        naive = measure(choropleth, buurten, out / f"{name}_choro5.html", canvas, 1, keys=keys)
        each = []
        for key in keys:
            path = out / f"{name}_{key}.html"
            save_map(indicator_map(buurten, key, prefer_canvas=canvas), path)
            each.append(path.stat().st_size)
        print(
            f"    per indicator, N={len(keys)}: choropleth layers in one file "
            f"{_kb(naive['bytes'])} (gz {_kb(naive['gz'])}, {naive['vertices']:,} vtx) | ours "
            f"{len(keys)} maps of {_kb(min(each))}-{_kb(max(each))}, together {_kb(sum(each))} "
            f"| ratio one naive file / all ours {naive['bytes'] / sum(each):.1f}x, "
            f"/ one of ours {naive['bytes'] / max(each):.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the ~15,000-buurten country")
    parser.add_argument("--keep", type=Path, help="write the HTML files here (default: temp)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        atlas = wijkgeo.make_demo()
        run_case("demodam", atlas.buurten, out, canvas=False, repeat=5, n5=True)
        t0 = time.perf_counter()
        regio = generate_country(n_gemeenten=25, seed=2024).buurten
        print(f"    (generate_country 25 gemeenten: {time.perf_counter() - t0:.1f} s)")
        run_case("regio", regio, out, canvas=False, repeat=2, n5=True)
        if not args.quick:
            t0 = time.perf_counter()
            land = generate_country(seed=2024).buurten
            print(f"    (generate_country 350 gemeenten: {time.perf_counter() - t0:.1f} s)")
            run_case("nederland", land, out, canvas=True, repeat=1, n5=False, coarse=25)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
