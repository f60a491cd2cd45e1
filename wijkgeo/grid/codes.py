"""CBS grid cells: codes, squares and the cells covering an area (the low grid layer).

Cell codes name the **lower-left corner** in hectometres in EPSG:28992: ``E0680N4335`` is
x 68,000-68,100 (100 m) or 68,000-68,500 (500 m), y 433,500 up. The id column of the
vierkantstatistieken is ``crs28992res100m`` / ``crs28992res500m``, truncated to
``c28992r100`` / ``c28992r500`` in shapefiles; the full upper-case form
(``CRS28992RES500M...``) is accepted too.

This module does no I/O and imports nothing above :mod:`wijkgeo.atlas`, so the network
loader :mod:`wijkgeo.sources.vierkant` and the interpolation in :mod:`wijkgeo.grid` both
build on it.

Examples
--------
>>> parse_cell("E0680N4335")
(68000, 433500)
>>> format_cell(68050.0, 433599.9)
'E0680N4335'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import DataValidationError
from ..conventions import CRS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "SIZES",
    "cell_polygons",
    "cells",
    "check_metric_crs",
    "format_cell",
    "format_cells",
    "id_column",
    "parse_cell",
    "parse_cells",
]

#: Cell sizes (metres) CBS publishes vierkantstatistieken for.
SIZES = (100, 500)

_CODE = re.compile(r"E(\d{4,5})N(\d{4,5})$", re.IGNORECASE)


def parse_cell(code: str) -> tuple[int, int]:
    """Lower-left corner ``(x, y)`` in metres (EPSG:28992) of a cell code.

    Raises
    ------
    DataValidationError
        When the code is not of the form ``E0680N4335``.

    Examples
    --------
    >>> parse_cell("CRS28992RES500mE0680N4335")
    (68000, 433500)
    """
    m = _CODE.search(str(code).strip())
    if not m:
        raise DataValidationError(
            f"Ongeldige vierkantcode {code!r}: verwacht E + 4 cijfers + N + 4 cijfers "
            "(hectometers, linkeronderhoek in RD), bijvoorbeeld E0680N4335."
        )
    return int(m.group(1)) * 100, int(m.group(2)) * 100


def parse_cells(codes: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`parse_cell`: arrays of lower-left x and y in metres.

    Examples
    --------
    >>> x, y = parse_cells(["E0680N4335", "E1514N4796"])
    >>> x.tolist(), y.tolist()
    ([68000, 151400], [433500, 479600])
    """
    series = pd.Series(list(codes), dtype="object").astype(str).str.strip()
    parts = series.str.extract(_CODE.pattern, flags=re.IGNORECASE)
    bad = parts[0].isna()
    if bad.any():
        raise DataValidationError(
            f"{int(bad.sum())} ongeldige vierkantcode(s), bijvoorbeeld "
            f"{series[bad].iloc[0]!r}: verwacht de vorm E0680N4335."
        )
    return parts[0].astype(int).to_numpy() * 100, parts[1].astype(int).to_numpy() * 100


def format_cell(x: float, y: float) -> str:
    """The code of the 100 m cell containing point ``(x, y)`` (metres, EPSG:28992).

    For a 500 m cell pass its lower-left corner (a multiple of 500).

    Examples
    --------
    >>> format_cell(68000, 433500)
    'E0680N4335'
    """
    return f"E{int(np.floor(x / 100)):04d}N{int(np.floor(y / 100)):04d}"


