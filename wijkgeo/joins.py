"""Join local layers to buurten, wijken and 500 m cells (pure functions, EPSG:28992).

Every function takes frames and returns a frame indexed like its *target* (the buurt or
wijk codes, the cell codes, or the points themselves); nothing reads or writes files.
Points that fall outside every area are never dropped silently: they are counted in
``result.attrs["outside"]`` (their index labels) and logged.

:func:`assign_points`
    the area code of each point (NaN outside).
:func:`points_per_area`, :func:`points_per_cell`
    counts per category, and per 1,000 inhabitants.
:func:`active_on`
    which initiatives run on a reference date.
:func:`polygon_share`, :func:`line_length`
    the share of each area covered by polygons / the length of lines inside it.
:func:`merge_codes`
    a table keyed by buurt or wijk code merged as columns.
:func:`distance_to_nearest`
    the population-weighted distance from a buurt's inhabitants to the nearest voorziening
    of each category, through the 100 m cells where present, else the buurt centroid
    (said in the output).

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.joins import points_per_area
>>> atlas = wijkgeo.make_demo()
>>> counts = points_per_area(atlas.local["voorzieningen"], atlas.buurten, by="categorie")
>>> int(counts["aantal"].sum()) + len(counts.attrs["outside"]) == len(atlas.local["voorzieningen"])
True
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import numpy as np
import pandas as pd

from .conventions import CODE_COLUMN, CRS
from .grid.codes import format_cell

__all__ = [
    "active_on",
    "area_of_points",
    "assign_points",
    "cell_of",
    "distance_to_nearest",
    "line_length",
    "merge_codes",
    "points_per_area",
    "points_per_cell",
    "polygon_share",
]

log = logging.getLogger(__name__)


def _code_column(areas: Any, code: str | None) -> str:
    if code is not None:
        return code
    for col in (CODE_COLUMN["buurt"], CODE_COLUMN["wijk"], CODE_COLUMN["gemeente"], "celcode"):
        if col in areas.columns:
            return col
    raise ValueError("areas has no buurtcode/wijkcode/gemeentecode/celcode column; pass code=")


def _rd(frame: Any, what: str) -> Any:
    if frame.crs is None:
        raise ValueError(f"{what} has no CRS; set it (EPSG:28992) before joining")
    return frame if frame.crs.equals(CRS) else frame.to_crs(CRS)


# ------------------------------------------------------------------------------ points
def assign_points(points: Any, areas: Any, *, code: str | None = None) -> pd.Series:
    """The code of the area each point lies in (NaN when in none), indexed like ``points``.

    A point on the shared edge of two areas goes to the first one (in ``areas`` order), so
    every point is counted exactly once.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> areas = gpd.GeoDataFrame({"buurtcode": ["A", "B"]}, crs=28992,
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 10, 50], [5, 5, 5]), crs=28992)
    >>> assign_points(pts, areas).tolist()
    ['A', 'A', nan]
    """
    col = _code_column(areas, code)
    pts = _rd(points, "points")
    ars = _rd(areas, "areas")
    pos = area_of_points(np.asarray(pts.geometry.values), np.asarray(ars.geometry.values))
    out = np.full(len(pts), None, dtype=object)
    inside = pos >= 0
    out[inside] = ars[col].to_numpy()[pos[inside]]
    return pd.Series(out, index=points.index, name=col).where(pd.notna(out), np.nan)


def area_of_points(points: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """Per point geometry the position of the area it lies in, -1 outside every area.

    The one point-in-area rule of wijkgeo (:func:`assign_points`, :func:`points_per_area`
    and the indicators that count points per buurt use it): a point on the shared edge of
    two areas goes to the first in ``areas`` order, so every point counts once; empty or
    missing geometries lie nowhere.

    Examples
    --------
    >>> import shapely
    >>> areas = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> area_of_points(shapely.points([5, 10, 50], [5, 5, 5]), areas).tolist()
    [0, 0, -1]
    """
    import shapely

    out = np.full(len(points), -1, dtype=np.int64)
    ok = np.array([g is not None for g in areas], dtype=bool)
    if len(areas):
        ok &= ~shapely.is_empty(areas)
    idx = np.flatnonzero(ok)
    if not len(points) or not len(idx):
        return out
    tree = shapely.STRtree(areas[idx])
    pi, ai = tree.query(points, predicate="intersects")
    ai = idx[ai]
    order = np.lexsort((ai, pi))  # per point, the first area in areas order
    pi, ai = pi[order], ai[order]
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.array([], dtype=bool)
    out[pi[first]] = ai[first]
    return out


def _per_1000(counts: pd.DataFrame, population: pd.Series | None) -> pd.DataFrame:
    if population is None:
        return counts
    pop = population.reindex(counts.index).astype(float)
    pop = pop.where(pop > 0)
    rates = counts.div(pop, axis=0) * 1000.0
    rates.columns = [f"{c}_per_1000" for c in counts.columns]
    return pd.concat([counts, rates], axis=1)


def _count(codes: pd.Series, points: Any, index: pd.Index, by: str | None) -> pd.DataFrame:
    inside = codes.notna()
    if by is None:
        counts = codes[inside].value_counts().reindex(index, fill_value=0).to_frame("aantal")
    else:
        cats = points.loc[inside, by].astype(str)
        table = pd.crosstab(codes[inside], cats).reindex(index, fill_value=0)
        table.columns = [str(c) for c in table.columns]
        total = table.sum(axis=1).rename("aantal")
        counts = pd.concat([total, table], axis=1)
    counts.index.name = index.name
    return counts.astype("int64")


def points_per_area(
    points: Any,
    areas: Any,
    *,
    by: str | None = None,
    code: str | None = None,
    population: str | None = "aantal_inwoners",
) -> pd.DataFrame:
    """Count points per buurt or wijk (per category), also per 1,000 inhabitants.

    Parameters
    ----------
    points : GeoDataFrame
        Points (any CRS with a definition; reprojected to EPSG:28992).
    areas : GeoDataFrame
        ``atlas.buurten`` or ``atlas.wijken`` (or any polygons with a code column).
    by : str, optional
        Category column of ``points`` (e.g. ``"categorie"``): one count column per value.
    code : str, optional
        Code column of ``areas`` (default: buurtcode, wijkcode, ... whichever exists).
    population : str or None, default "aantal_inwoners"
        Column of ``areas`` for the ``*_per_1000`` columns (NaN where it is NaN or 0);
        None for counts only.

    Returns
    -------
    DataFrame
        Indexed by the area codes (every area, zero counts included): ``aantal`` (all
        points), one column per category, and the same ``_per_1000``. ``attrs["outside"]``
        lists the index labels of points in no area, ``attrs["n_points"]`` the input count.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.make_demo()
    >>> per = points_per_area(atlas.local["voorzieningen"], atlas.wijken, by="categorie")
    >>> per.index.name, "huisarts_per_1000" in per.columns
    ('wijkcode', True)
    """
    col = _code_column(areas, code)
    codes = assign_points(points, areas, code=col)
    index = pd.Index(areas[col].astype(str), name=col)
    counts = _count(codes, points, index, by)
    pop = None
    if population is not None and population in areas.columns:
        pop = pd.Series(areas[population].to_numpy(float), index=index)
    out = _per_1000(counts, pop)
    outside = list(points.index[codes.isna().to_numpy()])
    if outside:
        log.warning("%d punt(en) liggen in geen enkel gebied (%s)", len(outside), col)
    out.attrs["outside"] = outside
    out.attrs["n_points"] = len(points)
    return out


def cell_of(points: Any, size: int = 500) -> pd.Series:
    """The CBS cell code (``E0655N5445``) of the ``size`` m cell each point lies in.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([68_250], [433_750]), crs=28992)
    >>> cell_of(pts).tolist(), cell_of(pts, 100).tolist()
    (['E0680N4335'], ['E0682N4337'])
    """
    pts = _rd(points, "points")
    x = np.floor(pts.geometry.x.to_numpy() / size) * size
    y = np.floor(pts.geometry.y.to_numpy() / size) * size
    codes = [format_cell(a, b) if np.isfinite(a) else np.nan for a, b in zip(x, y, strict=True)]
    return pd.Series(codes, index=points.index, name="celcode", dtype=object)


def points_per_cell(
    points: Any,
    cells: Any | None = None,
    *,
    size: int = 500,
    by: str | None = None,
    population: str | None = "aantal_inwoners",
) -> pd.DataFrame:
    """Count points per 500 m (or 100 m) CBS cell, computed from the coordinates.

    Parameters
    ----------
    points : GeoDataFrame
    cells : DataFrame, optional
        ``atlas.vierkanten["500m"]`` (column ``celcode``): the result is indexed by its
        cells, and points in other cells are reported in ``attrs["outside"]``. Without it
        the result holds every cell that has a point.
    size : int, default 500
    by, population
        As for :func:`points_per_area`.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.make_demo()
    >>> vz = atlas.local["voorzieningen"]
    >>> per = points_per_cell(vz, atlas.vierkanten["500m"])
    >>> int(per["aantal"].sum()) + len(per.attrs["outside"]) == len(vz)
    True
    """
    codes = cell_of(points, size)
    if cells is not None:
        index = pd.Index(cells["celcode"].astype(str), name="celcode")
        known = codes.isin(set(index))
        codes = codes.where(known, np.nan)
    else:
        index = pd.Index(sorted(codes.dropna().unique()), name="celcode")
    counts = _count(codes, points, index, by)
    pop = None
    if cells is not None and population is not None and population in cells.columns:
        pop = pd.Series(cells[population].to_numpy(float), index=index)
    out = _per_1000(counts, pop)
    out.attrs["outside"] = list(points.index[codes.isna().to_numpy()])
    out.attrs["n_points"] = len(points)
    return out


def active_on(
    frame: pd.DataFrame,
    date: dt.date | str | pd.Timestamp,
    *,
    start: str = "startdatum",
    end: str = "einddatum",
) -> pd.Series:
    """Which rows run on ``date``: started on or before it and not ended before it.

    An empty start counts as "already running", an empty end as "open-ended".

    Returns
    -------
    Series of bool
        Indexed like ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"startdatum": pd.to_datetime(["2024-01-01", "2025-01-01", None]),
    ...                   "einddatum": pd.to_datetime([None, None, "2024-06-01"])})
    >>> active_on(f, "2024-09-01").tolist()
    [True, False, False]
    """
    when = pd.Timestamp(date)
    s = pd.to_datetime(frame[start])
    e = pd.to_datetime(frame[end])
    ok = (s.isna() | (s <= when)) & (e.isna() | (e >= when))
    return ok.rename("actief")


# --------------------------------------------------------------------- lines, polygons
def _pairs(features: Any, areas: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import shapely

    fg = np.asarray(_rd(features, "features").geometry.values)
    ag = np.asarray(_rd(areas, "areas").geometry.values)
    tree = shapely.STRtree(ag)
    fi, ai = tree.query(fg, predicate="intersects")
    return fg, ag, fi, ai


def polygon_share(
    polygons: Any, areas: Any, *, by: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """The share (0-1) of each area covered by the polygons (per category).

    Overlapping polygons of one category are merged first, so a share never exceeds 1.
    Lines and points in ``polygons`` are ignored.

    Returns
    -------
    DataFrame
        Indexed by area code: ``aandeel`` (all polygons) and ``aandeel_<categorie>``;
        ``attrs["outside"]`` lists the polygons that touch no area.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> areas = gpd.GeoDataFrame({"buurtcode": ["A", "B"]}, crs=28992,
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> polys = gpd.GeoDataFrame(geometry=[shapely.box(5, 0, 15, 10)], crs=28992)
    >>> polygon_share(polys, areas)["aandeel"].tolist()
    [0.5, 0.5]
    """
    import shapely

    col = _code_column(areas, code)
    polys = polygons[polygons.geom_type.isin(["Polygon", "MultiPolygon"])]
    index = pd.Index(areas[col].astype(str), name=col)
    area = shapely.area(np.asarray(_rd(areas, "areas").geometry.values))
    groups: list[tuple[str, Any]] = [("aandeel", polys)]
    if by is not None:
        groups += [(f"aandeel_{k}", g) for k, g in polys.groupby(by, sort=True)]
    cols: dict[str, np.ndarray] = {}
    for name, group in groups:
        covered = np.zeros(len(index))
        if len(group):
            fg, ag, fi, ai = _pairs(group, areas)
            pieces = shapely.intersection(fg[fi], ag[ai])
            for a in np.unique(ai):
                covered[a] = shapely.area(shapely.union_all(pieces[ai == a]))
        with np.errstate(invalid="ignore", divide="ignore"):
            cols[name] = np.where(area > 0, covered / area, np.nan)
    out = pd.DataFrame(cols, index=index)
    _outside(out, polys, areas)
    return out


def line_length(
    lines: Any, areas: Any, *, by: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """The length in metres of the lines inside each area (per category).

    Returns
    -------
    DataFrame
        Indexed by area code: ``lengte_m`` and ``lengte_m_<categorie>``;
        ``attrs["outside"]`` lists the lines that touch no area.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> areas = gpd.GeoDataFrame({"buurtcode": ["A", "B"]}, crs=28992,
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> line = gpd.GeoDataFrame(geometry=[shapely.LineString([(2, 5), (16, 5)])], crs=28992)
    >>> line_length(line, areas)["lengte_m"].tolist()
    [8.0, 6.0]
    """
    import shapely

    col = _code_column(areas, code)
    ls = lines[lines.geom_type.isin(["LineString", "MultiLineString"])]
    index = pd.Index(areas[col].astype(str), name=col)
    groups: list[tuple[str, Any]] = [("lengte_m", ls)]
    if by is not None:
        groups += [(f"lengte_m_{k}", g) for k, g in ls.groupby(by, sort=True)]
    cols: dict[str, np.ndarray] = {}
    for name, group in groups:
        total = np.zeros(len(index))
        if len(group):
            fg, ag, fi, ai = _pairs(group, areas)
            lengths = shapely.length(shapely.intersection(fg[fi], ag[ai]))
            total = np.bincount(ai, weights=lengths, minlength=len(index))
        cols[name] = total
    out = pd.DataFrame(cols, index=index)
    _outside(out, ls, areas)
    return out


def _outside(out: pd.DataFrame, features: Any, areas: Any) -> None:
    if len(features):
        _fg, _ag, fi, _ai = _pairs(features, areas)
        hit = np.zeros(len(features), dtype=bool)
        hit[fi] = True
        outside = list(features.index[~hit])
    else:
        outside = []
    if outside:
        log.warning("%d object(en) raken geen enkel gebied", len(outside))
    out.attrs["outside"] = outside
    out.attrs["n_features"] = len(features)


# ---------------------------------------------------------------------------- tables
def merge_codes(
    areas: pd.DataFrame,
    table: pd.DataFrame,
    *,
    code: str | None = None,
    table_code: str | None = None,
) -> pd.DataFrame:
    """Merge a code-keyed local table (e.g. ``energietransitie``) as columns onto areas.

    Returns
    -------
    DataFrame
        Indexed by the area codes, one row per area (NaN where the table has no row), the
        table's columns (a column that exists in ``areas`` gets suffix ``_lokaal``).
        ``attrs["unmatched"]`` lists table codes that are not among the areas.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.make_demo()
    >>> m = merge_codes(atlas.wijken, atlas.local["energietransitie"])
    >>> m.loc["WK999902", "strategie"], m.attrs["unmatched"]
    ('warmtenet', [])
    """
    col = _code_column(areas, code)
    tcol = table_code or (col if col in table.columns else _code_column(table, None))
    index = pd.Index(areas[col].astype(str), name=col)
    if table[tcol].duplicated().any():
        dup = sorted(set(table.loc[table[tcol].duplicated(), tcol].astype(str)))
        raise ValueError(
            f"table has codes more than once: {dup}; read it with "
            "read_local_layers (which reports duplicates) first"
        )
    t = table.set_index(table[tcol].astype(str)).drop(columns=[tcol])
    t = t.drop(columns=[c for c in t.columns if c == "geometry"])
    t.columns = [f"{c}_lokaal" if c in areas.columns else c for c in t.columns]
    unmatched = sorted(set(t.index) - set(index))
    if unmatched:
        log.warning("%d code(s) uit de tabel niet gevonden: %s", len(unmatched), unmatched[:5])
    out = t.reindex(index)
    out.index.name = col
    out.attrs["unmatched"] = unmatched
    return out


# -------------------------------------------------------------------------- distance
def distance_to_nearest(
    buurten: Any,
    voorzieningen: Any,
    *,
    by: str = "categorie",
    cells: Any | None = None,
    population: str = "aantal_inwoners",
) -> pd.DataFrame:
    """Population-weighted distance (m) from a buurt's inhabitants to the nearest voorziening.

    Parameters
    ----------
    buurten : GeoDataFrame
        ``atlas.buurten`` (``buurtcode``, geometry).
    voorzieningen : GeoDataFrame
        Points with a category column ``by``. Points outside the gemeente count too (the
        nearest huisarts may be across the border).
    by : str, default "categorie"
    cells : GeoDataFrame, optional
        ``atlas.vierkanten["100m"]`` (polygons with ``population``): each buurt's
        inhabitants are placed at the centres of its cells (a cell belongs to the buurt
        holding its centre), weighted by their inhabitants. A buurt without populated cells
        uses its centroid (representative point).
    population : str, default "aantal_inwoners"

    Returns
    -------
    DataFrame
        Indexed by ``buurtcode``: one column ``afstand_<categorie>_m`` per category, and
        ``methode`` = ``"100m-cellen"`` or ``"buurtcentroide"``.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.make_demo()
    >>> d = distance_to_nearest(atlas.buurten, atlas.local["voorzieningen"])
    >>> sorted(set(d["methode"])), bool((d["afstand_huisarts_m"] >= 0).all())
    (['buurtcentroide'], True)
    """
    import shapely

    b = _rd(buurten, "buurten")
    codes = pd.Index(b["buurtcode"].astype(str), name="buurtcode")
    bgeoms = np.asarray(b.geometry.values)
    # origins: (buurt index, point, weight)
    o_b: list[np.ndarray] = []
    o_pt: list[np.ndarray] = []
    o_w: list[np.ndarray] = []
    method = np.array(["buurtcentroide"] * len(b), dtype=object)
    if cells is not None and len(cells) and population in cells.columns:
        c = _rd(cells, "cells")
        w = pd.to_numeric(c[population], errors="coerce").fillna(0).to_numpy(float)
        centres = shapely.centroid(np.asarray(c.geometry.values))
        tree = shapely.STRtree(bgeoms)
        ci, bi = tree.query(centres, predicate="within")
        keep = w[ci] > 0
        ci, bi = ci[keep], bi[keep]
        _, first = np.unique(ci, return_index=True)
        ci, bi = ci[first], bi[first]
        o_b.append(bi)
        o_pt.append(centres[ci])
        o_w.append(w[ci])
        method[np.unique(bi)] = "100m-cellen"
    fallback = np.flatnonzero(method == "buurtcentroide")
    o_b.append(fallback)
    o_pt.append(shapely.point_on_surface(bgeoms[fallback]))
    o_w.append(np.ones(len(fallback)))
    ob, opt, ow = np.concatenate(o_b), np.concatenate(o_pt), np.concatenate(o_w)
    v = _rd(voorzieningen, "voorzieningen")
    cols: dict[str, np.ndarray] = {}
    for cat, group in v.groupby(by, sort=True):
        pts = np.asarray(group.geometry.values)
        tree = shapely.STRtree(pts)
        idx = tree.nearest(opt)
        dist = shapely.distance(opt, pts[idx])
        num = np.bincount(ob, weights=dist * ow, minlength=len(b))
        den = np.bincount(ob, weights=ow, minlength=len(b))
        with np.errstate(invalid="ignore", divide="ignore"):
            cols[f"afstand_{cat}_m"] = np.where(den > 0, num / den, np.nan)
    out = pd.DataFrame(cols, index=codes)
    out["methode"] = method
    return out
