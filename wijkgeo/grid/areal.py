"""The public :func:`area_interpolate`: in-memory frames, or a dask frame per partition.

One entry for both paths, so a national, multi-year run moves to a cluster without new
code: :mod:`~wijkgeo.grid.interpolate` holds the kernel-backed in-memory path and
:mod:`~wijkgeo.grid._dask` runs that path per partition. This module only dispatches, which
keeps the import graph one-way (interpolate <- _dask <- areal).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .interpolate import Weights, _check_names, _is_dask, interpolate_frames

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["area_interpolate"]


def area_interpolate(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    extensive: Iterable[str] = (),
    intensive: Iterable[str] = (),
    weights: Any = None,
    *,
    table: Weights | None = None,
) -> gpd.GeoDataFrame:
    """Interpolate variables from source areas (or points, lines) to target areas.

    Parameters
    ----------
    source : GeoDataFrame or dask_geopandas.GeoDataFrame
        Buurten, cells, points or lines with the variables, EPSG:28992. A dask frame
        (e.g. partitioned by gemeente) is processed per partition with the same kernel and
        gives the same result.
    target : GeoDataFrame or dask_geopandas.GeoDataFrame
        Polygons to interpolate to: CBS cells (:func:`~wijkgeo.grid.cells`), buurten, plan
        areas. (A dask target needs an in-memory source.)
    extensive : list of str
        Count columns (inhabitants, dwellings): split by area share, totals kept.
    intensive : list of str
        Rate or average columns: area-weighted (or ``weights``-weighted) mean.
    weights : (GeoDataFrame, str), optional
        Dasymetric weights on a finer CBS grid, e.g.
        ``(atlas.vierkanten["100m"], "aantal_woningen")``.
    table : Weights, optional
        A table from :func:`interpolation_weights` for the same source and target rows
        (same index, same order), e.g. the buurten of another year with the same
        boundaries; skips all geometry work.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed like ``target``, with its geometry, its id columns (``celcode``,
        ``buurtcode``, ...), a measure column (``oppervlakte_m2`` and
        ``aandeel_oppervlakte``; ``lengte_m``; ``aantal_punten``) and the variables.
        ``attrs["wijkgeo_missing"]`` reports the missing area per variable.

    Raises
    ------
    DataValidationError
        For an input without CRS or in degrees, unknown or non-numeric columns, or mixed
        geometry types.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from wijkgeo.grid import area_interpolate, cells
    >>> b = gpd.GeoDataFrame({"inw": [100.0, None], "pct": [10.0, 30.0]},
    ...     geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 750, 500)], crs=28992)
    >>> out = area_interpolate(b, cells(b, 500), extensive=["inw"], intensive=["pct"])
    >>> out[["celcode", "inw", "pct"]].values.tolist()
    [['E0000N0000', 100.0, 10.0], ['E0005N0000', nan, 30.0]]
    """
    extensive, intensive = list(extensive), list(intensive)
    _check_names(extensive, intensive)
    if _is_dask(source) or _is_dask(target):
        from ._dask import dask_interpolate

        return dask_interpolate(source, target, extensive, intensive, weights)
    return interpolate_frames(source, target, extensive, intensive, weights, table=table)
