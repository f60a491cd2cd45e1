"""Years: one gemeente over several years, and every year on today's boundaries.

:class:`AtlasSeries` holds an Atlas per year (:meth:`wijkgeo.store.Store.read_series` reads
one); every output takes an Atlas or a series, and the change over the years is computed on
the codes whose boundary held (:meth:`AtlasSeries.crosswalk`).

:func:`crosswalk` tells where each old area's weight lies among the new areas;
:func:`carry_values` puts a year's figures on other boundaries with their provenance;
:func:`tijdreeks` gives the long table of a gemeente over the years on its newest
boundaries (``wijkgeo tijdreeks``). The package sits low (beside the store, which reads
series); the parts that compute indicators load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .atlas_series import AtlasSeries, as_series
from .crosswalk import crosswalk

# Parts that compute indicators (a higher layer), loaded on first attribute access (PEP 562).
# (not named like a submodule: importing ``wijkgeo.series.carry`` binds that name)
_LAZY = {"carry_values": "wijkgeo.series.carry", "tijdreeks": "wijkgeo.series.timeseries"}

__all__ = ["AtlasSeries", "as_series", "carry_values", "crosswalk", "tijdreeks"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wijkgeo.series' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
