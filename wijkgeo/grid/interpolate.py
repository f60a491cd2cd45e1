"""Areal interpolation between buurten, CBS grid cells and any other polygons, exactly.

One sparse matrix of source x target measures (intersection areas, line lengths or point
counts) carries every variable: :func:`interpolation_weights` builds it once, and
:func:`area_interpolate` applies it to 1 or 40 variables (and to every year with the same
boundaries, through ``table=``) with two sparse products.

When one side is a CBS-aligned grid (100 or 500 m squares on multiples of their size) the
matrix comes from :mod:`wijkgeo.grid._kernel`: every ring is walked once and no polygon
intersection is taken at all, interior cells included. Otherwise a spatial index and
vectorised GEOS intersections are used, as tobler does. Either way the result equals
``geopandas.overlay(source, target) + groupby`` to about 1e-12 of a cell.

Semantics
---------
extensive (counts)
    Split by area share of the source (``value * area(s ∩ t) / area(s)``), so the totals
    are kept when the targets cover the sources.
intensive (rates, averages)
    Area-weighted mean of the sources that meet the target.
dasymetric (``weights=``)
    The area is replaced by a weight on a finer CBS grid (e.g. the 100 m
    ``aantal_woningen``): a source's count goes to the fine cells in proportion to their
    weight, and rates are weighted by it. A source without any weight falls back to area
    shares (its total is still kept); a target without any weight gets the area-weighted
    rate. Fine cells that CBS did not publish, or with a secret (NaN) weight, weigh 0.
missing values
    NaN sources are left out; a target whose contributors are all NaN (or that no source
    meets) is NaN, never 0. ``result.attrs["wijkgeo_missing"]`` reports per variable the
    area (or length, or number of points) whose value was missing.
points and lines
    Points are counted in the target that holds them (a point on a shared edge counts
    once), lines are split by length; the result has ``aantal_punten`` or ``lengte_m``.
    Polygons give ``oppervlakte_m2`` (covered area) and ``aandeel_oppervlakte`` (share of
    the target that the sources cover).

Examples
--------
>>> import geopandas as gpd, shapely
>>> from wijkgeo.grid import area_interpolate, cells
>>> buurten = gpd.GeoDataFrame({"aantal_inwoners": [1000.0]},
...                            geometry=[shapely.box(0, 0, 750, 500)], crs=28992)
>>> out = area_interpolate(buurten, cells(buurten, 500), extensive=["aantal_inwoners"])
>>> out[["celcode", "aantal_inwoners"]].round(1).to_dict("list")
{'celcode': ['E0000N0000', 'E0005N0000'], 'aantal_inwoners': [666.7, 333.3]}
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import DataValidationError
from ..conventions import CRS
from . import _kernel
from .codes import check_metric_crs

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import scipy.sparse as sp

__all__ = [
    "Weights",
    "interpolate_frames",
    "interpolation_weights",
]

log = logging.getLogger(__name__)

#: Columns of the target that are carried into the result (codes, names).
ID_COLUMNS = ("celcode", "buurtcode", "buurtnaam", "wijkcode", "wijknaam", "gemeentecode")
_KEY = np.int64(1) << 32


# ---------------------------------------------------------------------------- helpers
def _is_dask(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] in ("dask_geopandas", "dask")


def _geoms(frame: Any) -> np.ndarray:
    import geopandas as gpd

    if isinstance(frame, gpd.GeoDataFrame | gpd.GeoSeries):
        return np.asarray(frame.geometry.values, dtype=object)
    raise DataValidationError(
        f"Verwacht een GeoDataFrame in EPSG:28992, kreeg {type(frame).__name__}."
    )


def _kind(geoms: np.ndarray, what: str) -> str:
    import shapely

    types = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
    if not types:
        return "polygon"
    if types <= {3, 6}:
        return "polygon"
    if types <= {1, 2, 5}:
        return "line"
    if types <= {0, 4}:
        return "point"
    raise DataValidationError(
        f"{what} mengt vlakken, lijnen en/of punten (geometrietypes {sorted(types)}); "
        "splits de laag per geometrietype."
    )


def _valid_polygons(geoms: np.ndarray, what: str) -> np.ndarray:
    import shapely

    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if not bad.any():
        return geoms
    log.warning(
        "%s: %d ongeldige vlakken gerepareerd (make_valid) voor de interpolatie",
        what,
        int(bad.sum()),
    )
    geoms = geoms.copy()
    fixed = shapely.make_valid(geoms[bad])
    # keep only the polygonal part of what make_valid returns (it may add lines or points,
    # nested in a collection)
    parts, idx = shapely.get_parts(fixed, return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)
    idx = idx[sub]
    poly = shapely.get_type_id(parts) == 3
    out = np.array([shapely.Polygon()] * len(fixed), dtype=object)
    for i in np.unique(idx[poly]):
        out[i] = shapely.multipolygons(parts[(idx == i) & poly])
    geoms[bad] = out
    return geoms


def _keys(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    return np.asarray(ix, np.int64) * _KEY + np.asarray(iy, np.int64)


@dataclass(frozen=True)
class _Grid:
    """A CBS-aligned grid side: cell size and where each cell sits in the frame.

    Cells are found by a dense table over the grid's bounding box when that is compact
    (the usual case: :func:`~wijkgeo.grid.cells` output), else by binary search.
    """

    size: int
    x0: int
    y0: int
    nx: int
    ny: int
    table: np.ndarray | None  # dense (ny * nx) row numbers, -1 for no cell
    keys: np.ndarray  # sorted cell keys (binary-search fallback)
    rows: np.ndarray  # row position (in the frame) of each sorted key

    @classmethod
    def of(cls, bounds: np.ndarray, size: int) -> _Grid | None:
        ix = np.round(bounds[:, 0] / size).astype(np.int64)
        iy = np.round(bounds[:, 1] / size).astype(np.int64)
        x0, y0 = int(ix.min()), int(iy.min())
        nx, ny = int(ix.max()) - x0 + 1, int(iy.max()) - y0 + 1
        n = len(ix)
        if nx * ny <= max(8 * n, 1 << 20):
            table = np.full(nx * ny, -1, dtype=np.int64)
            flat = (iy - y0) * nx + (ix - x0)
            table[flat] = np.arange(n)
            if (table >= 0).sum() != n:
                return None  # a cell twice: the general path handles that like the overlay
            return cls(size, x0, y0, nx, ny, table, np.zeros(0, np.int64), np.zeros(0, np.int64))
        keys = _keys(ix, iy)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        if (keys[1:] == keys[:-1]).any():
            return None
        return cls(size, x0, y0, nx, ny, None, keys, order.astype(np.int64))

    def lookup(self, ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
        """Row of each cell, or -1 for cells not in this grid."""
        ix, iy = np.asarray(ix, np.int64), np.asarray(iy, np.int64)
        if self.table is not None:
            cx, cy = ix - self.x0, iy - self.y0
            ok = (cx >= 0) & (cx < self.nx) & (cy >= 0) & (cy < self.ny)
            out = np.full(len(ix), -1, dtype=np.int64)
            out[ok] = self.table[cy[ok] * self.nx + cx[ok]]
            return out
        k = _keys(ix, iy)
        pos = np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)
        return np.where(self.keys[pos] == k, self.rows[pos], -1)


def _grid_of(geoms: np.ndarray) -> _Grid | None:
    import shapely

    bounds = shapely.bounds(geoms)
    size = _kernel.is_grid(geoms, bounds=bounds)
    return _Grid.of(bounds, size) if size else None


def _measure_pairs(kind: str, geoms: np.ndarray, size: int):
    if kind == "polygon":
        return _kernel.grid_areas(geoms, size, reduce=False)
    if kind == "line":
        return _kernel.grid_lengths(geoms, size)
    return _kernel.grid_points(geoms, size)


def _coo(rows, cols, vals, shape) -> sp.csr_matrix:
    import scipy.sparse as sp

    m = sp.coo_matrix((np.asarray(vals, float), (rows, cols)), shape=shape).tocsr()
    m.sum_duplicates()
    m.eliminate_zeros()
    return m


def _grid_matrix(kind, poly_geoms, grid: _Grid, n_grid: int, poly_is_source: bool):
    """Measures between the non-grid side and a grid side through the exact kernel."""
    src, ix, iy, val = _measure_pairs(kind, poly_geoms, grid.size)
    col = grid.lookup(ix, iy)
    keep = col >= 0
    src, col, val = src[keep], col[keep], val[keep]
    if poly_is_source:
        return _coo(src, col, val, (len(poly_geoms), n_grid))
    return _coo(col, src, val, (n_grid, len(poly_geoms)))


def _general_matrix(kind, sgeoms, tgeoms):
    """Measures through a spatial index and GEOS intersections (any target)."""
    import shapely

    tree = shapely.STRtree(tgeoms)
    shape = (len(sgeoms), len(tgeoms))
    if kind == "point":
        parts, pidx = shapely.get_parts(sgeoms, return_index=True)
        si, ti = tree.query(parts, predicate="intersects")
        # a point on a shared edge counts once: for the first target that holds it
        first = np.unique(si, return_index=True)[1]
        return _coo(pidx[si[first]], ti[first], np.ones(len(first)), shape)
    si, ti = tree.query(sgeoms, predicate="intersects")
    inter = shapely.intersection(sgeoms[si], tgeoms[ti])
    val = shapely.area(inter) if kind == "polygon" else shapely.length(inter)
    return _coo(si, ti, val, shape)


def _source_measure(kind: str, geoms: np.ndarray) -> np.ndarray:
    import shapely

    if kind == "polygon":
        return shapely.area(geoms)
    if kind == "line":
        return shapely.length(geoms)
    return shapely.get_num_geometries(geoms).astype(float)


# ---------------------------------------------------------------------------- weights
@dataclass
class Weights:
    """The reusable source x target table of one interpolation.

    Build it once with :func:`interpolation_weights` and pass it as ``table=`` to
    :func:`area_interpolate` for every variable and year with the same boundaries.

    Attributes
    ----------
    share : scipy.sparse.csr_matrix
        ``n_source x n_target``: the fraction of a source's count that goes to a target.
    weight : scipy.sparse.csr_matrix
        ``n_source x n_target``: the weights of the intensive (averaging) interpolation.
    measure : scipy.sparse.csr_matrix
        ``n_source x n_target``: the plain intersection area, length or point count.
    kind : str
        ``"polygon"``, ``"line"`` or ``"point"`` (the source geometry).
    method : str
        ``"grid"`` (exact kernel), ``"overlay"`` (index + intersections) or
        ``"dasymetric"``.
    target_size : numpy.ndarray
        Area of each target (for ``aandeel_oppervlakte``).
    info : dict
        Counts for the report (e.g. sources without dasymetric weight).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from wijkgeo.grid import cells, interpolation_weights
    >>> b = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 750, 500)], crs=28992)
    >>> w = interpolation_weights(b, cells(b, 500))
    >>> w.method, w.share.toarray().round(3).tolist()
    ('grid', [[0.667, 0.333]])
    """

    share: Any
    weight: Any
    measure: Any
    kind: str
    method: str
    source_index: pd.Index
    target_index: pd.Index
    target_size: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_source, n_target)``."""
        return self.share.shape


