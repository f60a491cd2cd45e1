"""The map's "verschil met vergelijkbare buurten" view: each buurt against its peers' median.

Beside "verschil met gemeente", a third view colours each buurt by the difference between
its value and the median of its structurally similar buurten across the country
(:mod:`wijkgeo.indicators.similar`, via :class:`wijkgeo.profile.peers.PeerContext`); the
popup shows the peers' median. Only outcome indicators (with a direction, not in the
similarity profile) have peers' medians; other indicators are grey with the reason. When the
reference is of an earlier year than the map, the view compares the buurt's own value of
that year (never a newer value with older peers) and the legend and popup say the year.

:func:`add_peer_entries` adds to each indicator entry of :func:`wijkgeo.maps.data.indicator_entries`
``pm`` (peers' medians, VLQ, same offset and decimals as the values), ``po`` (the buurt's
own value of the reference year, only when that year differs), ``pdbins``/``pdcolors`` (the
diverging classes, as for the gemeente) and ``pdlegend``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .data import _legend, diff_classes, range_texts, text, to_int, vlq_ints
from .legend import Row, missing_rows

__all__ = ["add_peer_entries", "add_wijk_peer_entries", "peer_payload"]


def _words() -> dict[str, str]:
    t = text()
    return {k: t[k] for k in t if k.startswith(("peers_", "mode_peers", "popup_peers"))}


def add_peer_entries(
    entries: list[dict[str, Any]],
    buurtcodes: Sequence[str],
    values: pd.DataFrame,
    ctx: Any,
    *,
    prefix: str = "",
) -> None:
    """Add the peers' medians and the difference classes to the map's indicator entries.

    Parameters
    ----------
    entries : list of dict
        :func:`wijkgeo.maps.data.indicator_entries` output (changed in place).
    buurtcodes : sequence of str
        The map's buurtcodes, in the map's order (with ``prefix="w"``: the wijkcodes of
        the payload's ``area`` block, in its order).
    values : DataFrame
        The map's indicator values, in the same order.
    ctx : PeerContext
        :func:`wijkgeo.profile.peers.peer_context` of the map's buurten (with ``prefix="w"``:
        its ``wijk`` context).
    prefix : str
        ``"w"``: the wijk mode's keys (``wpm``, ``wpo``, ``wpdbins``, ``wpdcolors``,
        ``wpdlegend``, ``wpwhy``): every wijk against the wijken of the country.
    """
    from ..indicators import get_indicator

    t = text()
    codes = [str(c) for c in buurtcodes]
    frame = ctx.frame.reindex(codes)
    reason = frame["vergelijking"] if "vergelijking" in frame.columns else None
    other_year = ctx.year != ctx.atlas_year
    own_values = ctx.result.values.reindex(codes) if ctx.result is not None else None
    wijk = "_wijk" if prefix else ""
    title = t[f"peers_legend_title{wijk}"] + (f" ({ctx.year})" if other_year else "")
    for entry in entries:
        key = entry["key"]
        col = f"{key}_mediaan_vergelijkbaar"
        ind = get_indicator(key)
        if col not in frame.columns or entry.get("total"):
            entry[f"{prefix}pwhy"] = t[f"peers_not_outcome{wijk}"]
            continue
        if not frame[col].notna().any():  # e.g. a health estimate: not in the Kerncijfers
            entry[f"{prefix}pwhy"] = t[f"peers_not_in_reference{wijk}"].format(year=ctx.year)
            continue
        dec = int(ind.decimals)
        med = to_int(frame[col].to_numpy(dtype="float64"), dec)
        offset = int(entry.get("o", 0))
        if other_year and own_values is not None and key in own_values.columns:
            own = to_int(own_values[key].to_numpy(dtype="float64"), dec)
            entry[f"{prefix}po"] = vlq_ints(own, offset)
        else:
            own = to_int(values[key].to_numpy(dtype="float64"), dec)
        diff = own - med
        dc = diff_classes(diff, ind.classification, ind.direction)
        k = len(dc.bins)
        rows: list[Row] = []
        if k:
            lows = [0, *dc.bins[:-1]]
            above = range_texts(
                [(a + 1) / 10**dec for a in lows], [b / 10**dec for b in dc.bins], dec, sign=True
            )
            rows = [Row(dc.colors[k + 1 + j], above[j], dc.counts[k + 1 + j]) for j in range(k)]
            rows = rows[::-1]
            rows.append(Row(dc.colors[k], t[f"peers_equal{wijk}"], dc.counts[k]))
            below = [r.replace("+", "-") for r in above]
            rows += [Row(dc.colors[k - 1 - j], below[j], dc.counts[k - 1 - j]) for j in range(k)]
        elif np.isfinite(diff).any():
            rows = [Row(dc.colors[0], t[f"peers_equal{wijk}"], dc.counts[0])]
        why = []
        for i in range(len(codes)):
            if math.isfinite(diff[i]):
                why.append(None)
            elif reason is not None and isinstance(reason.iloc[i], str) and reason.iloc[i]:
                why.append(str(reason.iloc[i]))
            else:
                why.append(t[f"peers_none{wijk}"])
        rows += missing_rows(why, np.where(np.isfinite(diff), 0, -1), t["missing"])
        unit = ind.unit if ind.unit != "%" else t["percent_point"]
        entry[f"{prefix}pm"] = vlq_ints(med, offset)
        entry[f"{prefix}pdbins"] = list(dc.bins)
        entry[f"{prefix}pdcolors"] = list(dc.colors)
        entry[f"{prefix}pdlegend"] = _legend(
            ind.label, rows, [title, unit], ctx.explanation or None
        )


def add_wijk_peer_entries(
    entries: list[dict[str, Any]], area: dict[str, Any], wijken: Any, ctx: Any, local: Any = None
) -> bool:
    """The wijk mode of the peers view: each wijk against the wijken of the country.

    ``area`` is the payload's wijk block (:func:`wijkgeo.maps.view.wijk_values`), ``wijken``
    the Atlas's wijken in the same order, ``ctx`` the buurten's :class:`PeerContext` (its
    ``wijk`` context is used). Adds :func:`add_peer_entries` with ``prefix="w"``; False
    (nothing added) without a wijk comparison.
    """
    from .._errors import WijkgeoError
    from ..indicators import compute

    sub = getattr(ctx, "wijk", None)
    if sub is None or sub.result is None or area is None:
        return False
    keys = [e["key"] for e in entries]
    try:
        values = compute(wijken, keys, level="wijk", local=local).reset_index(drop=True)
    except WijkgeoError:
        return False
    add_peer_entries(entries, area["codes"], values, sub, prefix="w")
    return True


def peer_payload(ctx: Any) -> dict[str, Any]:
    """What engine.js needs besides the entries: the years and the Dutch words."""
    return {
        "year": int(ctx.year),
        "other_year": ctx.year != ctx.atlas_year,
        "wijken": getattr(ctx, "wijk", None) is not None,
        "words": dict(_words()),  # escaped with the payload
    }
