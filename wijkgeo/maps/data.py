"""The indicator data a map carries: compact per-indicator arrays, classes, legends, references.

For every registry indicator the map holds one base64 VLQ string of values (integers at the
registry's decimals, as steps from their median ``o``; missing is "minus zero"), the class
bounds computed here with mapclassify (as the registry says), the diverging bounds of the
"verschil met gemeente" mode, the gemeente and Nederland values, the previous year's value
where the boundary did not change, and the two legends pre-rendered as escaped HTML. The
numbers are the facts' (:func:`wijkgeo.facts.build_facts`: values, reasons, references, the
change over the years); this module only encodes and classes them.
``engine.js`` only compares numbers with the bounds; :func:`js_classes` is the same rule in
Python, and the legend counts are computed with it, so the counts in the legend are the
fills on the map.

Values are rounded to the registry's decimals *before* classing: the legend then reads
exactly the numbers the popups show (a quantile class never hides a 11.4 behind a "11").
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import text as shared
from .classes import Classes, classify
from .legend import Row, legend_body, missing_rows
from .topology import encode_vlq

if TYPE_CHECKING:  # pragma: no cover
    from ..indicators import Indicator

log = logging.getLogger(__name__)

__all__ = [
    "DIVERGING",
    "ReferenceValues",
    "diff_classes",
    "indicator_entries",
    "int_bins",
    "js_classes",
    "range_texts",
    "text",
    "to_int",
    "value_legend",
    "vlq_ints",
]

#: ColorBrewer diverging palette per direction for "verschil met gemeente": the colour of
#: "higher than the gemeente" says how to read it (green: better, pink: a concern).
DIVERGING = {"hoger_is_beter": ("PiYG", False), "hoger_is_slechter": ("PiYG", True)}
_NEUTRAL_DIVERGING = ("PuOr", True)  # purple above, orange below: no judgement


@cache
def text() -> dict[str, Any]:
    """The Dutch strings of the map: its own (``maps/text.json``) plus the shared words of
    :mod:`wijkgeo.text` ("geen gegevens", the direction phrases), which are typed only there.
    """
    words = json.loads(resources.files(__package__).joinpath("text.json").read_text("utf-8"))
    words["missing"] = shared.MISSING
    words["direction"] = {k: shared.direction(k) for k in ("hoger_is_beter", "hoger_is_slechter")}
    return words


@dataclass(frozen=True)
class ReferenceValues:
    """Values to compare with: per group (gemeente) and for Nederland, per indicator.

    Attributes
    ----------
    groups : list of str
        Group labels (gemeente names), index = the buurt's group number.
    group_of : numpy.ndarray
        Group number per buurt.
    gemeente : DataFrame
        One row per group, one column per indicator (NaN: unknown).
    nederland : Series
        One value per indicator (NaN: unknown).
    nederland_why : dict
        Why an indicator has no Nederland value (shown in the popup instead of a bare
        "geen gegevens").
    """

    groups: list[str]
    group_of: np.ndarray
    gemeente: pd.DataFrame
    nederland: pd.Series
    nederland_why: dict[str, str] = field(default_factory=dict)


def to_int(values: np.ndarray, decimals: int) -> np.ndarray:
    """Values as integers at ``decimals`` (float array, NaN kept)."""
    with np.errstate(invalid="ignore"):
        return np.round(np.asarray(values, dtype=float) * 10**decimals)


def _offset(ints: np.ndarray) -> int:
    """The median of the values: stored as steps from it, most values take 1-2 characters
    (measured on the national synthetic country: 23 % smaller than the plain values)."""
    ok = ints[np.isfinite(ints)]
    return int(np.median(ok)) if ok.size else 0


def vlq_ints(ints: np.ndarray, offset: int = 0) -> str:
    return encode_vlq(None if not math.isfinite(v) else int(v) - offset for v in ints)


def js_classes(ints: np.ndarray, bins: Sequence[float]) -> np.ndarray:
    """Class per value as ``engine.js`` assigns it: the first bound ``>= value``; -1 missing.

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.maps.data import js_classes
    >>> js_classes(np.array([1.0, 5, 6, np.nan]), [5, 9]).tolist()
    [0, 0, 1, -1]
    """
    ints = np.asarray(ints, dtype=float)
    out = np.full(len(ints), -1, dtype=int)
    ok = np.isfinite(ints)
    if len(bins):
        out[ok] = np.minimum(
            np.searchsorted(np.asarray(bins, float), ints[ok], side="left"), len(bins) - 1
        )
    return out


def int_bins(classes: Classes) -> list[int]:
    """Upper bounds of classes of integer values as integers: ``v <= b`` iff ``v <= floor(b)``."""
    return [math.floor(b) for b in classes.upper]


@dataclass(frozen=True)
class DiffClasses:
    """Symmetric classes of the difference with the gemeente, in integer units."""

    bins: tuple[int, ...]  # upper bounds of |difference| per side, ascending
    colors: tuple[str, ...]  # 2 * len(bins) + 1: lowest below ... equal ... highest above
    index: np.ndarray  # class per buurt (0 .. 2k), -1 missing
    counts: tuple[int, ...]


def _diverging(direction: str, n: int) -> list[str]:
    from branca.utilities import color_brewer

    name, reverse = DIVERGING.get(direction, _NEUTRAL_DIVERGING)
    colors = list(color_brewer(name, max(n, 3)))
    if n < 3:
        colors = [colors[0], colors[-1]] if n == 2 else [colors[len(colors) // 2]]
    return colors[::-1] if reverse else colors


def diff_classes(diff: np.ndarray, classification: Any, direction: str) -> DiffClasses:
    """Class the differences with the gemeente (integer units) around an exact 0 class.

    The absolute differences are classed with mapclassify quantiles into at most three
    classes (``classification`` is accepted for symmetry with :func:`classify`); the same
    bounds are used above and below the gemeente, so equal colours mean equal distance.

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.maps.data import diff_classes
    >>> d = diff_classes(np.array([-5.0, -1, 0, 2, 6, np.nan]), {"scheme": "quantiles", "k": 5},
    ...                  "neutraal")
    >>> d.bins, d.index.tolist()
    ((2, 5, 6), [1, 2, 3, 4, 6, -1])
    """
    diff = np.asarray(diff, dtype=float)
    ok = np.isfinite(diff)
    index = np.full(len(diff), -1, dtype=int)
    absolute = np.abs(diff[ok & (diff != 0)])
    if absolute.size:
        c = classify(absolute, {"scheme": "quantiles", "k": 3})
        bins = tuple(math.floor(b) for b in c.upper)
    else:
        bins = ()
    k = len(bins)
    mid = k
    if k:
        side = np.minimum(np.searchsorted(np.asarray(bins, float), np.abs(diff[ok]), "left"), k - 1)
        cls = np.where(diff[ok] > 0, mid + 1 + side, np.where(diff[ok] < 0, mid - 1 - side, mid))
    else:
        cls = np.full(int(ok.sum()), mid)
    index[ok] = cls
    colors = _diverging(direction, 2 * k + 1)
    counts = tuple(int((index == i).sum()) for i in range(2 * k + 1))
    return DiffClasses(bins, tuple(colors), index, counts)


def range_texts(lo: Sequence[float], hi: Sequence[float], decimals: int, sign: bool) -> list[str]:
    from ..indicators import format_number

    def f(v: float) -> str:
        s = format_number(v, decimals)
        return f"+{s}" if sign and v > 0 else s

    return [f(a) if f(a) == f(b) else f"{f(a)} – {f(b)}" for a, b in zip(lo, hi, strict=True)]


def _legend(label: str, rows: list[Row], sub: Sequence[str], note: str | None) -> Any:
    t = text()
    return legend_body(
        label, rows, sub, note, toggle_title=t["legend_toggle"], count_title=t["count_title"]
    )


def _unavailable_reason(ind: Indicator, reasons: Sequence[str | None]) -> str:
    t = text()
    themed = t["unavailable_theme"].get(ind.theme)
    common = pd.Series([r for r in reasons if r]).value_counts()
    reason = str(common.index[0]) if len(common) else t["missing"]
    if themed and reason != t["missing"]:
        return themed
    return reason


@dataclass(frozen=True)
class ValueLegend:
    """The classes of one indicator over the buurten, as the map and the PNG draw them.

    Attributes
    ----------
    ints : numpy.ndarray
        Values as integers at the registry's decimals (NaN missing).
    bins : tuple of int
        Upper bound per class (integer units): a value is in the first class whose bound is
        at least the value (:func:`js_classes`).
    colors : tuple of str
        Fill colour per class.
    index : numpy.ndarray
        Class per buurt, -1 missing.
    rows : tuple of Row
        Legend rows: colour, range text, count; the grey "geen gegevens" rows last.
    why : list
        Per buurt the reason a value is missing (or None).
    """

    ints: np.ndarray
    bins: tuple[int, ...]
    colors: tuple[str, ...]
    index: np.ndarray
    rows: tuple[Row, ...]
    why: list

    def fill(self, i: int) -> str:
        """Fill colour of buurt ``i`` (grey when missing)."""
        from .classes import MISSING_COLOR

        k = int(self.index[i])
        return MISSING_COLOR if k < 0 else self.colors[k]


def value_legend(
    key: str, values: Sequence[float], reasons: Sequence[Any] | None = None
) -> ValueLegend:
    """Classes, colours and legend rows of indicator ``key``: the one computation behind the
    HTML legend (:func:`indicator_entries`) and the PNG (:func:`wijkgeo.maps.png`).

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.maps.data import value_legend
    >>> vl = value_legend("aandeel_65_plus", np.array([10.0, 20, 30, np.nan]))
    >>> [r.text for r in vl.rows][-1], vl.index.tolist()
    ('geen gegevens', [0, 1, 2, -1])
    """
    from ..indicators import get_indicator

    t = text()
    ind = get_indicator(key)
    dec = int(ind.decimals)
    ints = to_int(np.asarray(values, dtype=float), dec)
    stored = ints / 10**dec
    if reasons is None:
        reasons = [None] * len(ints)
    why = [None if r is None or r != r else str(r) for r in reasons]
    # classed on the integers: "v <= bound" then means "v <= floor(bound)", exactly as
    # engine.js compares; on the floats a quantile bound of 0.8999999999999999 would
    # put 0.9 in another class than the browser does
    classes = classify(ints, ind.classification, ind.direction)
    bins = int_bins(classes)
    index = js_classes(ints, bins)
    counts = [int((index == i).sum()) for i in range(len(bins))]
    if counts != list(classes.counts):  # cannot happen unless a bound sits on float noise
        log.warning("indicator %s: klassen in de browser wijken af van Python", key)
    lo = [float(stored[index == i].min()) for i in range(len(bins))]
    hi = [float(stored[index == i].max()) for i in range(len(bins))]
    ranges = range_texts(lo, hi, dec, sign=False)
    rows = [Row(c, r, n) for c, r, n in zip(classes.colors, ranges, counts, strict=True)]
    rows += missing_rows(why, index, t["missing"])
    return ValueLegend(ints, tuple(bins), tuple(classes.colors), index, tuple(rows), why)


def estimate_entries(
    keys: Sequence[str], buurten: Any, local: Any
) -> tuple[dict[str, dict[str, Any]], list[str] | None]:
    """Per model-estimate indicator its year and 95 % bounds (VLQ, like the values), and per
    buurt where its estimate comes from (``herkomst``): what the popup says beside the value.

    Returns
    -------
    (dict, list or None)
        ``{key: {"year": 2020, "lo": "...", "hi": "..."}}`` (``lo``/``hi`` only where the
        table publishes bounds) and the provenance per buurt, or ``None`` without estimates.
    """
    from ..indicators import estimate_bounds, get_indicator

    table = (local or {}).get("gezondheid")
    if table is None or not len(table) or "code" not in table.columns:
        return {}, None
    year = pd.to_numeric(table.get("gezondheid_jaar"), errors="coerce").dropna()
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        ind = get_indicator(key)
        if not ind.estimate:
            continue
        entry: dict[str, Any] = {"year": int(year.iloc[0]) if len(year) else None}
        bounds = estimate_bounds(buurten, key, level="buurt", local=local)
        if bounds is not None:
            lo = to_int(bounds[0].to_numpy(dtype=float), int(ind.decimals))
            hi = to_int(bounds[1].to_numpy(dtype=float), int(ind.decimals))
            entry["lo"], entry["hi"] = vlq_ints(lo), vlq_ints(hi)
        out[key] = entry
    notes = table.set_index(table["code"].astype(str))["herkomst"]
    notes = notes[~notes.index.duplicated()]
    codes = buurten["buurtcode"].astype(str) if "buurtcode" in buurten.columns else None
    herkomst = None
    if codes is not None:
        herkomst = [None if pd.isna(n) else str(n) for n in codes.map(notes)]
    return out, herkomst


def indicator_entries(
    keys: Sequence[str],
    values: pd.DataFrame,
    reasons: pd.DataFrame,
    refs: ReferenceValues,
    previous: pd.DataFrame | None = None,
    estimates: dict[str, dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON entries of all indicators, and the shared list of missing-value reasons.

    Parameters
    ----------
    keys : sequence of str
        Registry keys, in selector order.
    values, reasons : DataFrame
        From ``compute_with_reasons(...)``, indexed like the buurten.
    refs : ReferenceValues
        Gemeente (per group) and Nederland values.
    previous : DataFrame, optional
        Per buurt the previous year's value per indicator (NaN where not comparable).

    Returns
    -------
    (list of dict, list of str)
    """
    from ..indicators import get_indicator

    t = text()
    reason_list: list[str] = []
    reason_index: dict[str, int] = {}
    entries = []
    for key in keys:
        ind = get_indicator(key)
        dec = int(ind.decimals)
        vl = value_legend(key, values[key], reasons[key])
        ints, bins, rows, why = vl.ints, list(vl.bins), list(vl.rows), vl.why
        sub = [ind.unit, t["direction"].get(ind.direction, "")]
        legend = _legend(ind.label, rows, sub, ind.description)

        gem = to_int(refs.gemeente[key].to_numpy(), dec) if key in refs.gemeente else None
        gem_ints = gem if gem is not None else np.full(len(refs.groups), np.nan)
        total = ind.unit in t["total_units"]  # a count: its difference with a total is noise
        diff = ints - gem_ints[refs.group_of] if not total else np.full(len(ints), np.nan)
        dc = diff_classes(diff, ind.classification, ind.direction)
        k = len(dc.bins)
        if k:
            lows = [0, *dc.bins[:-1]]
            above = range_texts(
                [(a + 1) / 10**dec for a in lows],
                [b / 10**dec for b in dc.bins],
                dec,
                sign=True,
            )
            d_rows = [Row(dc.colors[k + 1 + j], above[j], dc.counts[k + 1 + j]) for j in range(k)][
                ::-1
            ]
            d_rows.append(Row(dc.colors[k], t["diff_equal"], dc.counts[k]))
            below = [r.replace("+", "-") for r in above]
            d_rows += [Row(dc.colors[k - 1 - j], below[j], dc.counts[k - 1 - j]) for j in range(k)]
        elif np.isfinite(diff).any():
            d_rows = [Row(dc.colors[0], t["diff_equal"], dc.counts[0])]
        else:
            d_rows = []
        d_missing = np.where(np.isfinite(diff), 0, -1)
        no_diff = t["diff_total"] if total else t["diff_no_reference"]
        d_why = [w if not math.isfinite(v) else no_diff for w, v in zip(why, ints, strict=True)]
        d_rows += missing_rows(d_why, d_missing, t["missing"])
        if len(refs.groups) == 1 and not total and math.isfinite(gem_ints[0]):
            from ..indicators import format_value

            note = f"{refs.groups[0]}: {format_value(key, gem_ints[0] / 10**dec)}"
        else:
            note = None
        d_legend = _legend(
            ind.label,
            d_rows,
            [t["diff_legend_title"], ind.unit if ind.unit != "%" else "procentpunt"],
            note,
        )

        offset = _offset(ints)
        miss: dict[str, list[int]] = {}
        for i in np.flatnonzero(~np.isfinite(ints)):
            reason = why[i] or t["missing"]
            if reason not in reason_index:
                reason_index[reason] = len(reason_list)
                reason_list.append(reason)
            miss.setdefault(str(reason_index[reason]), []).append(int(i))
        available = bool(np.isfinite(ints).any())
        nl = to_int(np.array([refs.nederland.get(key, np.nan)], dtype=float), dec)[0]
        entry: dict[str, Any] = {
            "key": key,
            "label": ind.label,
            "unit": ind.unit,
            "theme": ind.theme,
            "bw": ind.brede_welvaart,
            "dec": dec,
            "dir": ind.direction,
            "caveat": ind.caveats if ind.caveats else "",
            "o": offset,
            "v": vlq_ints(ints, offset),
            "miss": miss,
            "bins": bins,
            "colors": list(vl.colors),
            "dbins": list(dc.bins),
            "dcolors": list(dc.colors),
            "legend": legend,
            "dlegend": d_legend,
            "gem": [None if not math.isfinite(g) else int(g) for g in gem_ints],
            "nl": None if not math.isfinite(nl) else int(nl),
            "ok": available,
        }
        if not math.isfinite(nl) and refs.nederland_why.get(key):
            entry["nlwhy"] = refs.nederland_why[key]  # escaped with the payload
        if total:
            entry["total"] = True
        if not available:
            entry["why"] = _unavailable_reason(ind, why)
            # never selectable (greyed in the selector, left out of the check panel): its
            # legends and per-buurt reasons would only make the page heavier
            entry.update(miss={}, legend="", dlegend="", bins=[], colors=[], dbins=[])
        if previous is not None and key in previous.columns:
            entry["prev"] = vlq_ints(to_int(previous[key].to_numpy(), dec), offset)
        if estimates and key in estimates:
            entry["est"] = estimates[key]
        entries.append(entry)
    return entries, reason_list
