"""The one-indicator map against what users would otherwise write: Choropleth and explore().

Run ``.venv/bin/python benchmarks/maps.py`` (``--quick`` skips the national size). Everything
is measured in this one run on this machine, and printed as ratios naive/ours, because
absolute seconds on a shared machine are noise. The 40-indicator national comparison the
issue asks for is ``benchmarks/map_size.py``.

Contenders, each starting from the same buurten GeoDataFrame in EPSG:28992 with the indicator
already attached as a column (``aandeel_huishoudens_laag_inkomen``):

- **ours**: ``indicator_map(Atlas.from_frames(buurten), key,
  options=MapOptions(simplify=2))`` + ``save_map``: the map
  engine with one indicator (topology of the coverage-simplified buurten, wijk borders as
  arcs of it, one value array, Dutch panel, legend and popups built in the browser).
- **choropleth**: what the folium docs show and users copy: ``to_crs(4326)``,
  ``folium.Choropleth(geo_data=<the whole GeoDataFrame, all KWB columns>, data=...,
  key_on="feature.properties.buurtcode", nan_fill_color=...)`` plus a ``GeoJsonTooltip`` with
  name and value. Choropleth has no wijk outlines and no Dutch missing-value text.
- **explore**: ``gdf.explore(column=key, scheme="quantiles", k=5)``; its default tooltip shows
  every column.

Printed per size: build+save seconds (best of a few runs for the small sizes), HTML size raw
and gzipped, and the points drawn (GeoJSON vertices; for ours the topology points, which the
buurten and the wijk borders share). "N indicators in one file" (folium #1112): N Choropleth
layers repeat the GeoJSON N times; ours carries N value arrays over one geometry.

Measured 2026-12-01 on the shared 2-core machine with ``--quick`` (folium 0.20, geopandas
1.2, shapely 2.2; other jobs running: the seconds moved by 2-3x between runs, the sizes and
points are exact)::

    maps demodam (40 buurten): ours 0.06 s 40 kB (gz 15 kB) 2,004 vtx | choropleth 0.06 s
        309 kB (gz 71 kB) 3,858 vtx | explore 0.06 s 316 kB (gz 72 kB) 3,858 vtx
        ratios choropleth/ours: size 7.8x (gz 4.8x), time 1.01x | explore/ours: size 8.0x
        (gz 4.8x), time 1.10x
        N=5 indicators in one file: choropleth layers 1,530 kB | ours 53 kB | ratio 29.1x
    maps regio (1,075 buurten): ours 0.85 s 354 kB (gz 189 kB) 57,136 vtx | choropleth
        2.21 s 7,764 kB (gz 1,873 kB) 107,584 vtx | explore 1.34 s 7,802 kB (gz 1,878 kB)
        ratios choropleth/ours: size 22.0x (gz 9.9x), time 2.59x | explore/ours: size 22.1x
        (gz 9.9x), time 1.57x
        N=5 indicators in one file: choropleth layers 37.9 MB | ours 328 kB | ratio 118.4x

(An earlier run the same day, on a quieter machine: demodam ours 0.02 s, choropleth/ours
time 2.60x; regio ours 0.36 s, choropleth/ours 4.16x.)

Re-run after issue 19 round 2 (the map renders the fact model, ``wijkgeo.facts.build_facts``),
same machine, ``--quick``, once before and once after the change, other jobs running (load
5-7 on 2 cores)::

    before: demodam ours 0.09 s 66 kB | regio ours 0.87 s 380 kB, choropleth/ours time 2.31x
    after:  demodam ours 0.04 s 66 kB | regio ours 0.59 s 380 kB, choropleth/ours time 4.05x,
            size 20.4x (gz 9.5x); N=5 in one file 109.6x

The HTML is byte-for-byte the same (sizes and points unchanged); the facts compute each
indicator once, and the legends no longer copy the wording table per missing buurt.

Re-run after issue 19 round 3 (the grid layer renders the facts' cell level), same machine,
``--quick``, once on main before and once after, other jobs running::

    before: demodam ours 0.08 s 68 kB | regio ours 0.85 s 382 kB, choropleth/ours time 2.57x
    after:  demodam ours 0.04 s 68 kB | regio ours 0.85 s 382 kB, choropleth/ours time 2.76x

These maps are bare frames (no grid), so nothing moves but noise. With the grid: Rotterdam
(91 buurten, grid, koppelkansen) build+save best of 3 0.77 s before, 0.64 s after, HTML 541
kB -> 556 kB (1,360 cells with the reasons and the 65+ ranks); ``build_facts`` of all 80
indicators on Rotterdam 0.22 s -> 0.23 s (the cell level now covers 1,360 cells, not 555).
National (15,050 buurten, bare frames) build+save of ours: 1 indicator 6.3 s -> 7.2 s, 40
indicators 8.0 s -> 7.6 s, sizes identical (2.95 MB, 4.19 MB): noise.

Reading, honestly:

- Size: one indicator is 8x (Demodam) to 22x (region) smaller than Choropleth; gzipped the
  gap is 5-10x, because repeated GeoJSON compresses well and our VLQ strings hardly do. The
  naive maps carry every KWB column in every feature.
- Points: ours stores about half the vertices the naive maps draw (shared edges once) *and*
  its wijk borders, which the naive maps do not have at all.
- Time: building ours includes computing the indicator from the registry, cleaning and
  simplifying the coverage and the topology; on the region it is 1.6-4x faster than the naive
  contenders, on Demodam all are a few hundredths of a second.
- The old one-indicator builder (2026-11-23: 133 kB Demodam, 3.6 MB region, 47.8 MB national)
  was replaced by the engine; its history is in git.
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
from wijkgeo.atlas import Atlas
from wijkgeo.demo.synthetic import generate_country
from wijkgeo.indicators import compute
from wijkgeo.maps import MapOptions, build, indicator_map, save_map

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
    fmap = indicator_map(
        Atlas.from_frames(buurten), KEY, options=MapOptions(canvas=canvas, simplify=simplify)
    )
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
    print(f"    ours drawn: {layer_vertices(o['map'])}")
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
        path = out / f"{name}_ours5.html"
        save_map(
            build(Atlas.from_frames(buurten), keys, options=MapOptions(canvas=canvas)), path
        )
        mine = path.stat().st_size
        print(
            f"    N={len(keys)} indicators in one file: choropleth layers "
            f"{_kb(naive['bytes'])} (gz {_kb(naive['gz'])}, {naive['vertices']:,} vtx) | ours "
            f"{_kb(mine)} | ratio {naive['bytes'] / mine:.1f}x"
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