def _parse_weights(weights: Any) -> tuple[Any, str]:
    import geopandas as gpd

    if isinstance(weights, tuple) and len(weights) == 2:
        frame, column = weights
    elif isinstance(weights, gpd.GeoDataFrame):
        numeric = [
            c
            for c in weights.columns
            if c != weights.geometry.name and pd.api.types.is_numeric_dtype(weights[c])
        ]
        if len(numeric) != 1:
            raise DataValidationError(
                "weights: geef (vierkanten, 'kolomnaam') of een GeoDataFrame met precies één "
                f"getalkolom; deze heeft er {len(numeric)} ({', '.join(numeric[:6])})."
            )
        frame, column = weights, numeric[0]
    else:
        raise DataValidationError(
            "weights: verwacht (vierkanten, 'kolomnaam'), bijvoorbeeld "
            "(atlas.vierkanten['100m'], 'aantal_woningen')."
        )
    if column not in frame.columns:
        raise DataValidationError(f"weights: kolom {column!r} ontbreekt in de vierkanten.")
    check_metric_crs(frame, "weights")
    return frame, str(column)


def _dasymetric(kind, poly_geoms, grid: _Grid, n_grid, weights, poly_is_source):
    """Dasymetric weights between a polygon side and a grid side, on a finer grid."""
    import shapely

    wframe, column = _parse_weights(weights)
    fgeoms = _geoms(wframe)
    fgrid = _grid_of(fgeoms)
    if fgrid is None or grid.size % fgrid.size:
        raise DataValidationError(
            "weights moeten CBS-vierkanten zijn (100 of 500 m, elk vak één keer) die binnen de "
            f"cellen van {grid.size} m passen; kies bijvoorbeeld de 100 m-vierkanten."
        )
    if kind != "polygon":
        raise DataValidationError("weights (dasymetrisch) werkt alleen voor vlakken.")
    w = pd.to_numeric(wframe[column], errors="coerce").to_numpy(float)
    if (w < 0).any():
        raise DataValidationError(f"weights: kolom {column!r} heeft negatieve waarden.")
    n_nan = int(np.isnan(w).sum())
    w = np.nan_to_num(w, nan=0.0)
    f = fgrid.size
    q, fx, fy, a = _kernel.grid_areas(poly_geoms, f, reduce=False)
    frow = fgrid.lookup(fx, fy)
    d = np.where(frow >= 0, a * w[np.maximum(frow, 0)] / (f * f), 0.0)
    qtotal = np.bincount(q, weights=d, minlength=len(poly_geoms))
    ratio = grid.size // f
    gcol = grid.lookup(np.floor_divide(fx, ratio), np.floor_divide(fy, ratio))
    keep = (gcol >= 0) & (d != 0)  # unreduced kernel entries: negative parts count too
    n_poly = len(poly_geoms)
    if poly_is_source:
        dmat = _coo(q[keep], gcol[keep], d[keep], (n_poly, n_grid))
        total = qtotal
    else:
        dmat = _coo(gcol[keep], q[keep], d[keep], (n_grid, n_poly))
        # a source cell's own total weight: its fine cells, inside a target or not
        fb = shapely.bounds(fgeoms)
        fcol = grid.lookup(
            np.floor_divide(np.round(fb[:, 0] / f).astype(np.int64), ratio),
            np.floor_divide(np.round(fb[:, 1] / f).astype(np.int64), ratio),
        )
        ok = fcol >= 0
        total = np.bincount(fcol[ok], weights=w[ok], minlength=n_grid)
    info = {"weights_column": column, "weights_size": f, "weights_nan": n_nan}
    return dmat, total, info


