"""Indicators: one documented registry, computation, fair comparisons and a composite index.

Every indicator is defined once in ``registry.json`` (Dutch label, description, unit,
formula as data, direction, source, year, caveats, minimum population, preferred map
classification). Maps, popups, exports and ``docs/indicatoren.md`` read it from here.

Modules: :mod:`~wijkgeo.indicators.registry` (definitions, Dutch number formatting),
:mod:`~wijkgeo.indicators.compute` (values per area), :mod:`~wijkgeo.indicators.compare`
(gemeente/Nederland, rank, similar buurten, change over time),
:mod:`~wijkgeo.indicators.composite` (weighted index and its sensitivity),
:mod:`~wijkgeo.indicators.docs` (generates the documentation).

Examples
--------
>>> from wijkgeo.indicators import get_indicator, format_value
>>> get_indicator("aandeel_65_plus").label
'Inwoners van 65 jaar en ouder'
>>> format_value("gemiddelde_woz_waarde", 312)
'€ 312.000'
"""

from __future__ import annotations

from ..changes import unchanged_codes  # the one boundary test, re-exported
from .compare import (
    change_since,
    comparison_table,
    difference_from,
    rank_within,
    reference_values,
    similar_areas,
    similar_table,
)
from .composite import SensitivityReport, composite_index, load_weights, sensitivity
from .compute import (
    IndicatorResult,
    add_indicators,
    compute,
    compute_with_reasons,
    estimate_bounds,
    indicator_series,
)
from .registry import (
    DIRECTIONS,
    Classification,
    Indicator,
    brede_welvaart,
    format_estimate,
    format_number,
    format_value,
    get_indicator,
    list_indicators,
    registry,
    registry_meta,
    themes,
)

__all__ = [
    "DIRECTIONS",
    "Classification",
    "Indicator",
    "IndicatorResult",
    "SensitivityReport",
    "add_indicators",
    "brede_welvaart",
    "change_since",
    "comparison_table",
    "composite_index",
    "compute",
    "compute_with_reasons",
    "difference_from",
    "estimate_bounds",
    "format_estimate",
    "format_number",
    "format_value",
    "get_indicator",
    "indicator_series",
    "list_indicators",
    "load_weights",
    "rank_within",
    "reference_values",
    "registry",
    "registry_meta",
    "sensitivity",
    "similar_areas",
    "similar_table",
    "themes",
    "unchanged_codes",
]
