"""Compute registry indicators on a frame of areas: plain functions, output indexed like the input.

Each indicator's formula is data (see :mod:`wijkgeo.indicators.registry`); this module
evaluates it. No Python expressions are evaluated. Inputs are the canonical KWB columns of
the frame (PDOK Wijk- en Buurtkaart snake_case) and, for some indicators, the gemeente's
local layers (``atlas.local``). Point-in-polygon work uses a spatial join and nearest-point
distances use a shapely STRtree; everything is computed in the frame's CRS (EPSG:28992).

Small numbers
-------------
For buurten and wijken, an indicator whose ``min_population`` is not reached (in its
``population_column``, default ``aantal_inwoners``) is NaN with the reason
``"te weinig inwoners"``. The value is blanked, never rebuilt from other rounded counts.
Gemeente and Nederland rows are never blanked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .. import text
from .._errors import DataValidationError
from ..conventions import SECRET_THRESHOLD
from .registry import Indicator, get_indicator, list_indicators

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..atlas import Atlas

__all__ = [
    "LEVELS",
    "IndicatorResult",
    "add_indicators",
    "compute",
    "compute_with_reasons",
    "estimate_bounds",
    "indicator_series",
]

log = logging.getLogger(__name__)

#: Levels ``compute`` understands; only ``buurt`` and ``wijk`` rows are blanked for small numbers.
LEVELS = ("buurt", "wijk", "gemeente", "nederland")
_SMALL_LEVELS = ("buurt", "wijk")


class IndicatorResult(NamedTuple):
    """Values and, per cell, why a value is missing (``None`` when it is present)."""

    values: pd.DataFrame
    reasons: pd.DataFrame


class _Unavailable(Exception):
    """An alternative of a formula cannot be evaluated on this input (column or layer absent)."""


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise _Unavailable(column)
    s = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    secret = s <= SECRET_THRESHOLD
    if secret.any():
        log.debug(
            "kolom %s: %d geheime waarden (<= -99990) als ontbrekend behandeld",
            column,
            secret.sum(),
        )
        s = s.mask(secret)
    return s


def _filtered(layer: Any, where: Mapping[str, Any] | None, name: str) -> Any:
    if not where:
        return layer
    mask = np.ones(len(layer), dtype=bool)
    for col, allowed in where.items():
        if col not in layer.columns:
            raise DataValidationError(
                f"Lokale laag {name!r} mist de kolom {col!r} die een indicator nodig heeft; "
                f"voeg de kolom toe of controleer de laag."
            )
        values = [allowed] if isinstance(allowed, str) else list(allowed)
        wanted = {str(v).strip().lower() for v in values}
        mask &= (
            layer[col]
            .astype("string")
            .str.strip()
            .str.lower()
            .isin(wanted)
            .fillna(False)
            .to_numpy()
        )
    return layer[mask]


def _points(local: Mapping[str, Any] | None, alt: Mapping[str, Any], frame: Any) -> Any:
    import geopandas as gpd

    name = alt["layer"]
    if not local or name not in local or local[name] is None:
        raise _Unavailable(f"laag {name}")
    if not isinstance(frame, gpd.GeoDataFrame):
        raise _Unavailable("geometrie")
    layer = local[name]
    if not isinstance(layer, gpd.GeoDataFrame):
        raise DataValidationError(
            f"Lokale laag {name!r} is geen puntenlaag (GeoDataFrame); "
            "controleer de bron van de laag."
        )
    if frame.crs is None or layer.crs is None:
        raise DataValidationError(
            f"Lokale laag {name!r} of de gebieden hebben geen CRS; wijkgeo rekent in EPSG:28992. "
            "Zet de CRS bij het inlezen."
        )
    if not frame.crs.is_projected:
        raise DataValidationError(
            f"De gebieden staan in {frame.crs.to_string()}, niet in meters; "
            "zet ze om naar EPSG:28992."
        )
    if layer.crs != frame.crs:
        log.warning("lokale laag %r omgezet van %s naar %s", name, layer.crs, frame.crs)
        layer = layer.to_crs(frame.crs)
    layer = _filtered(layer, alt.get("where"), name)
    geom = layer.geometry
    return layer[geom.notna().to_numpy() & ~geom.is_empty.to_numpy()]


def _points_in_area(frame: Any, pts: Any) -> np.ndarray:
    from ..joins import area_of_points  # the one point-in-area rule

    n = len(frame)
    pos = area_of_points(pts.geometry.to_numpy(), frame.geometry.to_numpy())
    counts = np.bincount(pos[pos >= 0], minlength=n).astype("float64")
    has_geom = frame.geometry.notna().to_numpy() & ~frame.geometry.is_empty.to_numpy()
    counts[~has_geom] = np.nan
    return counts


def _nearest_distance(frame: Any, pts: Any) -> np.ndarray:
    from shapely import STRtree

    n = len(frame)
    out = np.full(n, np.nan)
    if not len(pts):
        return out
    geoms = frame.geometry
    ok = geoms.notna().to_numpy() & ~geoms.is_empty.to_numpy()
    centroids = geoms[ok].centroid.to_numpy()
    tree = STRtree(pts.geometry.to_numpy())
    (src, _tgt), dist = tree.query_nearest(centroids, return_distance=True, all_matches=False)
    sub = np.full(len(centroids), np.nan)
    sub[src] = dist
    out[ok] = sub
    return out


#: The code column of each level's frame, for values kept per area code (``estimate``).
_CODE_COLUMN = {
    "buurt": "buurtcode",
    "wijk": "wijkcode",
    "gemeente": "gemeentecode",
    "nederland": "code",
}


def _estimate(
    alt: Mapping[str, Any], frame: Any, level: str, local: Mapping[str, Any] | None
) -> pd.Series:
    """A value kept per area code in a local table (``code`` column): the RIVM estimates
    in ``atlas.local["gezondheid"]``, already carried to this Atlas's areas."""
    name = alt["layer"]
    table = (local or {}).get(name)
    if table is None:
        raise _Unavailable(f"laag {name}")
    key = _CODE_COLUMN.get(level, "code")
    if key not in frame.columns or alt["value"] not in table.columns:
        raise _Unavailable(f"{key} of {alt['value']}")
    values = pd.to_numeric(table[alt["value"]], errors="coerce")
    values.index = table["code"].astype("string").str.strip().to_numpy()
    values = values[~values.index.duplicated()]
    mapped = frame[key].astype("string").str.strip().map(values)
    return pd.to_numeric(mapped, errors="coerce").astype("float64")