def _row_scale(m, factor: np.ndarray):
    import scipy.sparse as sp

    return sp.diags(factor) @ m


def interpolation_weights(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    *,
    weights: Any = None,
) -> Weights:
    """The reusable source x target table for :func:`area_interpolate`.

    Parameters
    ----------
    source, target : GeoDataFrame
        In EPSG:28992. When one of them is a CBS grid (squares of 100 or 500 m on the
        grid, such as :func:`~wijkgeo.grid.cells` returns) the exact kernel is used.
    weights : (GeoDataFrame, str), optional
        Dasymetric weights: CBS cells of a grid at least as fine as the grid side, and the
        column to weigh by, e.g. ``(atlas.vierkanten["100m"], "aantal_woningen")``.

    Returns
    -------
    Weights

    Raises
    ------
    DataValidationError
        For a frame without CRS, in degrees or not in EPSG:28992, mixed geometry types, or
        weights that do not nest in the grid.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from wijkgeo.grid import cells, interpolation_weights
    >>> b = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 500, 1000)], crs=28992)
    >>> interpolation_weights(b, cells(b, 500)).measure.toarray().tolist()
    [[250000.0, 250000.0]]
    """
    import shapely

    check_metric_crs(source, "de bron (source)")
    check_metric_crs(target, "het doel (target)")
    sgeoms, tgeoms = _geoms(source), _geoms(target)
    kind = _kind(sgeoms, "de bron")
    ns, nt = len(sgeoms), len(tgeoms)
    tgrid = _grid_of(tgeoms) if nt else None
    if tgrid is None and _kind(tgeoms, "het doel") != "polygon":
        raise DataValidationError("Het doel (target) moet uit vlakken bestaan (cellen, buurten).")
    if tgrid is None:
        tgeoms = _valid_polygons(tgeoms, "het doel")
    sgrid = _grid_of(sgeoms) if (tgrid is None and kind == "polygon" and ns) else None
    if kind == "polygon" and sgrid is None:
        sgeoms = _valid_polygons(sgeoms, "de bron")
    smeasure = _source_measure(kind, sgeoms)
    info: dict[str, Any] = {}
    if tgrid is not None:
        measure = _grid_matrix(kind, sgeoms, tgrid, nt, poly_is_source=True)
        method = "grid"
    elif sgrid is not None:
        measure = _grid_matrix(kind, tgeoms, sgrid, ns, poly_is_source=False)
        smeasure = np.full(ns, float(sgrid.size) ** 2)
        method = "grid"
    else:
        measure = _general_matrix(kind, sgeoms, tgeoms)
        method = "overlay"
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(smeasure > 0, 1.0 / smeasure, 0.0)
    share = _row_scale(measure, inv)
    weight = measure
    if weights is not None:
        if method != "grid":
            raise DataValidationError(
                "weights (dasymetrisch) vraagt dat bron of doel CBS-vierkanten zijn, "
                "bijvoorbeeld cells(buurten, 500)."
            )
        if tgrid is not None:
            dmat, total, info = _dasymetric(kind, sgeoms, tgrid, nt, weights, True)
        else:
            dmat, total, info = _dasymetric(kind, tgeoms, sgrid, ns, weights, False)
        has = total > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            dinv = np.where(has, 1.0 / total, 0.0)
        # sources without any weight keep their area shares, so their totals are kept
        share = _row_scale(dmat, dinv) + _row_scale(share, (~has).astype(float))
        colsum = np.asarray(dmat.sum(axis=0)).ravel()
        tnone = colsum <= 0
        weight = dmat + measure @ _diag(tnone.astype(float))
        info.update(
            sources_without_weight=int((~has).sum()), targets_without_weight=int(tnone.sum())
        )
        if (~has).any():
            log.info(
                "Dasymetrisch: %d bronvlakken zonder gewicht in %r krijgen oppervlakte-aandelen",
                int((~has).sum()),
                info["weights_column"],
            )
        method = "dasymetric"
    return Weights(
        share=share.tocsr(),
        weight=weight.tocsr(),
        measure=measure.tocsr(),
        kind=kind,
        method=method,
        source_index=source.index,
        target_index=target.index,
        target_size=(
            np.full(nt, float(tgrid.size) ** 2) if tgrid is not None else shapely.area(tgeoms)
        ),
        info=info,
    )


