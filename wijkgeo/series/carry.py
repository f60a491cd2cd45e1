"""Carry one year's indicator values onto other boundaries through a crosswalk, with provenance.

How each indicator is carried is data (``carry.json``, per registry key):

``telling``
    A count: split by the crosswalk shares and summed.
``verhouding``
    ``teller / noemer * schaal`` (a share or a rate): the teller (``value * noemer /
    schaal``) and the noemer (a count of the same year) are carried separately and the
    value recomputed, never averaged.
``gemiddelde``
    An average weighted by a count (``gewicht``), carried the same way.

Indicators without a rule keep their value where the area stayed the same and are
``ontbreekt`` where it changed. Every value gets a ``herkomst``: ``gemeten`` (same area,
same code), ``hercodeerd`` (same area, other code), ``omgerekend`` (boundary changed; the
``reden`` says through what: the 100 m cells of a year, or the area) or ``ontbreekt`` (with
the reason). Small-number suppression applies to the carried values (buurt and wijk).

Examples
--------
>>> import pandas as pd
>>> cw = pd.DataFrame({"van": ["A", "B", "B"], "naar": ["A", "C", "D"],
...                    "aandeel": [1.0, 0.25, 0.75], "herkomst": ["gemeten"] + 2 * ["omgerekend"],
...                    "methode": ["zelfde gebied"] + 2 * ["oppervlakte"], "dekking": 1.0})
>>> values = pd.DataFrame({"inwoners": [400.0, 1000.0]}, index=["A", "B"])
>>> counts = pd.DataFrame({"aantal_inwoners": [400.0, 1000.0]}, index=["A", "B"])
>>> out = carry_values(values, counts, cw, ["inwoners"], level="buurt")
>>> out.values["inwoners"].tolist(), out.herkomst["inwoners"].tolist()
([400.0, 250.0, 750.0], ['gemeten', 'omgerekend', 'omgerekend'])
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "HERKOMST",
    "SUMMED",
    "Carried",
    "carry_values",
    "count_columns",
    "meaningful",
    "rule",
    "rules",
    "shown_herkomst",
]

#: The provenance labels (Dutch: they end up in the tables a wijkregisseur reads).
HERKOMST = ("gemeten", "hercodeerd", "omgerekend", "ontbreekt")

#: How the reason of a value summed from whole earlier areas (a merger) begins. Its
#: provenance is ``omgerekend`` (the boundary changed), yet nothing was estimated: the
#: profile and the map draw it as a measurement (:func:`shown_herkomst`).
SUMMED = "opgeteld"


def shown_herkomst(herkomst: Any, reden: Any = None) -> np.ndarray:
    """The provenance as drawn: ``"opgeteld"`` for an ``omgerekend`` value whose reason says
    it was summed from whole earlier areas (exact, drawn as a measurement), else as given.

    Examples
    --------
    >>> shown_herkomst(["omgerekend", "omgerekend", "gemeten"],
    ...                ["opgeteld uit de hele gebieden die er in 2020 lagen (grens veranderd)",
    ...                 "omgerekend via de 100 m-vierkanten van 2024", None]).tolist()
    ['opgeteld', 'omgerekend', 'gemeten']
    """
    herk = np.asarray(pd.Series(herkomst, dtype=object).astype(object), dtype=object)
    if reden is None:
        return herk
    why = pd.Series(reden, dtype=object).astype("string").fillna("").to_numpy(dtype=object)
    summed = (herk == "omgerekend") & np.array([str(w).startswith(SUMMED) for w in why], bool)
    out = herk.copy()
    out[summed] = SUMMED
    return out


class Carried(NamedTuple):
    """Carried values with, per cell, their provenance and reason (indexed by new code)."""

    values: pd.DataFrame
    herkomst: pd.DataFrame
    reden: pd.DataFrame


@cache
def rules() -> dict[str, Any]:
    """The parsed ``carry.json``."""
    text = resources.files("wijkgeo.series").joinpath("carry.json").read_text("utf-8")
    return json.loads(text)


def rule(key: str) -> dict[str, Any] | None:
    """The carry rule of one indicator, or ``None`` when it cannot be carried.

    Examples
    --------
    >>> rule("aandeel_65_plus")["noemer"]
    'aantal_inwoners'
    >>> rule("planjaar_aardgasvrij") is None
    True
    """
    return rules()["indicatoren"].get(key)


def count_columns(keys: Sequence[str]) -> list[str]:
    """The count columns the rules of ``keys`` need (noemers, gewichten and inhabitants).

    Examples
    --------
    >>> count_columns(["aandeel_65_plus", "woningen"])
    ['aantal_inwoners']
    """
    cols = ["aantal_inwoners"]
    for key in keys:
        r = rule(key) or {}
        col = r.get("noemer") or r.get("gewicht")
        if col and col not in cols:
            cols.append(col)
    return cols


def meaningful(key: str, old: Any, new: Any, denominator: Any = None) -> np.ndarray:
    """Whether the change from ``old`` to ``new`` exceeds rounding and the indicator's noise.

    A change is meaningful only when ``|new - old| > afronding + ruis * max(|old|, |new|)``,
    plus for a ``verhouding`` what rounding its counts to 5 allows
    (``2 * schaal * 5 / noemer`` with the smaller of the two noemers, when given).
    Indicators without a rule: any change counts as meaningful. NaN on either side: False.

    Examples
    --------
    >>> meaningful("aandeel_65_plus", [18.0, 18.0], [13.0, 17.5]).tolist()
    [True, False]
    >>> meaningful("inwoners", [1000.0], [1015.0]).tolist()
    [False]
    """
    old_a = np.asarray(old, dtype=float)
    new_a = np.asarray(new, dtype=float)
    r = rule(key)
    if r is None:
        return np.isfinite(old_a) & np.isfinite(new_a) & (old_a != new_a)
    spec = r.get("betekenisvol", {})
    allow = float(spec.get("afronding", 0)) + float(spec.get("ruis", 0)) * np.maximum(
        np.abs(old_a), np.abs(new_a)
    )
    if r["soort"] == "verhouding" and denominator is not None:
        den = np.asarray(denominator, dtype=float)
        step = float(rules().get("afronding_tellingen", 5))
        with np.errstate(divide="ignore", invalid="ignore"):
            extra = np.where(den > 0, 2 * float(r.get("schaal", 1)) * step / den, np.inf)
        allow = allow + extra
    with np.errstate(invalid="ignore"):
        return np.isfinite(old_a) & np.isfinite(new_a) & (np.abs(new_a - old_a) > allow)


def _reason_for(key: str, year: int | None) -> str:
    jaar = f" in {year}" if year else ""
    return f"geheim of onbekend{jaar} in een van de oude gebieden"


def carry_values(
    values: pd.DataFrame,
    counts: pd.DataFrame,
    crosswalk: pd.DataFrame,
    keys: Sequence[str] | None = None,
    *,
    level: str = "buurt",
    reasons: pd.DataFrame | None = None,
    targets: Sequence[str] | None = None,
    year: int | None = None,
    suppress: bool = True,
    method_label: Mapping[str, str] | None = None,
) -> Carried:
    """Carry indicator values from old areas to new ones.

    Parameters
    ----------
    values : DataFrame
        Indicator values of the old year on its own boundaries, indexed by old code
        (unsuppressed: suppression applies after carrying).
    counts : DataFrame
        The count columns of :func:`count_columns` for the same old areas.
    crosswalk : DataFrame
        :func:`wijkgeo.series.crosswalk` from the old to the new boundaries.
    keys : sequence of str, optional
        Indicator keys; default every column of ``values``.
    level : str
        ``buurt`` and ``wijk`` rows are suppressed for small numbers after carrying.
    reasons : DataFrame, optional
        Why an old value is missing (as :func:`wijkgeo.indicators.compute` gives them).
    targets : sequence of str, optional
        All new codes (new areas without any old area get ``ontbreekt``).
    year : int, optional
        The old year (for the reasons).
    suppress : bool
        Blank carried values below the indicator's minimum population.
    method_label : mapping, optional
        Text per crosswalk ``methode`` for the reason of an ``omgerekend`` value.

    Returns
    -------
    Carried
        ``values``, ``herkomst`` and ``reden``, indexed by new code.

    Examples
    --------
    See the module docstring.
    """
    from ..indicators.registry import get_indicator

    keys = list(values.columns) if keys is None else list(keys)
    cw = crosswalk[crosswalk["van"].isin(values.index)]
    naar_all = list(dict.fromkeys(list(targets or []) + list(cw["naar"].unique())))
    index = pd.Index(naar_all, name="code")
    van = cw["van"].to_numpy()
    naar = cw["naar"].to_numpy()
    share = cw["aandeel"].to_numpy(float)
    n_rows = cw.groupby("naar")["van"].transform("size").to_numpy()
    direct = (
        (n_rows == 1)
        & (share >= 1.0 - 1e-12)
        & cw["herkomst"].isin(["gemeten", "hercodeerd"]).to_numpy()
    )
    direct_naar = pd.Series(cw["herkomst"].to_numpy()[direct], index=naar[direct])
    direct_van = pd.Series(van[direct], index=naar[direct])
    labels = dict(method_label or {})
    methods = cw.groupby("naar")["methode"].agg(
        lambda s: ", ".join(sorted({m for m in s if m != "zelfde gebied"}))
    )
    pos = pd.Index(naar_all).get_indexer(naar)
    n = len(naar_all)
    # a new area made of whole old areas (a merger): its value is their sum, not an estimate
    # through area or cells; the reason says so. "Whole" allows what the same-area test
    # allows (boundary files of different years are generalised differently)
    whole_row = share >= 1.0 - 1e-9
    if "dekking" in cw.columns:
        from .. import settings

        whole_row &= cw["dekking"].to_numpy(float) >= float(settings.get("series_min_iou"))
    summed_whole = np.bincount(pos, weights=(~whole_row).astype(float), minlength=n) == 0

    def summed(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ok = ~np.isnan(x)
        total = np.bincount(pos[ok], weights=x[ok] * share[ok], minlength=n)
        bad = np.bincount(pos[~ok], minlength=n) > 0
        return total, bad

    def count(col: str) -> np.ndarray:
        if col not in counts.columns:
            return np.full(len(van), np.nan)
        return counts[col].reindex(van).to_numpy(float)

    received = np.bincount(pos, minlength=n) > 0
    pop_total, pop_bad = summed(count("aantal_inwoners"))
    population = np.where(pop_bad | ~received, np.nan, pop_total)
    out_v: dict[str, np.ndarray] = {}
    out_h: dict[str, np.ndarray] = {}
    out_r: dict[str, np.ndarray] = {}
    for key in keys:
        v = (
            values[key].reindex(van).to_numpy(float)
            if key in values.columns
            else np.full(len(van), np.nan)
        )
        r = rule(key)
        herk = np.full(n, "omgerekend", dtype=object)
        reden = np.full(n, None, dtype=object)
        absent = key not in values.columns or values[key].isna().all()
        if absent:
            val = np.full(n, np.nan)
            jaar = f" van {year}" if year else ""
            reden[:] = f"niet in de gegevens{jaar}"
        elif r is None:
            val = np.full(n, np.nan)
            reden[:] = "niet om te rekenen naar andere grenzen (geen teller en noemer)"
        elif r["soort"] == "telling":
            total, bad = summed(v)
            val = np.where(bad, np.nan, total)
            reden[bad] = _reason_for(key, year)
        else:
            scale = float(r.get("schaal", 1))
            den = count(r.get("noemer") or r.get("gewicht"))
            num_t, num_bad = summed(v * den / scale)
            den_t, den_bad = summed(den)
            with np.errstate(divide="ignore", invalid="ignore"):
                val = np.where(den_t > 0, num_t / den_t * scale, np.nan)
            bad = num_bad | den_bad
            val = np.where(bad, np.nan, val)
            reden[bad] = _reason_for(key, year)
        for i, code in enumerate(naar_all):
            if code in direct_naar.index:
                old = direct_van[code]
                val[i] = values.at[old, key] if key in values.columns else np.nan
                herk[i] = direct_naar[code]
                reden[i] = None
                if np.isnan(val[i]) and reasons is not None and key in reasons.columns:
                    reden[i] = reasons.at[old, key]
                if absent:
                    reden[i] = f"niet in de gegevens van {year}" if year else "geen gegevens"
            elif received[i] and np.isfinite(val[i]) and summed_whole[i]:
                jaar = f" in {year}" if year else ""
                reden[i] = f"{SUMMED} uit de hele gebieden die er{jaar} lagen (grens veranderd)"
            elif received[i] and np.isfinite(val[i]):
                how = str(methods.get(code) or "oppervlakte").split(", ")
                texts = [labels.get(h, f"omgerekend via {h}") for h in how]
                # several old areas, some without any weight in the cells: say both
                reden[i] = texts[0] + "".join(
                    " en " + t.removeprefix("omgerekend ") for t in texts[1:]
                )
        val[~received] = np.nan
        reden[~received] = "geen gebied van dat jaar op deze plek"
        if suppress and level in ("buurt", "wijk"):
            ind = get_indicator(key)
            if ind.min_population > 0:
                small = ~(population >= ind.min_population) & np.isfinite(val)
                val[small] = np.nan
                reden[small] = "te weinig inwoners"
        missing = np.isnan(val)
        herk[missing] = "ontbreekt"
        reden[missing & pd.isna(reden)] = "geen gegevens"
        out_v[key], out_h[key], out_r[key] = val, herk, reden
    return Carried(
        pd.DataFrame(out_v, index=index),
        pd.DataFrame(out_h, index=index, dtype=object),
        pd.DataFrame(out_r, index=index, dtype=object),
    )
