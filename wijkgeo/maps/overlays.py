"""Old import path of the map layer types; they live in :mod:`wijkgeo.maps.layers` (one module
per type). Kept for one release so scripts that import from here keep working; the names are
those of :mod:`wijkgeo.maps.layers` (its ``__all__``), not a list of their own."""

from __future__ import annotations

from . import layers as _layers
from .layers import *  # noqa: F403 - the old path re-exports the layer types

__all__ = list(_layers.__all__)
