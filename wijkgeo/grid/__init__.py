"""The CBS grid: cells aligned to the vierkantstatistieken and exact areal interpolation.

Two layers live here. :mod:`wijkgeo.grid.codes` (cell codes, squares, :func:`cells`) and the
pure maths in :mod:`wijkgeo.grid._kernel` are low-level: the network loader
:mod:`wijkgeo.sources.vierkant` builds on them. The interpolation
(:mod:`wijkgeo.grid.interpolate`) and the atlas layer (:mod:`wijkgeo.grid.layer`) sit above
the indicators. Importing this package therefore loads nothing: the public names below are
resolved on first use (PEP 562), so ``import wijkgeo.grid.codes`` never pulls the
interpolation in.

Examples
--------
>>> import wijkgeo.grid as grid
>>> grid.cells((97600, 452000, 98400, 452400), size=500)["celcode"].tolist()
['E0975N4520', 'E0980N4520']
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> module that defines it; resolved on first attribute access (PEP 562).
_LAZY = {
    "cells": "wijkgeo.grid.codes",
    "cell_polygons": "wijkgeo.grid.codes",
    "format_cell": "wijkgeo.grid.codes",
    "parse_cell": "wijkgeo.grid.codes",
    "parse_cells": "wijkgeo.grid.codes",
    "area_interpolate": "wijkgeo.grid.areal",
    "interpolation_weights": "wijkgeo.grid.interpolate",
    "Weights": "wijkgeo.grid.interpolate",
    "atlas_grid": "wijkgeo.grid.layer",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wijkgeo.grid' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