def _diag(v: np.ndarray):
    import scipy.sparse as sp

    return sp.diags(v)


# ---------------------------------------------------------------------------- apply
def _values(source: pd.DataFrame, columns: Sequence[str], what: str) -> np.ndarray:
    if not columns:
        return np.zeros((len(source), 0))
    available = list(getattr(source, "columns", []))
    missing = [c for c in columns if c not in available]
    if missing:
        raise DataValidationError(
            f"{what}: kolom(men) {', '.join(map(repr, missing))} ontbreken in de bron; "
            f"beschikbaar: {', '.join(map(str, available[:12]))}..."
        )
    frame = source[list(columns)]
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise DataValidationError(f"{what}: kolom(men) {', '.join(bad)} zijn geen getallen.")
    return frame.to_numpy(dtype=float, na_value=np.nan)


def _partials(w: Weights, ext: np.ndarray, itv: np.ndarray) -> dict[str, Any]:
    """Additive per-target sums; finishing them gives the result (also across partitions).

    ``*_num`` arrays are ``(n_target, k)``. Counts of valid contributors (``*_n``) and the
    missing measure (``*_miss``) are only kept for the columns that have NaN (listed in
    ``*_nan``); the others share the per-target ``contributors`` and ``*_den``.
    """
    mt = w.measure.T.tocsr()
    pattern = mt.copy()
    pattern.data = np.ones_like(pattern.data)
    nt = mt.shape[0]
    out: dict[str, Any] = {
        "measure": np.asarray(mt.sum(axis=1)).ravel(),
        "contributors": np.asarray(pattern.sum(axis=1)).ravel(),
    }
    for name, vals, mat in (("ext", ext, w.share), ("int", itv, w.weight)):
        k = vals.shape[1]
        valid = ~np.isnan(vals)
        nan_cols = np.flatnonzero(~valid.all(axis=0))
        mT = mat.T.tocsr()
        out[f"{name}_num"] = np.asarray(mT @ np.where(valid, vals, 0.0)) if k else np.zeros((nt, 0))
        out[f"{name}_den"] = np.asarray(mT.sum(axis=1)).ravel()
        sub = valid[:, nan_cols].astype(float)
        counter = pattern if name == "ext" else mT
        out[f"{name}_nan"] = nan_cols
        out[f"{name}_n"] = np.asarray(counter @ sub) if len(nan_cols) else np.zeros((nt, 0))
        out[f"{name}_miss"] = np.asarray(mt @ (1.0 - sub)) if len(nan_cols) else np.zeros((nt, 0))
    return out


