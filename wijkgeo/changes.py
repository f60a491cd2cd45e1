"""Did this boundary change? Which codes kept their geometry between two years.

The one answer wijkgeo gives to that question: trends over years (indicators'
:func:`~wijkgeo.indicators.change_since`, map popups, profiles) all ask it here.

CBS re-uses codes with a different meaning (Eindhoven ``WK077211`` is a different area in
2014 and 2024), so a trend over years is only meaningful where the code *and* the area are
the same. :func:`boundary_changes` compares two boundary layers by intersection over union
(IoU) in EPSG:28992 and labels every code; :func:`comparable_codes` lists the codes a trend
may use.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> old = gpd.GeoDataFrame({"wijkcode": ["WK000101", "WK000102"]},
...                        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=28992)
>>> new = gpd.GeoDataFrame({"wijkcode": ["WK000101", "WK000102"]},
...                        geometry=[box(0, 0, 100, 100), box(100, 0, 260, 100)], crs=28992)
>>> boundary_changes(old, new, "wijk")[["code", "status"]].values.tolist()
[['WK000101', 'ongewijzigd'], ['WK000102', 'gewijzigd']]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import DataValidationError
from .conventions import AREA_LEVELS, CODE_COLUMN, CRS

__all__ = [
    "MIN_IOU",
    "STATUSES",
    "boundary_changes",
    "comparable_codes",
    "overlaps",
    "unchanged_codes",
]

#: Status labels (Dutch: they end up in tables a wijkregisseur reads).
STATUSES = ("ongewijzigd", "gewijzigd", "nieuw", "vervallen")

#: Two boundaries of one code count as the same area when their intersection over union is at
#: least this: generalised boundary sets of different years differ a little even where
#: nothing changed, a redrawn area differs far more.
MIN_IOU = 0.9


def _prepare(frame: gpd.GeoDataFrame, level: str, which: str) -> gpd.GeoDataFrame:
    code_col = CODE_COLUMN[level]
    if code_col not in frame.columns:
        raise DataValidationError(f"De {which} laag mist de kolom {code_col!r}.")
    if frame.crs is None:
        raise DataValidationError(f"De {which} laag heeft geen CRS; verwacht {CRS}.")
    out = frame[[code_col, frame.geometry.name]].to_crs(CRS)
    out = out.rename(columns={code_col: "code"}).set_geometry(out.geometry.name)
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    out = out.set_geometry(shapely.make_valid(np.asarray(out.geometry.values)))
    return out.dissolve("code").reset_index()


def overlaps(
    a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of an ``a`` and a ``b`` polygon that meet: their intersection and IoU.

    The one place where two boundary sets are laid over each other (:func:`boundary_changes`
    and the crosswalk of :mod:`wijkgeo.series` both use it): a spatial index, then one
    vectorised GEOS intersection per candidate pair.

    Parameters
    ----------
    a, b : numpy.ndarray of shapely geometries
        Valid polygons in one metric CRS, each set a tiling (the areas of one year do not
        overlap each other): an area with identical coordinates in both sets then meets
        its other candidates only along edges, and they are not intersected.

    Returns
    -------
    ia, ib : int arrays
        Positions of the pairs in ``a`` and ``b`` (pairs that only touch are left out).
    pieces : numpy.ndarray of geometries
        ``a[ia] ∩ b[ib]``.
    iou : float array
        Intersection over union of each pair.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> ia, ib, pieces, iou = overlaps(
    ...     np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)]),
    ...     np.array([box(0, 0, 10, 10), box(10, 0, 15, 10), box(15, 0, 20, 10)]))
    >>> ia.tolist(), ib.tolist(), iou.round(3).tolist()
    ([0, 1, 1], [0, 1, 2], [1.0, 0.5, 0.5])
    """
    tree = shapely.STRtree(b)
    ia, ib = tree.query(a, predicate="intersects")
    # An area with identical coordinates in both sets is its own intersection, and in a
    # tiling its other candidates are neighbours that only touch it: no GEOS overlay for
    # either (most areas of two years, at national scale most of the work).
    ga, gb = a[ia], b[ib]
    same = shapely.equals_exact(ga, gb, 0.0)
    twin_a = np.zeros(len(a), dtype=bool)
    twin_b = np.zeros(len(b), dtype=bool)
    twin_a[ia[same]] = True
    twin_b[ib[same]] = True
    rest = ~same & ~twin_a[ia] & ~twin_b[ib]
    pieces = np.full(len(ia), None, dtype=object)
    pieces[same] = ga[same]
    pieces[rest] = shapely.intersection(ga[rest], gb[rest])
    inter = np.where(same | rest, shapely.area(pieces), 0.0)
    union = shapely.area(ga) + shapely.area(gb) - inter
    keep = inter > 0
    iou = np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
    order = np.lexsort((ib[keep], ia[keep]))
    return (
        ia[keep][order].astype(np.int64),
        ib[keep][order].astype(np.int64),
        pieces[keep][order],
        iou[keep][order],
    )


