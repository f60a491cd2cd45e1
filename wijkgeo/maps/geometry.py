"""Generic geometry for wijkgeo maps: coverage simplification, RD -> WGS84, wijk borders.

Everything is computed in EPSG:28992 (metres). Buurten are simplified as a *coverage*
(shapely ``coverage_simplify``), so neighbouring buurten keep identical shared edges; the wijk
borders are the buurt edges between two wijken or on the outside, each drawn once as a line
(so they lie exactly on buurt edges); only then is everything reprojected to WGS84 with
coordinates rounded to 6 decimals (about 0.1 m). Nothing here knows about indicators or HTML.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import DataValidationError
from ..conventions import CRS, CRS_WGS84

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

log = logging.getLogger(__name__)

__all__ = [
    "CRS",
    "DECIMALS",
    "WGS84",
    "auto_tolerance",
    "check_buurten",
    "coverage_for_topology",
    "feature_collection",
    "in_rd",
    "rd_to_wgs84",
    "simplify_coverage",
    "to_wgs84_rounded",
    "wijk_borders",
    "wijk_outlines",
]

WGS84 = CRS_WGS84
#: Decimals of the WGS84 coordinates written to GeoJSON (about 0.1 m).
DECIMALS = 6


def in_rd(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise DataValidationError(
            f"de laag {what} heeft geen CRS; wijkgeo verwacht {CRS} (Amersfoort / RD New). "
            "Zet het met .set_crs('EPSG:28992') als de coördinaten in meters RD zijn."
        )
    if gdf.crs != CRS:
        log.info("%s omgezet van %s naar %s", what, gdf.crs, CRS)
        gdf = gdf.to_crs(CRS)
    return gdf


def check_buurten(buurten: gpd.GeoDataFrame) -> None:
    for col in ("buurtcode", "geometry"):
        if col not in buurten.columns:
            raise DataValidationError(
                f"kolom {col!r} ontbreekt in de buurten (kolommen: {list(buurten.columns)[:12]}...)"
            )
    if len(buurten) == 0:
        raise DataValidationError(
            "geen buurten om te tekenen; controleer de gemeentecode en het jaar van de Atlas"
        )
    codes = buurten["buurtcode"].astype(str)
    dupes = sorted(set(codes[codes.duplicated()]))
    if dupes:
        raise DataValidationError(
            f"buurtcodes komen meer dan eens voor: {dupes[:10]}; een kaart heeft één vlak per buurt"
        )
    empty = buurten.geometry.isna() | buurten.geometry.is_empty
    if empty.any():
        raise DataValidationError(
            f"buurten zonder geometrie: {sorted(codes[empty])[:10]}; controleer de grenzenbron"
        )


def simplify_coverage(geoms: np.ndarray, tolerance: float | None) -> tuple[np.ndarray, bool]:
    """Coverage-simplify polygons (tolerance in metres).

    Returns the geometries to draw and whether they form a valid coverage (no overlaps,
    identical shared edges). Boundaries that are not a clean coverage (generalised sources
    often are not) are first cleaned with ``coverage_clean`` (shapely >= 2.2) so that
    simplification cannot open gaps; when that fails, the originals are drawn as they are.
    """
    import shapely

    if not tolerance or tolerance <= 0:
        return geoms, False
    if not hasattr(shapely, "coverage_simplify"):  # shapely < 2.1
        log.info("shapely %s heeft geen coverage_simplify; niet vereenvoudigd", shapely.__version__)
        return geoms, False
    try:
        work = geoms
        if not shapely.coverage_is_valid(work):
            if not hasattr(shapely, "coverage_clean"):
                log.info("grenzen vormen geen sluitende bedekking; niet vereenvoudigd")
                return geoms, False
            work = shapely.coverage_clean(work)
            if not (len(work) == len(geoms) and shapely.coverage_is_valid(work)):
                log.info("grenzen vormen geen sluitende bedekking; niet vereenvoudigd")
                return geoms, False
            log.info("grenzen eerst gladgestreken tot een sluitende bedekking (coverage_clean)")
        out = shapely.coverage_simplify(work, tolerance)
    except shapely.errors.GEOSException as exc:
        log.warning("vereenvoudigen mislukt (%s); originele grenzen gebruikt", exc)
        return geoms, False
    bad = shapely.is_empty(out) | ~shapely.is_valid(out)
    if bad.any():
        log.warning(
            "vereenvoudigen gaf %d ongeldige of lege vlakken; originele grenzen gebruikt",
            int(bad.sum()),
        )
        return geoms, False
    before = int(shapely.get_num_coordinates(geoms).sum())
    after = int(shapely.get_num_coordinates(out).sum())
    if work is not geoms and after >= before:
        # cleaning nodes every shared edge; on already generalised input that adds more
        # vertices than simplifying removes: then the originals are smaller to draw
        log.info(
            "vereenvoudigen levert niets op (%d -> %d punten); originelen gebruikt", before, after
        )
        return geoms, False
    log.debug("vereenvoudigd: %d -> %d punten", before, after)
    return out, True


@functools.lru_cache(maxsize=1)
def rd_to_wgs84() -> Any:
    """The RD -> WGS84 transformer; building one costs ~25 ms (half a Demodam map), so once."""
    from pyproj import Transformer

    return Transformer.from_crs(CRS, WGS84, always_xy=True)


def to_wgs84_rounded(geoms: np.ndarray) -> np.ndarray:
    import shapely

    to_wgs = rd_to_wgs84()

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = to_wgs.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), DECIMALS)

    return shapely.transform(geoms, project)


def feature_collection(geoms: np.ndarray, properties: list[dict]) -> dict:
    from shapely.geometry import mapping

    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(geom)}
            for geom, props in zip(geoms, properties, strict=True)
        ],
    }


def wijk_borders(polygons: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Wijk borders of a clean buurt coverage as lines, every shared edge drawn once.

    A buurt edge is a wijk border when only one buurt has it (the gemeente's outside) or when
    the two buurten that share it lie in different wijken. Drawing wijk *polygons* instead
    repeats every border between two wijken: on a national map that is 48 % of the outline
    vertices (measured with ``benchmarks/maps.py``). Needs identical shared edges, which
    ``coverage_simplify`` guarantees. Of the two copies of a shared edge the first in sort
    order is kept; kept edges that follow each other along a buurt ring form one line.
    """
    import shapely

    parts, part_of = shapely.get_parts(polygons, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    wijk_of_ring = np.unique(codes, return_inverse=True)[1].ravel()[part_of[ring_of]]
    # segment j runs from vertex start[j] to start[j] + 1 (both in the same ring)
    start = np.flatnonzero(vertex_ring[1:] == vertex_ring[:-1])
    a, b = coords[start], coords[start + 1]
    wijk = wijk_of_ring[vertex_ring[start]]
    # the same edge, whatever the ring's direction: smaller end point first
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    p, q = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    order = np.lexsort((q[:, 1], q[:, 0], p[:, 1], p[:, 0]))
    ps, qs, ws = p[order], q[order], wijk[order]
    first = np.flatnonzero(
        np.r_[True, (ps[1:] != ps[:-1]).any(axis=1) | (qs[1:] != qs[:-1]).any(axis=1)]
    )
    alone = np.diff(np.r_[first, len(ps)]) == 1
    border = alone | (ws[first] != ws[np.minimum(first + 1, len(ps) - 1)])
    kept = np.sort(order[first[border]])
    # consecutive kept segments of one ring form a line: its start vertices + the last end
    follows = np.r_[False, start[kept[1:]] == start[kept[:-1]] + 1]
    line = np.cumsum(~follows) - 1
    last = np.r_[~follows[1:], True]
    vertex = np.r_[start[kept], start[kept[last]] + 1]
    line = np.r_[line, line[last]]
    sort = np.lexsort((vertex, line))
    lines = shapely.linestrings(coords[vertex[sort]], indices=line[sort])
    return np.asarray([shapely.multilinestrings(lines)], dtype=object)


def wijk_outlines(
    buurten: gpd.GeoDataFrame,
    simplified: np.ndarray,
    wijken: gpd.GeoDataFrame | None,
    is_coverage: bool,
) -> np.ndarray:
    """Wijk outlines on the exact edges of the simplified buurten.

    On a clean coverage: the borders as lines (:func:`wijk_borders`); otherwise the union of
    the buurten per wijk; without ``wijkcode``: the given wijken.
    """
    import shapely

    if "wijkcode" in buurten.columns:
        codes = buurten["wijkcode"].astype(str).to_numpy()
        if is_coverage:
            return wijk_borders(simplified, codes)
        return np.asarray(
            [shapely.union_all(simplified[codes == code]) for code in dict.fromkeys(codes)],
            dtype=object,
        )
    if wijken is not None and len(wijken):
        return in_rd(wijken, "wijken").geometry.to_numpy()
    return np.asarray([], dtype=object)


def auto_tolerance(geoms: np.ndarray) -> float:
    """A coverage-simplification tolerance (metres) that suits the zoom range of the extent.

    A map opens at the zoom that fits its extent; 1 pixel there is about extent / 1000 m, and
    users zoom in about 4 levels (16-20x) from it to read one buurt. The tolerance is a pixel
    at that depth: extent / 20000 in steps of 2.5 m, at least 2 m (a gemeente) and at most
    25 m (all of Nederland, 320 km: 15 m). Closer in, the edges look simplified but buurten
    still share their edges exactly (coverage simplification).

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> from wijkgeo.maps.geometry import auto_tolerance
    >>> auto_tolerance(np.array([box(0, 0, 10_000, 10_000)]))
    2.0
    >>> auto_tolerance(np.array([box(0, 300_000, 280_000, 620_000)]))
    15.0
    """
    import shapely

    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    extent = max(maxx - minx, maxy - miny)
    if not math.isfinite(extent):
        return 2.0
    return float(min(25.0, max(2.0, round(extent / 20000 / 2.5) * 2.5)))


def coverage_for_topology(geoms: np.ndarray, tolerance: float | None) -> tuple[np.ndarray, bool]:
    """Make ``geoms`` a clean coverage (``coverage_clean``) and coverage-simplify it.

    Unlike :func:`simplify_coverage` the cleaned coverage is kept even when it has more
    vertices than the input: in a topology every shared edge is stored once, which only
    works when neighbours share identical edges. Returns the geometries and whether they form
    a valid coverage; when cleaning fails the (simplified where possible) input is returned.
    """
    import shapely

    if not hasattr(shapely, "coverage_simplify"):  # shapely < 2.1
        return geoms, False
    work = geoms
    try:
        if not shapely.coverage_is_valid(work) and hasattr(shapely, "coverage_clean"):
            cleaned = shapely.coverage_clean(work)
            ok = (
                len(cleaned) == len(work)
                and not shapely.is_empty(cleaned).any()
                and shapely.coverage_is_valid(cleaned)
            )
            if ok:
                log.info("grenzen gladgestreken tot een sluitende bedekking (coverage_clean)")
                work = cleaned
        valid = bool(shapely.coverage_is_valid(work))
        if tolerance and tolerance > 0 and valid:
            out = shapely.coverage_simplify(work, tolerance)
            bad = shapely.is_empty(out) | ~shapely.is_valid(out)
            if not bad.any():
                return out, True
            log.warning("vereenvoudigen gaf %d ongeldige vlakken; niet vereenvoudigd", bad.sum())
        return work, valid
    except shapely.errors.GEOSException as exc:
        log.warning("bedekking maken mislukt (%s); grenzen zoals ze zijn", exc)
        return geoms, False
