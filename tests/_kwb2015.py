"""Build the 2015 Wijk- en Buurtkaart in its real older layout from ``realdata/raw/rijnmond2015``:
a zip with ``gem_2015.shp``, ``wijk_2015.shp`` and ``buurt_2015.shp`` in EPSG:28992 (RD), the
UPPERCASE abbreviated columns as CBS wrote them and ``-99999999`` for secrets."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd

FILES = {"gemeente": "gem_2015", "wijk": "wijk_2015", "buurt": "buurt_2015"}


def build_kwb2015(realdata: Path, target: Path, *, gemeenten=None) -> Path:
    """Write ``target`` (a .zip) and return it; ``gemeenten`` limits the rows (codes)."""
    raw = Path(realdata) / "raw" / "rijnmond2015"
    folder = target.parent / (target.stem + "_shp")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for level, stem in FILES.items():
        frame = gpd.read_file(raw / f"{level}_2015.geojson").to_crs("EPSG:28992")
        # a few clip leftovers are lines or points; CBS's own file holds polygons only
        frame = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        if gemeenten is not None:
            frame = frame[frame["GM_CODE"].isin(gemeenten)]
        path = folder / f"{stem}.shp"
        frame.to_file(path, driver="ESRI Shapefile")
        written += [p for p in folder.iterdir() if p.stem == stem]
    with zipfile.ZipFile(target, "w") as zf:
        for p in written:
            zf.write(p, f"shape 2015 versie 3/{p.name}")
    return target
