"""What the koppelkansen layers cost: HTML size per layer, and the grid clusterer in Chromium.

Run ``.venv/bin/python benchmarks/kkmap_layers.py`` (about a minute; needs the browser
prerequisites of ``make test``). Measured in this one run:

1. On the demo (40 buurten, 65 voorzieningen, 15 initiatives, 15 projects, 208 cells, 70
   koppelkansen): the size of ``build(atlas)`` without the overlays (``overlays=False``) and
   with them, and what each layer's spec adds to the data block.
2. The voorzieningen clusterer of ``static/overlays.js`` against drawing every point as its
   own marker: N random voorzieningen over the demo gemeente (N = 2,000 and 10,000), the
   page loaded in headless Chromium (tests/browser.py harness) at the initial zoom; the time
   of one ``render()`` (clearing and re-adding the markers, as on every zoom) with clustering
   and without, median of 5, and the number of marker elements in the DOM.

The last line is ``overlay_kb=<k> cluster_speedup_10000=<x> markers_clustered_10000=<n>``.

Measured 2026-12-01 on the shared 2-core machine (other jobs running; the milliseconds are
noisy, sizes and counts exact)::

    demo: without overlays 255 kB, with them 429 kB (+175 kB)
      vierkanten 23.4 kB · voorzieningen 4.5 kB · initiatieven 2.1 kB ·
      energietransitie 2.1 kB · projecten 5.5 kB · koppelkansen 94.6 kB
      (buurten 0.1 kB, wijken 0.3 kB: references to the topology)
      2000 voorzieningen: clustered  12.8 ms,  187 markers | every point  110.1 ms, 2000 markers
     10000 voorzieningen: clustered  20.2 ms,  195 markers | every point 1340.4 ms, 9999 markers
    overlay_kb=175 cluster_speedup_10000=66.4 markers_clustered_10000=195

Reading, honestly:

- The clusterer is ~50 lines of engine code (no npm dependency, works offline): a grid of
  44 px cells in projected pixels per zoom. Its cost grows with N only through one
  projection per point (20 ms for 10,000); the DOM holds about 200 markers whatever N is,
  while one marker per point means 10,000 DOM nodes and 1.3 s per redraw. It does not
  animate or spiderfy (points on the very same spot stay one cluster until zoom 17, then
  stand on top of each other); leaflet.markercluster does both, at ~40 kB more per file.
- The koppelkansen spec is most of the added size: every matched rule carries its Dutch
  explanation and the lists of assets nearby as the evaluation wrote them (70 matches on
  the demo, ~1.3 kB each). Sharing the asset lists between rules of one unit would roughly
  halve it; for a gemeente map it stays well under the indicator data.
- Geometry is cheap: cells, points and projects are VLQ steps on a 1e-5 degree grid; buurt
  and wijk units of the koppelkansen refer to the topology and cost no coordinates.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

import wijkgeo
from wijkgeo.maps import Overlays, build

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

API = "wijkgeo.maps['wijkgeo-data']"


def payload(html: str) -> dict:
    block = re.search(r'id="wijkgeo-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def many_points(atlas, n: int, seed: int = 7):
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    area = atlas.gemeente.geometry.iloc[0]
    minx, miny, maxx, maxy = area.bounds
    pts = []
    while len(pts) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(n, 2))
        cand = shapely.points(xy)
        pts.extend(cand[shapely.contains(area, cand)].tolist())
    pts = pts[:n]
    cats = ["huisarts", "supermarkt", "basisschool", "buurthuis", "bibliotheek"]
    return gpd.GeoDataFrame(
        {
            "id": [f"V{i}" for i in range(n)],
            "naam": [f"Voorziening {i}" for i in range(n)],
            "categorie": [cats[i % len(cats)] for i in range(n)],
        },
        geometry=pts,
        crs=atlas.buurten.crs,
    )


def render_times(html: str) -> tuple[float, float, int, int]:
    """Median ms of render() clustered and unclustered; marker counts of each."""
    from browser import browser_page

    with browser_page(html, width=1280, height=800) as (page, traffic):
        page.wait_for_function(
            "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=60_000
        )
        out = page.evaluate(
            f"""() => {{
              const a = {API}, l = a.layers.voorzieningen, spec = l.spec, t = [];
              const px = spec.clusterPx;
              function run(cluster) {{
                // without clustering every point is its own cell: the same divIcon markers
                spec.clusterPx = cluster ? px : 1e-9; const ms = [];
                for (let k = 0; k < 5; k++) {{
                  const t0 = performance.now(); l.render();
                  document.body.offsetHeight; ms.push(performance.now() - t0);
                }}
                ms.sort((x, y) => x - y);
                return [ms[2], document.querySelectorAll('.leaflet-marker-icon').length];
              }}
              const on = run(true), off = run(false);
              spec.clusterPx = px; l.render();
              return [on[0], off[0], on[1], off[1]];
            }}"""
        )
        if traffic.page_errors:
            raise SystemExit(f"page errors: {traffic.page_errors[:3]}")
    return out[0], out[1], out[2], out[3]


def main() -> None:
    from dataclasses import replace

    atlas = wijkgeo.make_demo()
    plain = build(atlas, overlays=False).get_root().render()
    full = build(atlas).get_root().render()
    overlay_kb = (len(full.encode()) - len(plain.encode())) / 1024
    print(
        f"demo: without overlays {len(plain.encode()) / 1024:.0f} kB, with them "
        f"{len(full.encode()) / 1024:.0f} kB (+{overlay_kb:.0f} kB)"
    )
    for layer in payload(full)["layers"]:
        size = len(json.dumps(layer, ensure_ascii=False, separators=(",", ":")).encode())
        print(f"  {layer['id']:<17} {size / 1024:7.1f} kB")
    speedup, clustered = None, None
    for n in (2_000, 10_000):
        local = {**atlas.local, "voorzieningen": many_points(atlas, n)}
        big = replace(atlas, local=local)
        html = build(big, overlays=Overlays(koppelkansen=False, grid=False)).get_root().render()
        on_ms, off_ms, on_n, off_n = render_times(html)
        print(
            f"{n:>6} voorzieningen: clustered {on_ms:7.1f} ms, {on_n:>5} markers | "
            f"every point {off_ms:7.1f} ms, {off_n:>5} markers"
        )
        speedup, clustered = off_ms / max(on_ms, 1e-3), on_n
    print(
        f"overlay_kb={overlay_kb:.0f} cluster_speedup_10000={speedup:.1f} "
        f"markers_clustered_10000={clustered}"
    )


if __name__ == "__main__":
    main()
