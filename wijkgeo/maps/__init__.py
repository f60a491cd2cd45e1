"""Folium maps for wijkregisseurs: one indicator per map, Dutch text, escaped HTML.

:func:`indicator_map` builds the map (its docstring has a worked example), :func:`save_map`
writes it; :data:`BASEMAPS` lists the variants of the PDOK BRT-Achtergrondkaart.
"""

from __future__ import annotations

from .builder import BASEMAPS, indicator_map, save_map

__all__ = ["BASEMAPS", "indicator_map", "save_map"]
