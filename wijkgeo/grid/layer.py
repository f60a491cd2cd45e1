"""The grid layer of an Atlas: the gemeente's CBS cells with interpolated buurt variables.

Naming, so nobody mistakes one for the other: a buurt variable interpolated to the cells
gets the suffix ``_uit_buurten`` (``aantal_inwoners_uit_buurten``); CBS's own statistics of
the same cell (the vierkantstatistieken) get the prefix ``cbs_`` (``cbs_aantal_inwoners``).
Which buurt columns are counts and which are rates is data: ``grid/variables.json``.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.grid import atlas_grid
>>> g = atlas_grid(wijkgeo.make_demo(), variables=["aantal_inwoners"])
>>> g[["aantal_inwoners_uit_buurten", "cbs_aantal_inwoners"]].sum().round(-2).tolist()
[52300.0, 52100.0]
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._errors import DataValidationError
from .areal import area_interpolate
from .codes import cells

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..atlas import Atlas

__all__ = ["atlas_grid", "cell_variables", "classify"]

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("variables.json")).read_text(encoding="utf-8"))


def cell_variables() -> list[dict[str, Any]]:
    """What a cell shows (the map's grid layer, the fact model's cell level): the
    ``cell_variables`` of ``grid/variables.json``, each with ``key``, ``label``, ``bron``
    (``cbs`` or ``schatting``), ``unit``, ``decimals`` and either a registry ``indicator``
    (on CBS's own cell figures) or a ``column`` of :func:`atlas_grid` (``teller``/``noemer``
    for a share of two columns).

    Examples
    --------
    >>> [v["key"] for v in cell_variables()][:2]
    ['inwoners_cbs', 'inwoners_buurt']
    """
    return [dict(v) for v in _spec()["cell_variables"]]


def classify(column: str) -> str:
    """``"extensive"`` (a count) or ``"intensive"`` (a rate or average) for a buurt column.

    Raises
    ------
    DataValidationError
        When the name says neither; pass it to :func:`~wijkgeo.grid.area_interpolate`
        yourself with the right keyword.

    Examples
    --------
    >>> classify("aantal_inwoners"), classify("percentage_koopwoningen")
    ('extensive', 'intensive')
    """
    spec = _spec()
    if column in spec["extensive"] or column.startswith(tuple(spec["extensive_prefixes"])):
        return "extensive"
    if column.startswith(tuple(spec["intensive_prefixes"])):
        return "intensive"
    raise DataValidationError(
        f"Onbekend of {column!r} een aantal of een gemiddelde/percentage is; gebruik "
        "wijkgeo.grid.area_interpolate(..., extensive=[...] of intensive=[...])."
    )


def atlas_grid(
    atlas: Atlas,
    size: int = 500,
    variables: list[str] | None = None,
    weights: Any = None,
) -> gpd.GeoDataFrame:
    """The gemeente's CBS cells with interpolated buurt variables beside CBS's own cell stats.

    Parameters
    ----------
    atlas : Atlas
        One gemeente and year.
    size : {500, 100}
        Cell size.
    variables : list of str, optional
        Buurt columns to interpolate; default the list in ``grid/variables.json`` (those
        present). Counts and rates are told apart by :func:`classify`.
    weights : str or (GeoDataFrame, str), optional
        Dasymetric weights: a column of the atlas's 100 m vierkanten (e.g.
        ``"aantal_woningen"``) or an explicit ``(cells, column)``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``celcode``, ``oppervlakte_m2``/``aandeel_oppervlakte`` (the part of the cell in the
        gemeente's buurten), ``<variable>_uit_buurten`` and ``cbs_<column>`` for every
        column of ``atlas.vierkanten[f"{size}m"]``, EPSG:28992.

    Examples
    --------
    >>> import wijkgeo
    >>> g = atlas_grid(wijkgeo.make_demo(), size=500)
    >>> g["celcode"].is_unique, "woningvoorraad_uit_buurten" in g
    (True, True)
    """
    spec = _spec()
    buurten = atlas.buurten
    if variables is None:
        variables = [c for c in spec["default"] if c in buurten.columns]
    missing = [c for c in variables if c not in buurten.columns]
    if missing:
        raise DataValidationError(
            f"Buurtkolom(men) {', '.join(missing)} ontbreken in {atlas.code} {atlas.year}."
        )
    kinds = {c: classify(c) for c in variables}
    if isinstance(weights, str):
        fine = atlas.vierkanten.get("100m")
        if fine is None or weights not in fine.columns:
            raise DataValidationError(
                f"weights={weights!r}: de atlas heeft geen 100 m-vierkanten met die kolom; "
                "haal ze op met wijkgeo refresh, zonder netwerk met wijkgeo import "
                "cbs_vk100_<jaar>_v<n>.gpkg, of geef (vierkanten, 'kolom')."
            )
        weights = (fine, weights)
    grid = cells(atlas.gemeente, size)
    out = area_interpolate(
        buurten,
        grid,
        extensive=[c for c in variables if kinds[c] == "extensive"],
        intensive=[c for c in variables if kinds[c] == "intensive"],
        weights=weights,
    )
    suffix = spec["suffix"]
    interp = out[variables].rename(columns={c: f"{c}{suffix}" for c in variables})
    parts = [out[["celcode", "oppervlakte_m2", "aandeel_oppervlakte"]], interp]
    own = atlas.vierkanten.get(f"{size}m")
    if own is not None and len(own):
        stats = pd.DataFrame(own.drop(columns=own.geometry.name)).set_index("celcode")
        stats = stats.add_prefix(spec["cbs_prefix"])
        parts.append(stats.reindex(out["celcode"]).set_index(out.index))
    frame = pd.concat(parts, axis=1)
    import geopandas as gpd

    result = gpd.GeoDataFrame(frame, geometry=out.geometry.values, crs=out.crs)
    result.attrs = {**out.attrs, "naming": {"interpolated": suffix, "cbs": spec["cbs_prefix"]}}
    return result
