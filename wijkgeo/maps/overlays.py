"""Old import path of the map layer types; they live in :mod:`wijkgeo.maps.layers` (one module
per type). Kept for one release so scripts that import from here keep working."""

from __future__ import annotations

from .layers import (
    QUANTUM,
    encode_points,
    encode_shape,
    energietransitie_layer,
    grid_layer,
    koppelkansen_layer,
    layer_style,
    local_layers,
    point_layer,
    projecten_layer,
)

__all__ = [
    "QUANTUM",
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