def format_cells(x: Any, y: Any) -> np.ndarray:
    """Vectorised :func:`format_cell`: codes of the 100 m cells containing the points.

    Examples
    --------
    >>> format_cells([68000, 151400.5], [433500, 479699]).tolist()
    ['E0680N4335', 'E1514N4796']
    """
    hx = np.floor(np.asarray(x, dtype=float) / 100).astype(np.int64)
    hy = np.floor(np.asarray(y, dtype=float) / 100).astype(np.int64)
    if not len(hx):
        return np.zeros(0, dtype=object)
    if hx.min() < 0 or hy.min() < 0 or hx.max() > 9999 or hy.max() > 9999:
        return np.array([format_cell(a * 100, b * 100) for a, b in zip(hx, hy, strict=True)],
                        dtype=object)
    # fixed-width bytes 'E####N####' built digit by digit: no per-cell Python string work
    out = np.empty((len(hx), 10), dtype=np.uint8)
    out[:, 0], out[:, 5] = ord("E"), ord("N")
    for col, v in ((1, hx), (6, hy)):
        for d in range(4):
            out[:, col + 3 - d] = ord("0") + (v // 10**d) % 10
    return out.view("S10").ravel().astype(str).astype(object)


def _check_size(size: int) -> int:
    if size not in SIZES:
        raise DataValidationError(
            f"Onbekende celgrootte {size!r}: CBS publiceert vierkanten van 100 en 500 m."
        )
    return int(size)


def cell_polygons(codes: Iterable[str], res: int) -> gpd.GeoSeries:
    """Square cell polygons (EPSG:28992) for cell codes at ``res`` metres (vectorised).

    Examples
    --------
    >>> cell_polygons(["E0680N4335"], 500).iloc[0].bounds
    (68000.0, 433500.0, 68500.0, 434000.0)
    """
    import geopandas as gpd
    import shapely

    x, y = parse_cells(codes)
    if res not in (100, 500) and res % 100:
        raise DataValidationError(f"Onbekende vierkantresolutie {res!r}; gebruik 100 of 500.")
    if res == 500 and len(x) and ((x % 500).any() or (y % 500).any()):
        raise DataValidationError(
            "Vierkantcodes passen niet op een 500 m-raster (hectometers niet deelbaar door 5); "
            "zijn dit 100 m-vierkanten?"
        )
    return gpd.GeoSeries(shapely.box(x, y, x + res, y + res), crs=CRS)


def id_column(columns: Iterable[str], res: int | None = None) -> tuple[str, int]:
    """Find the cell id column (``crs28992res500m``, ``c28992r100``, ...) and its resolution.

    Examples
    --------
    >>> id_column(["c28992r100", "aantal_inwoners"])
    ('c28992r100', 100)
    """
    columns = list(columns)
    pattern = re.compile(r"^c(?:rs)?28992r(?:es)?(\d+)m?$", re.IGNORECASE)
    for col in columns:
        m = pattern.match(str(col))
        if m and (res is None or int(m.group(1)) == res):
            return str(col), int(m.group(1))
    raise DataValidationError(
        "Geen vierkant-id-kolom gevonden (verwacht crs28992res100m, crs28992res500m of de "
        f"shapefile-variant c28992r100/c28992r500); kolommen: {', '.join(map(str, columns))}."
    )


def check_metric_crs(frame: Any, what: str = "invoer") -> None:
    """Refuse a frame or GeoSeries without a CRS or in degrees.

    Areas and lengths are only meaningful in metres; wijkgeo computes in EPSG:28992 and
    never guesses a CRS.

    Raises
    ------
    DataValidationError
        When ``frame.crs`` is missing or geographic (degrees), or not EPSG:28992.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> check_metric_crs(gpd.GeoSeries([shapely.Point(0, 0)], crs=28992))
    >>> check_metric_crs(gpd.GeoSeries([shapely.Point(5, 52)], crs=4326), "buurten")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wijkgeo._errors.DataValidationError: buurten staat in graden (EPSG:4326): ...
    """
    crs = getattr(frame, "crs", None)
    if crs is None:
        raise DataValidationError(
            f"{what} heeft geen coördinatenstelsel (CRS); zet het met "
            f".set_crs({CRS!r}) als de coördinaten in RD (meters) staan, of met "
            ".set_crs('EPSG:4326').to_crs('EPSG:28992') als het lengte- en breedtegraden zijn."
        )
    try:
        from pyproj import CRS as _CRS

        parsed = _CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises its own CRSError family
        raise DataValidationError(f"{what}: onbekend coördinatenstelsel {crs!r} ({exc}).") from exc
    if parsed.is_geographic:
        raise DataValidationError(
            f"{what} staat in graden ({parsed.to_string()}): oppervlakten en lengtes zijn dan "
            f"zinloos. Zet het eerst om met .to_crs({CRS!r})."
        )
    if parsed.to_epsg() != 28992:
        raise DataValidationError(
            f"{what} staat in {parsed.to_string()}, niet in {CRS} (RD New): de CBS-vierkanten "
            f"liggen op het RD-raster. Zet het eerst om met .to_crs({CRS!r})."
        )


def _bounds_of(area: Any) -> tuple[float, float, float, float]:
    import shapely

    if isinstance(area, tuple | list) and len(area) == 4 and not hasattr(area[0], "geom_type"):
        minx, miny, maxx, maxy = (float(v) for v in area)
        if not (minx < maxx and miny < maxy):
            raise DataValidationError(
                f"Ongeldige begrenzing {tuple(area)}: verwacht (minx, miny, maxx, maxy) in RD."
            )
        return minx, miny, maxx, maxy
    if hasattr(area, "total_bounds"):
        check_metric_crs(area, "het gebied")
        return tuple(float(v) for v in area.total_bounds)  # type: ignore[return-value]
    if isinstance(area, shapely.Geometry):
        return tuple(float(v) for v in area.bounds)  # type: ignore[return-value]
    raise DataValidationError(
        f"Onbekend gebied {type(area).__name__}: geef een GeoDataFrame, geometrie of "
        "(minx, miny, maxx, maxy) in EPSG:28992."
    )


def cells(area: Any, size: int = 500, *, touching: bool = True) -> gpd.GeoDataFrame:
    """The CBS-aligned cells of ``size`` metres that cover an area.

    Parameters
    ----------
    area : GeoDataFrame, GeoSeries, shapely geometry or (minx, miny, maxx, maxy)
        In EPSG:28992; a dask-geopandas frame is done per partition. A geometry (or
        frame) gives the cells that intersect it with a positive area (``touching=True``)
        or all cells of its bounding box (``False``); a bbox gives every cell of the box.
    size : {500, 100}
        Cell size in metres; cells start on multiples of ``size`` like CBS's vierkanten.
    touching : bool, default True
        Keep only the cells whose interior meets the area (not for a bbox).

    Returns
    -------
    geopandas.GeoDataFrame
        ``celcode`` (``E0975N4520``, the lower-left corner in hectometres as CBS writes it)
        and the square ``geometry``, EPSG:28992, ordered by row then column. Joins to CBS
        vierkantstatistieken by ``celcode``.

    Raises
    ------
    DataValidationError
        For an unknown size, an area without CRS or in degrees.

    Examples
    --------
    >>> g = cells((97600, 452000, 98400, 452400), size=500)
    >>> g["celcode"].tolist()
    ['E0975N4520', 'E0980N4520']
    >>> g.geometry.iloc[0].bounds
    (97500.0, 452000.0, 98000.0, 452500.0)
    """
    import geopandas as gpd
    import shapely

    size = _check_size(size)
    is_bbox = isinstance(area, tuple | list) and len(area) == 4
    if hasattr(area, "to_delayed") and touching:
        return _cells_of_partitions(area, size)
    minx, miny, maxx, maxy = _bounds_of(area)
    if touching and not is_bbox:
        geoms = np.asarray(
            area.geometry.values if hasattr(area, "geometry") else [area], dtype=object
        )
        ix, iy = _cells_touching(geoms, size, (minx, miny, maxx, maxy))
    else:
        x0, y0 = int(np.floor(minx / size)), int(np.floor(miny / size))
        nx = max(int(np.ceil(maxx / size)) - x0, 1)
        ny = max(int(np.ceil(maxy / size)) - y0, 1)
        iy, ix = np.divmod(np.arange(nx * ny, dtype=np.int64), nx)
        ix, iy = ix + x0, iy + y0
    x, y = ix * float(size), iy * float(size)
    boxes = shapely.box(x, y, x + size, y + size)
    return gpd.GeoDataFrame({"celcode": format_cells(x, y)}, geometry=boxes, crs=CRS)


def _partition_keys(part: Any, size: int) -> np.ndarray:
    geoms = np.asarray(part.geometry.values, dtype=object)
    if not len(geoms):
        return np.zeros(0, np.int64)
    ix, iy = _cells_touching(geoms, size, tuple(part.total_bounds))
    return iy * (1 << 32) + ix


def _cells_of_partitions(area: Any, size: int) -> gpd.GeoDataFrame:
    """:func:`cells` of a dask-geopandas frame: the union of its partitions' cells."""
    import dask
    import geopandas as gpd
    import shapely

    check_metric_crs(area, "het gebied")
    keys = dask.compute(*[dask.delayed(_partition_keys)(p, size) for p in area.to_delayed()])
    key = np.unique(np.concatenate([np.zeros(0, np.int64), *keys]))  # row-major order
    ix, iy = key % (1 << 32), key // (1 << 32)
    x, y = ix * float(size), iy * float(size)
    boxes = shapely.box(x, y, x + size, y + size)
    return gpd.GeoDataFrame({"celcode": format_cells(x, y)}, geometry=boxes, crs=CRS)


def _cells_touching(geoms: np.ndarray, size: int, bounds) -> tuple[np.ndarray, np.ndarray]:
    """Cells (ix, iy, row-major) whose interior meets the geometries.

    Polygons go through the exact kernel (a cell with a positive area of them); lines and
    points through a plain intersects test of the cells in the bounding box.
    """
    import shapely

    from . import _kernel

    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if not len(geoms):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    types = shapely.get_type_id(geoms)
    if np.isin(types, (3, 6)).all():
        _, ix, iy, a = _kernel.grid_areas(shapely.make_valid(geoms), size)
        keep = a > 1e-9 * size * size
        ix, iy = ix[keep], iy[keep]
    else:
        minx, miny, maxx, maxy = bounds
        x0, y0 = int(np.floor(minx / size)), int(np.floor(miny / size))
        nx = max(int(np.ceil(maxx / size)) - x0, 1)
        ny = max(int(np.ceil(maxy / size)) - y0, 1)
        iy, ix = np.divmod(np.arange(nx * ny, dtype=np.int64), nx)
        ix, iy = ix + x0, iy + y0
        boxes = shapely.box(ix * size, iy * size, (ix + 1) * size, (iy + 1) * size)
        tree = shapely.STRtree(boxes)
        hit = np.unique(tree.query(geoms, predicate="intersects")[1])
        ix, iy = ix[hit], iy[hit]
    # unique cells in row-major order through a mask over the bounding box (no sort)
    x0, y0 = int(ix.min()), int(iy.min())
    nx = int(ix.max()) - x0 + 1
    mask = np.zeros((int(iy.max()) - y0 + 1) * nx, dtype=bool)
    mask[(iy - y0) * nx + (ix - x0)] = True
    iy2, ix2 = np.divmod(np.flatnonzero(mask), nx)
    return ix2 + x0, iy2 + y0
