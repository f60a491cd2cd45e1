"""Folium maps for wijkregisseurs: every indicator over one geometry, Dutch, escaped HTML.

:func:`build` makes the map of a gemeente (all registry indicators, one selector, legends,
popups with comparisons, deep links; see :mod:`wijkgeo.maps.builder`), :func:`indicator_map`
the same for one indicator, :func:`save_map` writes it, :func:`write_map` does all of
that for a gemeente in the store (``wijkgeo map``); :data:`BASEMAPS` lists the variants of
the PDOK BRT-Achtergrondkaart. With an Atlas the map also carries the gemeente's own layers,
the 500 m grid and the koppelkansen (:mod:`wijkgeo.maps.layers`, one module per layer type);
:func:`map_payload` is the map as data (no folium), :mod:`wijkgeo.maps.render` the one module
that touches folium; :func:`png` writes one indicator as a PNG for memos with the same classes
and legend.
"""

from __future__ import annotations

from .builder import BASEMAPS, MapLayer, build, indicator_map, save_map, write_map
from .options import MapOptions, Overlays
from .payload import MapData, map_payload
from .picture import MapPicture, png

__all__ = [
    "BASEMAPS",
    "MapData",
    "MapLayer",
    "MapOptions",
    "MapPicture",
    "Overlays",
    "build",
    "indicator_map",
    "map_payload",
    "png",
    "save_map",
    "write_map",
]
