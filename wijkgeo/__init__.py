"""wijkgeo: Dutch neighbourhood analysis on CBS and PDOK data.

The public API is small; heavy modules (geopandas, folium) are imported lazily so that
``import wijkgeo`` stays light.

Examples
--------
>>> import wijkgeo
>>> atlas = wijkgeo.load("GM9999", 2024)        # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import (
    ConfigError,
    DataValidationError,
    NotInStoreError,
    OutputError,
    SourceError,
    StoreError,
    WijkgeoError,
)
from ._version import __version__

# name -> module that defines it; resolved on first attribute access (PEP 562).
_LAZY = {
    "Atlas": "wijkgeo.atlas",
    "AtlasSeries": "wijkgeo.series",
    "load": "wijkgeo.store",
    "fetch": "wijkgeo.sources",
    "Store": "wijkgeo.store",
    "make_demo": "wijkgeo.demo",
}

__all__ = [
    "Atlas",
    "AtlasSeries",
    "ConfigError",
    "DataValidationError",
    "NotInStoreError",
    "OutputError",
    "SourceError",
    "Store",
    "StoreError",
    "WijkgeoError",
    "__version__",
    "fetch",
    "load",
    "make_demo",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wijkgeo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
