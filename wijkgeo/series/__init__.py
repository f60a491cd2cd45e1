"""Years: one gemeente over several years (:class:`AtlasSeries`).

Every output takes an Atlas or an :class:`AtlasSeries`; the change over the years is
computed from a series, on the codes whose boundary held (:meth:`AtlasSeries.crosswalk`).
:meth:`wijkgeo.store.Store.read_series` reads one from the store.
"""

from __future__ import annotations

from .atlas_series import AtlasSeries, as_series

__all__ = ["AtlasSeries", "as_series"]
