"""The map layer types beside the buurt choropleth: one module here per type, one script per
type in ``wijkgeo/maps/static/layers/`` (registered in ``wijkgeo.layerTypes``).

=========  ====================  =========================================================
type       Python / JavaScript   draws
=========  ====================  =========================================================
points     ``points.py/.js``     points by category (letter or dot), optionally clustered
etw        ``etw.py/.js``        a table per wijk as dashed wijk outlines (energietransitie)
shapes     ``shapes.py/.js``     lines and areas by category with a from-to year filter
grid       ``grid.py/.js``       the 500 m cells: CBS's own figures and buurt estimates
verhalen   ``stories.py``        stories by source role, placed by point or code (drawn by
                                 ``points.js``; popups with text, date, indicator)
kansen     ``kansen.py/.js``     the koppelkansen units with rules, reasons, "wat er al is"
=========  ====================  =========================================================

Which local layer is drawn by which type, with which look, is data: ``kaart`` and ``stijl``
of its kind in ``wijkgeo/kinds.json`` (:func:`local_layers` reads it). A new kind drawn by an
existing type is a data change; a new type is a module here plus a script beside the others
(see ``docs/maps.md``, "Een kaartlaag toevoegen").

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.maps.layers import local_layers
>>> atlas = wijkgeo.make_demo()
>>> [layer.id for layer in local_layers(atlas, koppelkansen=False, grid=False)]
['voorzieningen', 'initiatieven', 'projecten', 'verhalen']
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._shared import QUANTUM, encode_points, encode_shape, layer_style
from .etw import energietransitie_layer
from .grid import grid_layer
from .kansen import koppelkansen_layer
from .points import point_layer
from .shapes import projecten_layer

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..maplayer import MapLayer

__all__ = [
    "QUANTUM",
    "SCRIPTS",
    "encode_points",
    "encode_shape",
    "energietransitie_layer",
    "grid_layer",
    "koppelkansen_layer",
    "layer_style",
    "local_layers",
    "point_layer",
    "projecten_layer",
]

log = logging.getLogger(__name__)

#: The scripts of the layer types, in ``wijkgeo/maps/static/layers/`` (one per type).
SCRIPTS = ("points", "etw", "shapes", "grid", "kansen")


def _points(name: str, frame: Any, ctx: dict[str, Any], spec: dict[str, Any]) -> MapLayer:
    return point_layer(
        spec["id"], frame, ctx["buurten"], name, cluster=bool(spec.get("cluster")),
        visible=bool(spec.get("zichtbaar", True)), present=ctx["present"],
    )


def _etw(name: str, frame: Any, ctx: dict[str, Any], spec: dict[str, Any]) -> MapLayer | None:
    return energietransitie_layer(
        frame, ctx["buurten"], ctx["wijken"], ctx["topo"], visible=bool(spec.get("zichtbaar"))
    )


def _shapes(name: str, frame: Any, ctx: dict[str, Any], spec: dict[str, Any]) -> MapLayer:
    return projecten_layer(
        frame, ctx["buurten"], visible=bool(spec.get("zichtbaar", True)), present=ctx["present"]
    )


def _stories(name: str, frame: Any, ctx: dict[str, Any], spec: dict[str, Any]) -> MapLayer | None:
    from .stories import story_layer

    if not len(frame):
        return None
    return story_layer(frame, ctx["buurten"], visible=bool(spec.get("zichtbaar", True)))


#: How a local layer of each map type becomes a layer (``kaart.type`` in ``kinds.json``).
KIND_TYPES: dict[str, Callable[..., MapLayer | None]] = {
    "points": _points,
    "etw": _etw,
    "shapes": _shapes,
    "verhalen": _stories,
}


def local_layers(
    atlas: Any,
    buurten: gpd.GeoDataFrame | None = None,
    wijken: Any = None,
    topo: Any = None,
    *,
    koppelkansen: Any = None,
    grid: int | bool | None = None,
    peildatum: Any = None,
    present: Any = None,
    cells: Any = None,
) -> list[MapLayer]:
    """Every layer an Atlas has data for, in the order of the layer control.

    The grid first (``grid``: the cell size, ``None`` automatic = 500, ``False`` off; without
    CBS cells of that size it is left out with a log line), then every local layer whose kind
    in ``wijkgeo/kinds.json`` has a ``kaart`` entry, then the koppelkansen (``None``
    automatic: evaluated on the peildatum; a ``KoppelkansResult`` as it is; ``False`` off).
    ``present``: "wat er al is" of the buurten (the facts', :func:`wijkgeo.facts.build_facts`);
    ``None``: computed here with :func:`wijkgeo.facts.present.what_is_here`. ``cells``: the
    facts' cell level of that size (:func:`wijkgeo.facts.cell_facts`); ``None``: computed here
    with it.
    """
    from ..._errors import WijkgeoError
    from ...facts.present import what_is_here
    from ...kinds import kinds

    if buurten is None:
        buurten = atlas.buurten
    if topo is None and wijken is None:
        wijken = atlas.wijken
    local = getattr(atlas, "local", None) or {}
    layers: list[MapLayer] = []
    if grid is None or grid is True or grid == "auto":
        grid = 500
    if grid:
        try:
            from ...facts.model import cell_facts

            if (getattr(atlas, "vierkanten", None) or {}).get(f"{int(grid)}m") is not None:
                if cells is None:
                    cells = cell_facts(atlas, size=int(grid))
                g = grid_layer(cells) if cells is not None else None
                if g is not None:
                    layers.append(g)
            else:
                log.info("geen %d m-vierkanten in de atlas: geen vierkantenlaag", int(grid))
        except WijkgeoError as exc:
            log.warning("vierkantenlaag weggelaten: %s", exc)
    ctx = {
        "buurten": buurten,
        "wijken": wijken,
        "topo": topo,
        "present": (
            present
            if present is not None or not local
            else what_is_here(atlas, "buurt", peildatum=peildatum)
        ),
    }
    for name, spec in kinds().items():
        frame = local.get(name)
        shown = spec.get("kaart")
        if frame is None or not shown:
            continue
        if shown["type"] == "etw" and topo is None:
            continue  # the wijk outlines are arcs of the map's topology
        layer = KIND_TYPES[shown["type"]](name, frame, ctx, shown)
        if layer is not None:
            layers.append(layer)
    if koppelkansen is not False and koppelkansen != "uit":
        result = koppelkansen
        if result is None or isinstance(result, str):
            from ...koppelkansen import evaluate

            try:
                result = evaluate(atlas, peildatum=peildatum)
            except WijkgeoError as exc:
                log.warning("koppelkansen niet op de kaart: %s", exc)
                result = None
        if result is not None and topo is not None:
            layer = koppelkansen_layer(result, buurten, topo)
            if layer is not None:
                layers.append(layer)
    return layers
