"""Folium maps for wijkregisseurs: one indicator per map, Dutch text, escaped HTML.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.maps import indicator_map, save_map
>>> atlas = wijkgeo.make_demo()                                       # doctest: +SKIP
>>> m = indicator_map(atlas, "aandeel_huishoudens_laag_inkomen")      # doctest: +SKIP
>>> save_map(m, "maps/demodam.html")                                  # doctest: +SKIP
PosixPath('maps/demodam.html')
"""

from __future__ import annotations

from .builder import BASEMAPS, indicator_map, save_map

__all__ = ["BASEMAPS", "indicator_map", "save_map"]