def boundary_changes(
    old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, level: str, *, min_iou: float = MIN_IOU
) -> pd.DataFrame:
    """Compare the boundaries of one level in two years, code by code.

    Parameters
    ----------
    old, new : GeoDataFrame
        Boundary layers (any CRS; compared in EPSG:28992) with the level's code column.
    level : {"gemeente", "wijk", "buurt"}
    min_iou : float, default :data:`MIN_IOU` (0.9)
        A code present in both years whose old and new area overlap with at least this
        intersection over union counts as ``"ongewijzigd"``. Generalised boundary sets of
        different years differ a little even where nothing changed; 0.9 tolerates that.

    Returns
    -------
    pandas.DataFrame
        One row per code in either year: ``code``, ``status`` (``"ongewijzigd"``,
        ``"gewijzigd"``, ``"nieuw"``, ``"vervallen"``), ``iou`` (same code, NaN when the code
        is in one year only), ``beste_match`` (the code of the other year with the largest
        overlap) and ``beste_iou``. Sorted by code.

    Examples
    --------
    See the module docstring.
    """
    if level not in AREA_LEVELS:
        raise DataValidationError(
            f"Onbekend niveau {level!r}; kies uit {', '.join(AREA_LEVELS)}."
        )
    a, b = _prepare(old, level, "oude"), _prepare(new, level, "nieuwe")
    ia, ib, _pieces, iou = overlaps(np.asarray(a.geometry.values), np.asarray(b.geometry.values))
    table = pd.DataFrame(
        {
            "code_a": a["code"].to_numpy()[ia],
            "code_b": b["code"].to_numpy()[ib],
            "iou": iou,
        }
    )
    same = table[table.code_a == table.code_b].set_index("code_a")["iou"]
    best_a = table.sort_values("iou", ascending=False).drop_duplicates("code_a")
    best_b = table.sort_values("iou", ascending=False).drop_duplicates("code_b")
    best = dict(zip(best_b.code_b, zip(best_b.code_a, best_b.iou, strict=True), strict=True))
    best_old = dict(zip(best_a.code_a, zip(best_a.code_b, best_a.iou, strict=True), strict=True))
    old_codes, new_codes = set(a["code"]), set(b["code"])
    rows = []
    for code in sorted(old_codes | new_codes):
        if code in old_codes and code in new_codes:
            iou = float(same.get(code, 0.0))
            status = "ongewijzigd" if iou >= min_iou else "gewijzigd"
            match, match_iou = best.get(code, (None, np.nan))
        elif code in new_codes:
            iou, status = np.nan, "nieuw"
            match, match_iou = best.get(code, (None, np.nan))
        else:
            iou, status = np.nan, "vervallen"
            match, match_iou = best_old.get(code, (None, np.nan))
        rows.append(
            {
                "code": code,
                "status": status,
                "iou": iou,
                "beste_match": match,
                "beste_iou": match_iou,
            }
        )
    return pd.DataFrame(rows, columns=["code", "status", "iou", "beste_match", "beste_iou"])


def comparable_codes(changes: pd.DataFrame) -> list[str]:
    """Codes whose boundary did not change: the only ones a trend over the years may use.

    Examples
    --------
    >>> import pandas as pd
    >>> comparable_codes(pd.DataFrame({"code": ["A", "B"], "status": ["ongewijzigd", "nieuw"]}))
    ['A']
    """
    return sorted(changes.loc[changes["status"] == "ongewijzigd", "code"])


def unchanged_codes(
    old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, level: str = "buurt", *, min_iou: float = MIN_IOU
) -> set[str]:
    """The codes whose boundary stayed the same: what a change over the years may compare.

    Shorthand for ``comparable_codes(boundary_changes(old, new, level))``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> a = gpd.GeoDataFrame({"buurtcode": ["BU00010001", "BU00010002"]},
    ...                      geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=28992)
    >>> b = gpd.GeoDataFrame({"buurtcode": ["BU00010001", "BU00010002"]},
    ...                      geometry=[box(0, 0, 10, 10), box(10, 0, 30, 10)], crs=28992)
    >>> sorted(unchanged_codes(a, b))
    ['BU00010001']
    """
    return set(comparable_codes(boundary_changes(old, new, level, min_iou=min_iou)))