def _finish(
    p: dict[str, Any],
    extensive: Sequence[str],
    intensive: Sequence[str],
    kind: str,
    target_size: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, float]]]:
    cols: dict[str, np.ndarray] = {}
    if kind == "polygon":
        cols["oppervlakte_m2"] = p["measure"]
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["aandeel_oppervlakte"] = np.where(
                target_size > 0, p["measure"] / target_size, np.nan
            )
    elif kind == "line":
        cols["lengte_m"] = p["measure"]
    else:
        cols["aantal_punten"] = p["measure"]
    report: dict[str, dict[str, float]] = {}
    total = float(p["measure"].sum())
    for name, names in (("ext", extensive), ("int", intensive)):
        if not names:
            continue
        value = p[f"{name}_num"]  # finished in place: these arrays are ours
        nan_cols, n, miss = p[f"{name}_nan"], p[f"{name}_n"], p[f"{name}_miss"]
        k = value.shape[1]
        if name == "int":
            den = p["int_den"]
            inv = np.zeros_like(den)
            np.divide(1.0, den, out=inv, where=den > 0)
            if len(nan_cols) == k:
                pass
            elif not len(nan_cols):
                value *= inv[:, None]
            else:
                other = np.setdiff1d(np.arange(k), nan_cols)
                value[:, other] *= inv[:, None]
            if len(nan_cols):
                with np.errstate(divide="ignore", invalid="ignore"):
                    value[:, nan_cols] = np.where(n > 0, value[:, nan_cols] / n, np.nan)
            value[den <= 0, :] = np.nan
        elif len(nan_cols):
            value[:, nan_cols] = np.where(n > 0, value[:, nan_cols], np.nan)
        none = p["contributors"] == 0
        value[none, :] = np.nan
        missing = np.zeros(len(names))
        nan_count = np.full(len(names), int(none.sum()))
        partly = np.zeros(len(names), dtype=np.int64)
        if len(nan_cols):
            missing[nan_cols] = miss.sum(axis=0)
            nan_count[nan_cols] = np.isnan(value[:, nan_cols]).sum(axis=0)
            partly[nan_cols] = ((miss > 0) & ~np.isnan(value[:, nan_cols])).sum(axis=0)
        cols[name] = value
        for j, col in enumerate(names):
            report[col] = {
                "missing_measure": float(missing[j]),
                "missing_share": float(missing[j]) / total if total > 0 else float("nan"),
                "targets_nan": int(nan_count[j]),
                "targets_partly_missing": int(partly[j]),
            }
    return cols, report