def estimate_bounds(
    frame: pd.DataFrame,
    key: str | Indicator,
    *,
    level: str = "buurt",
    local: Mapping[str, Any] | None = None,
) -> tuple[pd.Series, pd.Series] | None:
    """The lower and upper 95 % bound of a model estimate per row, where published.

    Returns
    -------
    (Series, Series) or None
        ``None`` for an indicator that is no estimate or whose table has no bounds (the
        RIVM tables before 2022); NaN where a row has no bound.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"code": ["BU00010001"], "eenzaam_65plus": [16.0],
    ...                   "eenzaam_65plus_ondergrens": [14.0], "eenzaam_65plus_bovengrens": [19.0]})
    >>> lo, hi = estimate_bounds(pd.DataFrame({"buurtcode": ["BU00010001"]}), "eenzaam_65plus",
    ...                          local={"gezondheid": t})
    >>> lo.tolist(), hi.tolist()
    ([14.0], [19.0])
    """
    ind = key if isinstance(key, Indicator) else get_indicator(key)
    if not ind.estimate or not ind.bounds:
        return None
    alt = next((a for a in ind.formula if a["op"] == "estimate"), None)
    if alt is None:
        return None
    out = []
    for side in ("lower", "upper"):
        try:
            out.append(_estimate({**alt, "value": ind.bounds[side]}, frame, level, local))
        except _Unavailable:
            return None
    if out[0].isna().all() and out[1].isna().all():
        return None
    return out[0], out[1]


def _evaluate(
    alt: Mapping[str, Any], frame: Any, level: str, local: Mapping[str, Any] | None
) -> pd.Series:
    """Evaluate one alternative of a formula (a float Series indexed like ``frame``).

    Raises ``_Unavailable`` when an input column or layer is absent.
    """
    op = alt["op"]
    scale = float(alt.get("scale", 1.0))
    if op == "column":
        return _numeric(frame, alt["column"]) * scale
    if op == "ratio":
        nums = alt["numerator"]
        nums = [nums] if isinstance(nums, str) else list(nums)
        num = pd.concat([_numeric(frame, c) for c in nums], axis=1).sum(axis=1, min_count=len(nums))
        den = _numeric(frame, alt["denominator"])
        return (num / den.where(den > 0)) * scale
    if op == "points_in_area":
        pts = _points(local, alt, frame)
        counts = pd.Series(_points_in_area(frame, pts), index=frame.index)
        if alt.get("per"):
            den = _numeric(frame, alt["per"])
            return counts / den.where(den > 0) * scale
        return counts * scale
    if op == "nearest_point_distance":
        if level not in _SMALL_LEVELS:
            raise _Unavailable("afstand alleen per buurt of wijk")
        pts = _points(local, alt, frame)
        return pd.Series(_nearest_distance(frame, pts), index=frame.index) * scale
    if op == "lookup":
        name = alt["layer"]
        if not local or local.get(name) is None:
            raise _Unavailable(f"laag {name}")
        table = _filtered(local[name], alt.get("where"), name)
        keys = [alt["key"]] if isinstance(alt["key"], str) else list(alt["key"])
        # a list of keys: the first the frame has (buurtcode, else wijkcode, ...)
        key = next((k for k in keys if k in frame.columns), None)
        if key is None:
            raise _Unavailable(", ".join(keys))
        if key not in table.columns or alt["value"] not in table.columns:
            raise DataValidationError(
                f"Lokale laag {name!r} mist de kolom {key!r} of {alt['value']!r}; "
                "controleer de laag."
            )
        values = pd.to_numeric(table[alt["value"]], errors="coerce")
        codes = table[key].astype("string").str.strip()
        how = alt.get("how", "first")
        agg = values.groupby(codes.to_numpy()).agg(how)
        mapped = frame[key].astype("string").str.strip().map(agg)
        result = pd.to_numeric(mapped, errors="coerce").astype("float64")
        if alt.get("per"):
            den = _numeric(frame, alt["per"])
            result = result / den.where(den > 0)
        return result * scale
    if op == "estimate":
        return _estimate(alt, frame, level, local) * scale
    raise DataValidationError(f"Onbekende formule-operatie {op!r}.")  # pragma: no cover


