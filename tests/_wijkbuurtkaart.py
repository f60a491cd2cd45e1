"""Build a GeoPackage in the real CBS ``WijkBuurtkaart_<jaar>_v<n>.gpkg`` layout from the
Rotterdam-region files in ``realdata/raw/nprz`` (all 187 buurt attributes, EPSG:28992,
layers ``gemeenten``/``wijken``/``buurten``, ``water`` JA/NEE rows, ``-99997`` secrets)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

LEVELS = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten"}


def build_wijkbuurtkaart(realdata: Path, target: Path, *, gemeenten=None) -> Path:
    """Write ``target`` (a .gpkg) and return it; ``gemeenten`` limits the rows (codes)."""
    raw = Path(realdata) / "raw" / "nprz"
    for level, layer in LEVELS.items():
        geo = gpd.read_file(raw / f"{level}_2024.geojson")
        stats = pd.read_parquet(raw / f"{level}_2024_stats.parquet")
        code = f"{level}code"
        # the geometry and the stats files hold the same rows in the same order
        assert (geo[code].to_numpy() == stats[code].to_numpy()).all()
        frame = gpd.GeoDataFrame(
            stats.assign(jrstatcode="2024" + stats[code], jaar=2024),
            geometry=geo.geometry.to_numpy(),
            crs=geo.crs,
        ).to_crs("EPSG:28992")
        if gemeenten is not None:
            frame = frame[frame["gemeentecode"].isin(gemeenten)]
        frame.to_file(target, layer=layer, driver="GPKG")
    return target


def build_vierkanten(realdata: Path, target: Path, res: int) -> Path:
    """Write a CBS vierkantstatistieken GeoPackage (``res`` 500 or 100) for Rijnmond.

    As CBS publishes it: layer ``vierkant_<res>m``, id column ``crs28992res<res>m``, cell
    polygons in EPSG:28992 (built from the codes: the nprz copies hold centroids) and
    ``-99997`` for secret values (the nprz copies turned them into null).
    """
    from wijkgeo.grid.codes import cell_polygons

    raw = Path(realdata) / "raw" / "nprz"
    stats = pd.read_parquet(raw / f"grid_{res}m_rijnmond_stats.parquet")
    col = f"crs28992res{res}m"
    numeric = stats.columns.drop(col)
    stats[numeric] = stats[numeric].astype("float64").fillna(-99997)
    frame = gpd.GeoDataFrame(
        stats, geometry=cell_polygons(stats[col], res).to_numpy(), crs="EPSG:28992"
    )
    frame.to_file(target, layer=f"vierkant_{res}m", driver="GPKG")
    return target
