"""A crosswalk between the areas of two years: which share of each old area lies in each new one.

CBS re-codes, splits and merges buurten almost every year and even re-uses codes for other
areas. :func:`crosswalk` answers, for two boundary sets, where each old area's weight went:

1. **The same area** keeps its figure as it is. A pair counts as the same area when the
   geometry agrees (intersection over union at least ``WIJKGEO_REEKS_MIN_IOU``, 0.9 by default:
   boundary files of different years are generalised differently) *and*, for the same code,
   the name agrees too (so a re-used code is never taken for the old area). Same code:
   ``gemeten``; another code for the same area: ``hercodeerd``.
2. **The changed areas** are carried among the areas left over on both sides, in proportion
   to the weight of their pieces: the area, or dasymetrically the 100 m cells'
   ``aantal_woningen`` (``weights=(cells_100m, "aantal_woningen")``) through the exact grid
   kernel (:func:`wijkgeo.grid._kernel.grid_areas`: each piece's exact area per cell). No
   sliver of a changed neighbour spills into an unchanged buurt. ``omgerekend``.

The overlay itself (spatial index + one vectorised intersection per pair, and the IoU) is
:func:`wijkgeo.changes.overlaps`, shared with :func:`wijkgeo.changes.boundary_changes`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> old = gpd.GeoDataFrame({"buurtcode": ["BU00010001", "BU00010002"],
...                         "buurtnaam": ["Oost", "West"]},
...                        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=28992)
>>> new = gpd.GeoDataFrame({"buurtcode": ["BU00010001", "BU00010003", "BU00010004"],
...                         "buurtnaam": ["Oost", "West-Noord", "West-Zuid"]},
...                        geometry=[box(0, 0, 100, 100), box(100, 50, 200, 100),
...                                  box(100, 0, 200, 50)], crs=28992)
>>> crosswalk(old, new)[["van", "naar", "aandeel", "herkomst"]]
          van        naar  aandeel    herkomst
0  BU00010001  BU00010001      1.0     gemeten
1  BU00010002  BU00010003      0.5  omgerekend
2  BU00010002  BU00010004      0.5  omgerekend
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from .._errors import DataValidationError
from ..changes import overlaps
from ..grid import _kernel
from ..grid.codes import check_metric_crs

__all__ = ["COLUMNS", "code_column", "crosswalk"]

log = logging.getLogger(__name__)

#: Columns of a crosswalk frame.
COLUMNS = ["van", "naar", "aandeel", "herkomst", "methode", "dekking"]
#: Code and name column per level, finest first (a buurten frame also holds wijkcode).
_LEVELS = (
    ("buurtcode", "buurtnaam"),
    ("wijkcode", "wijknaam"),
    ("gemeentecode", "gemeentenaam"),
    ("code", "naam"),
)


def code_column(frame: Any) -> tuple[str, str | None]:
    """The code column of a boundary frame (finest level first) and its name column.

    Examples
    --------
    >>> import pandas as pd
    >>> code_column(pd.DataFrame(columns=["wijkcode", "buurtcode", "buurtnaam"]))
    ('buurtcode', 'buurtnaam')
    """
    for code, name in _LEVELS:
        if code in frame.columns:
            return code, (name if name in frame.columns else None)
    raise DataValidationError(
        "Geen codekolom gevonden (buurtcode, wijkcode, gemeentecode of code); kolommen: "
        f"{', '.join(map(str, list(frame.columns)[:12]))}."
    )


def _prepare(frame: Any, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import shapely

    check_metric_crs(frame, what)
    code_col, name_col = code_column(frame)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    codes = frame[code_col].astype(str).str.strip().to_numpy()[ok]
    names = (
        frame[name_col].to_numpy()[ok] if name_col else np.full(int(ok.sum()), None, dtype=object)
    )
    out = _polygons(shapely.make_valid(geoms[ok]))
    if pd.Series(codes).duplicated().any():
        raise DataValidationError(
            f"{what}: codes komen meer dan eens voor "
            f"({', '.join(pd.Series(codes)[pd.Series(codes).duplicated()].unique()[:5])}); "
            "geef één rij per gebied."
        )
    return codes, names, out


def _polygons(geoms: np.ndarray) -> np.ndarray:
    """Only the polygonal part of each geometry (repairs can leave lines); None if nothing."""
    import shapely

    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    for i in np.flatnonzero(~np.isin(types, (3, 6))):  # rare: collections after make_valid
        parts = shapely.get_parts(shapely.get_parts(geoms[i]))
        polys = parts[shapely.get_type_id(parts) == 3]
        out[i] = shapely.multipolygons(polys) if len(polys) else None
    return out


def _norm(name: Any) -> str:
    return " ".join(str(name).lower().split()) if isinstance(name, str) and name.strip() else ""


def _cell_weights(weights: Any) -> tuple[int, np.ndarray, np.ndarray, str]:
    """(cell size, sorted cell keys, weight per key, column) of dasymetric weights."""
    import shapely

    if not (isinstance(weights, tuple) and len(weights) == 2):
        raise DataValidationError(
            "weights: verwacht (vierkanten, 'kolomnaam'), bijvoorbeeld "
            "(atlas.vierkanten['100m'], 'aantal_woningen')."
        )
    frame, column = weights
    check_metric_crs(frame, "weights")
    if column not in frame.columns:
        raise DataValidationError(
            f"weights: kolom {column!r} ontbreekt in de vierkanten; kolommen: "
            f"{', '.join(c for c in frame.columns if c != frame.geometry.name)}."
        )
    geoms = np.asarray(frame.geometry.values, dtype=object)
    bounds = shapely.bounds(geoms)
    size = _kernel.is_grid(geoms, bounds=bounds)
    if size is None:
        raise DataValidationError(
            "weights moeten CBS-vierkanten zijn (100 of 500 m op het RD-raster), bijvoorbeeld "
            "atlas.vierkanten['100m']."
        )
    w = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
    w = np.where(np.isnan(w) | (w < 0), 0.0, w)
    keys = _key(np.round(bounds[:, 0] / size), np.round(bounds[:, 1] / size))
    order = np.argsort(keys, kind="stable")
    return size, keys[order], w[order], str(column)


def _key(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    return np.asarray(ix, np.int64) * (np.int64(1) << 32) + np.asarray(iy, np.int64)


def _piece_weights(pieces: np.ndarray, weights: Any) -> tuple[np.ndarray, str]:
    """Weight of each piece: sum over the cells of ``weight * area in cell / cell area``."""
    size, keys, w, column = _cell_weights(weights)
    src, ix, iy, area = _kernel.grid_areas(pieces, size, reduce=False)
    k = _key(ix, iy)
    pos = np.minimum(np.searchsorted(keys, k), len(keys) - 1) if len(keys) else k * 0
    hit = (keys[pos] == k) if len(keys) else np.zeros(len(k), bool)
    cell_w = np.where(hit, w[pos] if len(keys) else 0.0, 0.0)
    out = np.bincount(src, weights=area * cell_w / float(size * size), minlength=len(pieces))
    return np.maximum(out, 0.0), column


def crosswalk(
    old: Any,
    new: Any,
    *,
    weights: Any = None,
    min_iou: float | None = None,
) -> pd.DataFrame:
    """Where each old area's weight lies among the new areas.

    Parameters
    ----------
    old, new : GeoDataFrame
        Boundaries of two years in EPSG:28992 with a code column (``buurtcode``,
        ``wijkcode``, ``gemeentecode`` or ``code``) and, when present, its name column.
    weights : (GeoDataFrame, str), optional
        Dasymetric weights: CBS cells and a column, e.g.
        ``(atlas.vierkanten["100m"], "aantal_woningen")``. Without them: area shares. An old
        area without any weight in the cells falls back to area shares (``methode``).
    min_iou : float, optional
        Intersection over union from which a pair counts as the same area; default the
        setting ``WIJKGEO_REEKS_MIN_IOU`` (0.9).

    Returns
    -------
    pandas.DataFrame
        ``van`` (old code), ``naar`` (new code), ``aandeel`` (share of the old area's
        weight in the new area; per ``van`` the shares sum to 1 over the part covered by the
        new areas), ``herkomst`` (``gemeten``, ``hercodeerd``, ``omgerekend``), ``methode``
        (``zelfde gebied``, ``oppervlakte`` or the weights column) and ``dekking`` (the
        share of the old area's surface that the new areas cover). Old areas that no new
        area meets have no row.

    Raises
    ------
    DataValidationError
        A frame without CRS, in degrees or not in EPSG:28992, without a code column, with
        a code twice, or two frames without any overlap.

    Examples
    --------
    See the module docstring.
    """
    import shapely

    threshold = float(settings.get("series_min_iou") if min_iou is None else min_iou)
    codes_a, names_a, geoms_a = _prepare(old, "de oude laag (old)")
    codes_b, names_b, geoms_b = _prepare(new, "de nieuwe laag (new)")
    ok_a = ~shapely.is_missing(geoms_a)
    ok_b = ~shapely.is_missing(geoms_b)
    pos_a, pos_b = np.flatnonzero(ok_a), np.flatnonzero(ok_b)
    ia, ib, pieces, iou = overlaps(geoms_a[ok_a], geoms_b[ok_b])
    ia, ib = pos_a[ia], pos_b[ib]
    if not len(ia):
        raise DataValidationError(
            "De oude en de nieuwe laag overlappen nergens: zijn het gebieden van dezelfde "
            "gemeente, en staan beide in EPSG:28992?"
        )
    piece_area = shapely.area(pieces)
    area_a = shapely.area(geoms_a)
    same = iou >= threshold
    same_code = codes_a[ia] == codes_b[ib]
    na = np.array([_norm(n) for n in names_a[ia]], dtype=object)
    nb = np.array([_norm(n) for n in names_b[ib]], dtype=object)
    names_agree = (na == nb) | (na == "") | (nb == "")
    measured = same & same_code & names_agree
    recoded = same & ~same_code
    matched = measured | recoded
    # one same-area partner per area at most (IoU >= 0.5 is unique); keep the best anyway
    order = np.argsort(-iou[matched], kind="stable")
    mi = np.flatnonzero(matched)[order]
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    keep_match = np.zeros(len(ia), bool)
    for i in mi:
        if ia[i] in taken_a or ib[i] in taken_b:
            continue
        taken_a.add(int(ia[i]))
        taken_b.add(int(ib[i]))
        keep_match[i] = True
    in_a = np.isin(ia, list(taken_a))
    in_b = np.isin(ib, list(taken_b))
    left = ~in_a & ~in_b
    # an old changed area that meets only kept areas (generalisation noise) still goes somewhere
    orphan = ~in_a & ~np.isin(ia, ia[left])
    carry = left | orphan
    weight = piece_area.copy()
    method = np.full(len(ia), "oppervlakte", dtype=object)
    if weights is not None and carry.any():
        pw, column = _piece_weights(pieces[carry], weights)
        per_old = np.bincount(ia[carry], weights=pw, minlength=len(codes_a))
        has = per_old[ia[carry]] > 0
        w_c = weight[carry]
        w_c[has] = pw[has]
        weight[carry] = w_c
        m_c = method[carry]
        m_c[has] = column
        method[carry] = m_c
    rows = keep_match | carry
    coverage = np.bincount(ia, weights=piece_area, minlength=len(codes_a))
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(area_a > 0, coverage / np.where(area_a > 0, area_a, 1.0), 0.0)
    w = np.where(keep_match, 1.0, weight)[rows]
    van = ia[rows]
    total = np.bincount(van, weights=w, minlength=len(codes_a))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total[van] > 0, w / np.where(total[van] > 0, total[van], 1.0), 0.0)
    herkomst = np.where(
        keep_match[rows],
        np.where(measured[rows], "gemeten", "hercodeerd"),
        "omgerekend",
    )
    out = pd.DataFrame(
        {
            "van": codes_a[van],
            "naar": codes_b[ib[rows]],
            "aandeel": share,
            "herkomst": herkomst,
            "methode": np.where(keep_match[rows], "zelfde gebied", method[rows]),
            "dekking": np.minimum(cover[van], 1.0),
        }
    )
    out = out[out["aandeel"] > 0].sort_values(["van", "naar"], kind="stable")
    log.info(
        "kruistabel: %d oude, %d nieuwe gebieden; %d gemeten, %d hercodeerd, %d omgerekend",
        len(codes_a),
        len(codes_b),
        int((out.herkomst == "gemeten").sum()),
        int((out.herkomst == "hercodeerd").sum()),
        out.loc[out.herkomst == "omgerekend", "van"].nunique(),
    )
    return out.reset_index(drop=True)[COLUMNS]