def indicator_series(
    frame: pd.DataFrame,
    key: str | Indicator,
    *,
    level: str = "buurt",
    local: Mapping[str, Any] | None = None,
    suppress: bool = True,
) -> pd.Series:
    """One indicator as a Series indexed like ``frame`` (the momepy style).

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Areas with canonical KWB columns (and geometry in EPSG:28992 for local-layer indicators).
    key : str or Indicator
        The indicator.
    level : {"buurt", "wijk", "gemeente", "nederland"}
        Level of the rows; only buurt and wijk rows are blanked for small numbers.
    local : dict, optional
        Local layers by name (``atlas.local``).
    suppress : bool
        Blank values below the indicator's ``min_population`` (default True).

    Returns
    -------
    Series
        Named after the indicator key.

    Examples
    --------
    >>> import pandas as pd
    >>> from wijkgeo.indicators import indicator_series
    >>> df = pd.DataFrame({"aantal_inwoners": [1000, 20],
    ...                    "aantal_personen_65_jaar_en_ouder": [250, 5]})
    >>> indicator_series(df, "aandeel_65_plus").tolist()
    [25.0, nan]
    """
    ind = key if isinstance(key, Indicator) else get_indicator(key)
    return compute(frame, [ind.key], level=level, local=local, suppress=suppress)[ind.key]


def compute(
    frame: pd.DataFrame,
    keys: Iterable[str] | None = None,
    *,
    level: str = "buurt",
    local: Mapping[str, Any] | None = None,
    suppress: bool = True,
    **kwargs: Any,
) -> pd.DataFrame:
    """Compute indicators from the registry; one float column per indicator, indexed like ``frame``.

    Each formula is a list of alternatives tried per row: the first that yields a value wins
    (e.g. ``aantal_personen_65_jaar_en_ouder / aantal_inwoners`` where counts exist, else the
    published ``percentage_personen_65_jaar_en_ouder``). Values ``<= -99990`` (CBS secret)
    are treated as missing, never as numbers.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        One row per area with canonical KWB columns; geometry in EPSG:28992 is needed for
        indicators on local point layers.
    keys : iterable of str, optional
        Indicator keys; default all indicators in the registry.
    level : {"buurt", "wijk", "gemeente", "nederland"}
        Level of the rows. Small-number blanking applies to buurt and wijk rows only;
        distances to the nearest local voorziening only to buurt and wijk rows.
    local : dict, optional
        Local layers (``atlas.local``): ``"voorzieningen"``, ``"bewonersinitiatieven"``
        (points) and ``"energietransitie"`` (table with ``wijkcode``, ``planjaar``).
        Indicators on an absent layer are NaN with reason "niet beschikbaar in deze gegevens".
    suppress : bool
        Blank values below the indicator's minimum population (default True).
    **kwargs
        ``with_reasons=True`` (deprecated: use :func:`compute_with_reasons`) still returns an
        ``IndicatorResult`` for one release, with a DeprecationWarning.

    Returns
    -------
    DataFrame
        The values (one return type; the reasons come from :func:`compute_with_reasons`).

    Raises
    ------
    ConfigError
        For an unknown indicator key or level.

    Examples
    --------
    >>> import pandas as pd
    >>> from wijkgeo.indicators import compute
    >>> df = pd.DataFrame({"aantal_inwoners": [1000, 20],
    ...                    "percentage_personen_65_jaar_en_ouder": [21, -99997]})
    >>> compute(df, ["aandeel_65_plus"])["aandeel_65_plus"].tolist()
    [21.0, nan]
    """
    with_reasons = kwargs.pop("with_reasons", False)
    if kwargs:
        raise TypeError(f"compute() got an unexpected keyword argument {next(iter(kwargs))!r}")
    if with_reasons:
        import warnings

        warnings.warn(
            "compute(..., with_reasons=True) is verouderd; gebruik compute_with_reasons(...).",
            DeprecationWarning,
            stacklevel=2,
        )
        return compute_with_reasons(frame, keys, level=level, local=local, suppress=suppress)
    return compute_with_reasons(frame, keys, level=level, local=local, suppress=suppress).values


