"""Build an :class:`~wijkgeo.atlas.Atlas` from normalised source frames (no I/O).

:func:`build_atlas` is where boundaries (PDOK), Kerncijfers (CBS), vierkanten and local
layers meet; both :func:`wijkgeo.fetch` and the demo generator go through it, so the demo
and the real path produce the same shape.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._errors import DataValidationError
from ..atlas import CRS, Atlas
from ..codes import normalize_code
from .pdok import LEVELS

__all__ = ["build_atlas"]

log = logging.getLogger(__name__)

_LAYER_KEYS = {
    "gemeente": ("gemeente", "gemeenten"),
    "wijk": ("wijken", "wijk"),
    "buurt": ("buurten", "buurt"),
}
#: Kerncijfers columns that describe the row, not the region: never joined onto a layer.
_SKIP = {"code", "level", "naam", "soort_regio"}


def _empty_layer(level: str) -> gpd.GeoDataFrame:
    cols = {
        "gemeente": ["gemeentecode", "gemeentenaam"],
        "wijk": ["wijkcode", "wijknaam", "gemeentecode", "gemeentenaam"],
        "buurt": ["buurtcode", "buurtnaam", "wijkcode", "gemeentecode", "gemeentenaam"],
    }
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in cols[level]})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def _layer(boundaries: dict[str, gpd.GeoDataFrame], level: str) -> gpd.GeoDataFrame:
    for key in _LAYER_KEYS[level]:
        if key in boundaries and boundaries[key] is not None:
            gdf = boundaries[key].copy()
            if gdf.crs is None:
                raise DataValidationError(f"Grenslaag {key!r} heeft geen CRS; verwacht {CRS}.")
            if not gdf.crs.equals(CRS):
                gdf = gdf.to_crs(CRS)
            return gdf
    return _empty_layer(level)


def _agree(a: pd.Series, b: pd.Series) -> pd.Series:
    both = a.notna() & b.notna()
    try:
        same = np.isclose(pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce"))
        same = pd.Series(same, index=a.index) | (a.astype(str) == b.astype(str))
    except TypeError:
        same = a.astype(str) == b.astype(str)
    return ~both | same


def _join(
    layer: gpd.GeoDataFrame, kc: pd.DataFrame, level: str, gemeente: str
) -> tuple[gpd.GeoDataFrame, list[str]]:
    code_col, name_col = LEVELS[level]
    stats = kc[kc["level"] == level]
    if level != "gemeente":
        stats = stats[stats["code"].str[2:6] == gemeente[2:]]
    stats = stats.set_index("code")
    layer = layer.copy()
    layer[code_col] = layer[code_col].astype(object)
    missing_geom = [c for c in stats.index if c not in set(layer[code_col])]
    if missing_geom:
        log.warning(
            "%s: %d code(s) in de Kerncijfers zonder grens (%s); opgenomen zonder geometrie",
            level,
            len(missing_geom),
            ", ".join(missing_geom[:5]),
        )
        extra = pd.DataFrame({code_col: missing_geom})
        extra_gdf = gpd.GeoDataFrame(extra, geometry=gpd.GeoSeries([None] * len(extra)), crs=CRS)
        layer = pd.concat([layer, extra_gdf], ignore_index=True)
        layer = gpd.GeoDataFrame(layer, geometry="geometry", crs=CRS)
    idx = layer[code_col]
    disagreements: dict[str, int] = {}
    merged: dict[str, pd.Series] = {}  # built at once below: no column-by-column inserts
    for col in [c for c in stats.columns if c not in _SKIP]:
        cbs = idx.map(stats[col])
        cbs.index = layer.index
        if col in layer.columns:
            ok = _agree(layer[col], cbs)
            if (~ok).any():
                disagreements[col] = int((~ok).sum())
            merged[col] = cbs.where(cbs.notna(), layer[col])  # CBS wins where it has a value
        else:
            merged[col] = cbs
    if merged:
        kept = layer.drop(columns=[c for c in merged if c in layer.columns])
        order = list(layer.columns) + [c for c in merged if c not in layer.columns]
        joined = pd.concat([pd.DataFrame(kept), pd.DataFrame(merged, index=layer.index)], axis=1)
        layer = gpd.GeoDataFrame(joined[order], geometry=layer.geometry.name, crs=layer.crs)
    if disagreements:
        log.warning(
            "%s: CBS en PDOK verschillen in %d kolom(men) (CBS-waarde gebruikt): %s",
            level,
            len(disagreements),
            ", ".join(f"{k} ({v}x)" for k, v in sorted(disagreements.items())),
        )
    names = idx.map(stats["naam"]) if "naam" in stats.columns else None
    if names is not None:
        names.index = layer.index
        if name_col not in layer.columns:
            layer[name_col] = names
        else:
            layer[name_col] = layer[name_col].where(layer[name_col].notna(), names)
    return layer, missing_geom


def _fill_hierarchy(layer: gpd.GeoDataFrame, level: str, gemeente: str, naam: Any) -> None:
    code_col = LEVELS[level][0]
    if level in ("wijk", "buurt"):
        layer["gemeentecode"] = gemeente
    if level == "buurt":
        layer["wijkcode"] = ["WK" + str(c)[2:8] for c in layer[code_col]]
    if "gemeentenaam" not in layer.columns or layer["gemeentenaam"].isna().any():
        if "gemeentenaam" not in layer.columns:
            layer["gemeentenaam"] = naam
        else:
            layer["gemeentenaam"] = layer["gemeentenaam"].where(layer["gemeentenaam"].notna(), naam)
    for col in LEVELS[level]:
        if col not in layer.columns:
            layer[col] = None


def _order(layer: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    first = {
        "gemeente": ["gemeentecode", "gemeentenaam"],
        "wijk": ["wijkcode", "wijknaam", "gemeentecode", "gemeentenaam"],
        "buurt": ["buurtcode", "buurtnaam", "wijkcode", "gemeentecode", "gemeentenaam"],
    }[level]
    geom = layer.geometry.name
    rest = [c for c in layer.columns if c not in first and c != geom]
    out = layer[[*first, *rest, geom]]
    return out.sort_values(first[0], kind="stable").reset_index(drop=True)


def build_atlas(
    *,
    gemeente: str,
    year: int,
    boundaries: dict[str, gpd.GeoDataFrame],
    kerncijfers: pd.DataFrame | None,
    vierkanten: dict[str, gpd.GeoDataFrame] | None = None,
    local: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Atlas:
    """Join Kerncijfers onto boundary layers and wrap everything in an :class:`Atlas`.

    Parameters
    ----------
    gemeente : str
        Gemeente code.
    year : int
        Statistics year.
    boundaries : dict of str to GeoDataFrame
        ``"gemeente"``, ``"wijken"``, ``"buurten"`` (``"gemeenten"``/``"wijk"``/``"buurt"``
        accepted), as returned by :func:`wijkgeo.sources.pdok.fetch_boundaries` or
        :func:`~wijkgeo.sources.pdok.features_to_frame`; reprojected to EPSG:28992 if needed.
        Rows of other gemeenten are dropped; a missing level becomes an empty layer.
    kerncijfers : DataFrame or None
        Output of :func:`~wijkgeo.sources.cbs.normalize_kerncijfers`. Joined by code; where a
        column exists in both, the CBS value wins when it is not NaN and disagreements are
        logged. Kerncijfers regions without a boundary are added with an empty geometry
        (listed in ``meta["zonder_geometrie"]``). The ``nederland`` row becomes
        ``atlas.nederland``. Without a gemeente boundary the outline is the union of the
        wijken.
    vierkanten : dict, optional
        ``{"500m": GeoDataFrame, "100m": GeoDataFrame}``.
    local : dict, optional
        Local layers, passed through.
    meta : dict, optional
        Extra metadata; ``gemeente``, ``year``, ``source`` and ``retrieved_at`` are set here
        unless given.

    Returns
    -------
    Atlas

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> wijken = gpd.GeoDataFrame({"wijkcode": ["WK999901"], "wijknaam": ["Noord"]},
    ...                           geometry=[box(0, 0, 100, 100)], crs="EPSG:28992")
    >>> kc = pd.DataFrame({"code": ["WK999901"], "level": ["wijk"], "naam": ["Noord"],
    ...                    "aantal_inwoners": [1234.0]})
    >>> atlas = build_atlas(gemeente="GM9999", year=2024, boundaries={"wijken": wijken},
    ...                     kerncijfers=kc)
    >>> atlas.wijken[["wijkcode", "gemeentecode"]].iloc[0].tolist()
    ['WK999901', 'GM9999']
    >>> float(atlas.wijken["aantal_inwoners"].iloc[0])
    1234.0
    """
    code = normalize_code(gemeente, "gemeente")
    kc = kerncijfers if kerncijfers is not None else pd.DataFrame(columns=["code", "level"])
    gm_rows = kc[(kc["level"] == "gemeente") & (kc["code"] == code)] if len(kc) else kc
    layers: dict[str, gpd.GeoDataFrame] = {}
    zonder: list[str] = []
    naam: Any = None
    if len(gm_rows) and "naam" in gm_rows.columns:
        naam = gm_rows["naam"].iloc[0]
    if naam is None and len(gm_rows) and "gemeentenaam" in gm_rows.columns:
        naam = gm_rows["gemeentenaam"].iloc[0]
    for level in ("gemeente", "wijk", "buurt"):
        layer = _layer(boundaries, level)
        if "gemeentecode" in layer.columns and len(layer):
            layer = layer[layer["gemeentecode"] == code]
        elif level != "gemeente" and len(layer):
            layer = layer[layer[LEVELS[level][0]].astype(str).str[2:6] == code[2:]]
        if len(kc):
            layer, missing = _join(layer, kc, level, code)
            zonder.extend(missing)
        if naam is None and level == "gemeente" and "gemeentenaam" in layer.columns:
            names = layer["gemeentenaam"].dropna()
            naam = names.iloc[0] if len(names) else None
        _fill_hierarchy(layer, level, code, naam)
        layers[level] = _order(gpd.GeoDataFrame(layer, geometry="geometry", crs=CRS), level)
    if layers["gemeente"].empty and not layers["wijk"].empty:
        log.warning("%s: geen gemeentegrens; samengesteld uit de wijken", code)
        wijken = layers["wijk"]
        outline = gpd.GeoDataFrame(
            {"gemeentecode": [code], "gemeentenaam": [wijken["gemeentenaam"].iloc[0]]},
            geometry=[wijken.geometry.union_all()],
            crs=CRS,
        )
        layers["gemeente"] = outline
    if layers["gemeente"].empty:
        raise DataValidationError(
            f"Geen gemeentegrens en geen Kerncijfers voor {code}: niets om een Atlas van te maken."
        )

    nederland = None
    if len(kc) and (kc["level"] == "nederland").any():
        nl = kc[kc["level"] == "nederland"].iloc[[0]]
        nederland = nl.drop(columns=[c for c in ("level", "soort_regio") if c in nl.columns])
        nederland = nederland.reset_index(drop=True)

    grids: dict[str, gpd.GeoDataFrame] = {}
    for res, grid in (vierkanten or {}).items():
        if grid is None:
            continue
        grids[res] = grid if grid.crs is not None and grid.crs.equals(CRS) else grid.to_crs(CRS)

    info: dict[str, Any] = {
        "source": "CBS Kerncijfers wijken en buurten + PDOK Wijk- en Buurtkaart",
        "retrieved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    info.update(meta or {})
    info["gemeente"] = code
    info["year"] = int(year)
    if zonder:
        info["zonder_geometrie"] = sorted(zonder)
    return Atlas(
        gemeente=layers["gemeente"],
        wijken=layers["wijk"],
        buurten=layers["buurt"],
        vierkanten=grids,
        local=dict(local or {}),
        nederland=nederland,
        meta=info,
    )