def _check_names(extensive: Sequence[str], intensive: Sequence[str]) -> None:
    both = set(extensive) & set(intensive)
    if both:
        raise DataValidationError(
            f"Kolom(men) {', '.join(sorted(both))} staan zowel bij extensive als intensive."
        )


def _result(target, cols, extensive, intensive, report, method) -> gpd.GeoDataFrame:
    import geopandas as gpd

    ids = [c for c in ID_COLUMNS if c in getattr(target, "columns", [])]
    measures = [k for k in cols if k not in ("ext", "int")]
    names = [*measures, *extensive, *intensive]
    # one float block, filled column by column in place: pandas need not consolidate it
    values = np.empty((len(target), len(names)), order="F")
    for j, k in enumerate(measures):
        values[:, j] = cols[k]
    at = len(measures)
    for key, group in (("ext", extensive), ("int", intensive)):
        if group:
            values[:, at : at + len(group)] = cols[key]
            at += len(group)
    numbers = pd.DataFrame(values, index=target.index, columns=names, copy=False)
    data = pd.concat([pd.DataFrame(target[ids]), numbers], axis=1) if ids else numbers
    out = gpd.GeoDataFrame(data, geometry=target.geometry.values, crs=CRS)
    out.attrs["wijkgeo_missing"] = report
    out.attrs["wijkgeo_method"] = method
    for col, r in report.items():
        if r["missing_measure"] > 0:
            log.info(
                "%s: waarde ontbreekt voor %.1f%% van de oppervlakte/lengte/punten "
                "(%d doelen NaN, %d deels)",
                col,
                100 * r["missing_share"],
                r["targets_nan"],
                r["targets_partly_missing"],
            )
    return out


