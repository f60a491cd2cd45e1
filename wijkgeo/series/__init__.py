"""Years on today's boundaries: crosswalks between years and series of indicators.

:func:`crosswalk` tells where each old area's weight lies among the new areas;
:func:`carry` puts a year's figures on other boundaries with their provenance;
:func:`tijdreeks` gives the long table of a gemeente over the years on its newest
boundaries (``wijkgeo tijdreeks``).
"""

from __future__ import annotations

from .carry import carry
from .crosswalk import crosswalk
from .timeseries import tijdreeks

__all__ = ["carry", "crosswalk", "tijdreeks"]