def compute_with_reasons(
    frame: pd.DataFrame,
    keys: Iterable[str] | None = None,
    *,
    level: str = "buurt",
    local: Mapping[str, Any] | None = None,
    suppress: bool = True,
) -> IndicatorResult:
    """:func:`compute` plus, per cell, why a value is missing.

    The reasons are "te weinig inwoners", "geen gegevens" or "niet beschikbaar in deze
    gegevens" (``None`` when the value is present).

    Examples
    --------
    >>> import pandas as pd
    >>> from wijkgeo.indicators import compute_with_reasons
    >>> df = pd.DataFrame({"aantal_inwoners": [1000, 20],
    ...                    "percentage_personen_65_jaar_en_ouder": [21, -99997]})
    >>> res = compute_with_reasons(df, ["aandeel_65_plus"])
    >>> res.values["aandeel_65_plus"].tolist()
    [21.0, nan]
    >>> res.reasons["aandeel_65_plus"].tolist()
    [None, 'te weinig inwoners']
    """
    from .._errors import ConfigError

    if level not in LEVELS:
        raise ConfigError(f"Onbekend niveau {level!r}; kies uit {', '.join(LEVELS)}.")
    indicators = list_indicators() if keys is None else [get_indicator(k) for k in keys]
    values: dict[str, pd.Series] = {}
    reasons: dict[str, np.ndarray] = {}
    for ind in indicators:
        value = pd.Series(np.nan, index=frame.index, dtype="float64")
        reason = np.full(len(frame), None, dtype=object)
        available = False
        for alt in ind.formula:
            try:
                part = _evaluate(alt, frame, level, local)
            except _Unavailable as exc:
                log.debug(
                    "indicator %s: alternatief %s niet beschikbaar (%s)", ind.key, alt["op"], exc
                )
                continue
            available = True
            value = value.fillna(part.replace([np.inf, -np.inf], np.nan))
        if not available:
            reason[:] = text.reason("unavailable")
        else:
            reason[value.isna().to_numpy()] = ind.missing_reason or text.reason("missing")
            if suppress and level in _SMALL_LEVELS and ind.min_population > 0:
                if ind.population_column in frame.columns:
                    pop = _numeric(frame, ind.population_column)
                    small = ~(pop >= ind.min_population)  # NaN population counts as too small
                    value = value.mask(small)
                    reason[small.to_numpy()] = text.reason("population", ind.population_column)
                else:
                    log.warning(
                        "indicator %s: kolom %s ontbreekt; de controle op kleine aantallen is "
                        "overgeslagen",
                        ind.key,
                        ind.population_column,
                    )
        values[ind.key] = value
        reasons[ind.key] = reason
    out = pd.DataFrame(values, index=frame.index)
    return IndicatorResult(out, pd.DataFrame(reasons, index=frame.index, dtype=object))


def add_indicators(
    atlas: Atlas,
    keys: Iterable[str] | None = None,
    *,
    level: str = "buurt",
    suppress: bool = True,
) -> gpd.GeoDataFrame:
    """A copy of the atlas's buurten (or wijken) with indicator columns added.

    The caller's frame is not changed. Indicator columns replace same-named columns.

    Parameters
    ----------
    atlas : Atlas
        The gemeente; its ``local`` layers feed the local indicators.
    keys : iterable of str, optional
        Indicator keys; default all.
    level : {"buurt", "wijk"}
        Which layer to extend.
    suppress : bool
        Blank values below the minimum population.

    Returns
    -------
    GeoDataFrame

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.indicators import add_indicators
    >>> atlas = wijkgeo.make_demo()                       # doctest: +SKIP
    >>> gdf = add_indicators(atlas, ["aandeel_65_plus"])  # doctest: +SKIP
    """
    from .._errors import ConfigError

    if level not in _SMALL_LEVELS:
        raise ConfigError(f"add_indicators werkt per buurt of wijk, niet per {level!r}.")
    base = atlas.buurten if level == "buurt" else atlas.wijken
    values = compute(base, keys, level=level, local=atlas.local, suppress=suppress)
    out = base.drop(columns=[c for c in values.columns if c in base.columns]).copy()
    for col in values.columns:
        out[col] = values[col].to_numpy()
    return out