def interpolate_frames(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    extensive: Iterable[str] = (),
    intensive: Iterable[str] = (),
    weights: Any = None,
    *,
    table: Weights | None = None,
) -> gpd.GeoDataFrame:
    """:func:`wijkgeo.grid.area_interpolate` for in-memory frames (see there).

    The public function dispatches dask frames to :mod:`wijkgeo.grid._dask`, which calls
    this one per partition; this module never imports the dask path.
    """
    extensive, intensive = list(extensive), list(intensive)
    _check_names(extensive, intensive)
    if table is None:
        table = interpolation_weights(source, target, weights=weights)
    elif table.shape != (len(source), len(target)) or not (
        table.source_index.equals(source.index) and table.target_index.equals(target.index)
    ):
        raise DataValidationError(
            f"table hoort bij andere bronnen of doelen ({table.shape[0]} x {table.shape[1]}, "
            f"nu {len(source)} x {len(target)}, of een andere index): zet de rijen in dezelfde "
            "volgorde of maak hem opnieuw met interpolation_weights()."
        )
    ext = _values(source, extensive, "extensive")
    itv = _values(source, intensive, "intensive")
    parts = _partials(table, ext, itv)
    cols, report = _finish(parts, extensive, intensive, table.kind, table.target_size)
    return _result(target, cols, extensive, intensive, report, table.method)
