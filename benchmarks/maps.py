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

Measured 2026-11-23 on the shared 2-core machine (folium 0.20, geopandas 1.2, shapely 2.2)::

    (filled in below by the run recorded in the commit)

Reading: the HTML is much smaller with ours, mainly because the naive maps carry every
attribute column of the KWB in every feature (and explore() also in its tooltip), secondarily
because of coverage simplification and 6-decimal coordinates. Time is dominated by JSON
serialisation of the feature collection in all three.
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


def vertices(fmap: folium.Map) -> int:
    """Vertices in every GeoJson layer of ``fmap`` (walks the element tree)."""
    total, stack = 0, [fmap]
    while stack:
        el = stack.pop()
        if isinstance(el, folium.GeoJson):
            total += _count_vertices(el.data)
        stack.extend(el._children.values())
    return total


def ours(buurten: gpd.GeoDataFrame, path: Path, canvas: bool) -> folium.Map:
    fmap = indicator_map(buurten, KEY, prefer_canvas=canvas)
    save_map(fmap, path)
    return fmap


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


def run_case(name: str, buurten, out: Path, *, canvas: bool, repeat: int, n5: bool) -> None:
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
            run_case("nederland", land, out, canvas=True, repeat=1, n5=False)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
