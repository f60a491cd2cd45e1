"""The demo world: a synthetic country and the fictional gemeente Demodam, offline.

Nothing here is a real source. The package holds:

:mod:`~wijkgeo.demo.synthetic`
    The seeded generator of gemeenten, wijken and buurten that tile the plane with
    realistic, mutually consistent statistics (:func:`generate_country`).
:mod:`~wijkgeo.demo.demodam`
    Demodam (``GM9999``) serialised in the real CBS and PDOK formats and read back through
    the real loaders (:func:`make_demo`), plus its local layers (``data_sources/demo``).
:mod:`~wijkgeo.demo.server`
    :class:`DemoServer`, a local stand-in for CBS and PDOK that serves Demodam over HTTP.
:mod:`~wijkgeo.demo.pipeline`
    ``wijkgeo demo``: generate → store → load → map (:func:`run_demo`).

The generator modules sit beside ``wijkgeo.sources`` in the layers (they use the real
loaders); the pipeline sits at the top (it writes maps). Importing this package loads only
the generator; :class:`DemoServer` and :func:`run_demo` load on first use.

Examples
--------
>>> from wijkgeo.demo import DEMO_CODE, DEMO_YEAR
>>> DEMO_CODE, DEMO_YEAR
('GM9999', 2024)
"""

from __future__ import annotations

import importlib
from typing import Any

from . import demodam as _demodam
from .demodam import *  # noqa: F403  (the generator's public names, listed once in its __all__)

# Higher-layer parts, loaded on first attribute access (PEP 562) so that the generator can be
# imported without the store, the maps or the HTTP server.
_LAZY = {"DemoServer": "wijkgeo.demo.server", "run_demo": "wijkgeo.demo.pipeline"}

__all__ = sorted([*_demodam.__all__, *_LAZY])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wijkgeo.demo' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
