"""Map layer type ``grid`` (``static/layers/grid.js``): the 500 m cells with a selector of
variables, CBS's own figures beside buurt values spread over the cells (labelled estimates).

It renders the fact model's cell level (:func:`wijkgeo.facts.cell_facts`): which cells, their
values and why a value is missing are the facts', never computed here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ._shared import _wgs, encode_shape, layer_style

if TYPE_CHECKING:  # pragma: no cover
    from ...facts.model import LevelFacts
    from ..maplayer import MapLayer


def _grid_palette(name: str, n: int) -> list[str]:
    from branca.utilities import color_brewer

    colors = list(color_brewer(name, max(n, 3)))
    return colors[-n:] if n < 3 else colors


def grid_layer(cells: LevelFacts, *, visible: bool = False) -> MapLayer | None:
    """The 500 m cells with a selector of variables: CBS's own and estimated from buurten.

    ``cells`` is the facts' cell level (:func:`wijkgeo.facts.cell_facts`): its cells, its
    variables (``grid/variables.json``, those with a value) and their values. Classes and
    legends are computed as for the buurten (:func:`wijkgeo.maps.classes.classify`,
    quantiles), the missing class included.
    """
    import geopandas as gpd

    from ...facts.model import cell_column
    from ...indicators import get_indicator
    from ..classes import MISSING_COLOR, classify, missing_color
    from ..data import int_bins, js_classes, range_texts, text, to_int, vlq_ints
    from ..legend import Row, legend_body, missing_rows
    from ..maplayer import MapLayer

    style = layer_style("grid")
    t = text()
    codes = cells.codes
    wgs = _wgs(gpd.GeoDataFrame(geometry=cells.shapes.reindex(codes).to_numpy(),
                                crs=cells.shapes.crs))
    variables = []
    why: dict[str, int] = {}  # the facts' reasons, each once: spec["reasons"][i]
    for var in cells.variables:
        column = cell_column(var)
        if column not in cells.table.columns:
            continue
        vals = cells.table[column].reindex(codes).to_numpy(dtype=float)
        if not np.isfinite(vals).any():
            continue
        dec = int(var.get("decimals", 0))
        ints = to_int(vals, dec)
        classes = classify(ints, {"scheme": "quantiles", "k": 5}, "neutraal")
        # the cells get their own palette: with the buurten on, the two never read alike
        colors = _grid_palette(style.get("palette", "YlOrBr"), len(classes.colors))
        classes = replace(classes, colors=tuple(colors))
        bins = int_bins(classes)
        index = js_classes(ints, bins)
        stored = ints / 10**dec
        lo = [float(stored[index == i].min()) for i in range(len(bins))]
        hi = [float(stored[index == i].max()) for i in range(len(bins))]
        counts = [int((index == i).sum()) for i in range(len(bins))]
        rows = [
            Row(c, r, n)
            for c, r, n in zip(
                classes.colors, range_texts(lo, hi, dec, False), counts, strict=True
            )
        ]
        reasons = [None] * len(ints)
        if cells.reasons is not None and column in cells.reasons.columns:
            reasons = [
                None if r is None or r != r else str(r)
                for r in cells.reasons[column].reindex(codes).tolist()
            ]
        rows += missing_rows(reasons, index, t["missing"])
        source = style["bron_labels"][var["bron"]]
        legend = legend_body(
            var["label"], rows, [var["unit"], source], None, count_title=t["count_cells"]
        )
        entry = {
            "key": var["key"],
            "label": var["label"],
            "source": source,
            "kind": var["bron"],
            "unit": var["unit"],
            "dec": dec,
            "v": vlq_ints(ints),
            "bins": bins,
            "colors": list(classes.colors),
            "legend": legend,
        }
        gone = [r if np.isnan(x) else None for r, x in zip(reasons, ints, strict=True)]
        if any(r is not None for r in gone):  # why a cell has no value, as the facts say
            entry["why"] = vlq_ints(
                np.array([np.nan if r is None else why.setdefault(r, len(why)) for r in gone])
            )
        if var.get("indicator") and f"{column}_rang" in cells.table.columns:
            # a registry indicator: its rank among the cells and the gemeente's figure
            ind = get_indicator(column)
            table = cells.table.reindex(codes)
            ref = to_int(table[f"{column}_gemeente"].to_numpy(dtype=float)[:1], dec)
            entry["rank"] = vlq_ints(table[f"{column}_rang"].to_numpy(dtype=float))
            entry["of"] = vlq_ints(table[f"{column}_rang_van"].to_numpy(dtype=float))
            entry["ref"] = None if not len(ref) or np.isnan(ref[0]) else int(ref[0])
            entry["rank_end"] = t["rank_end"][ind.direction]
        variables.append(entry)
    if not variables:
        return None
    spec = {
        "cells": [encode_shape(g) for g in wgs.geometry],
        "codes": [str(c) for c in codes],
        "vars": variables,
        "missing_color": MISSING_COLOR,
        "reasons": list(why),
        "reason_colors": [missing_color(r) for r in why],
        "rank_label": t["grid_rank"],
        "rank_of": t["popup_rank_of"],
        "ref_label": t["popup_gemeente"],
        "legend_title": style["legend_title"],
        "choose": t["grid_choose"],
        "title": style["label"],
    }
    return MapLayer("vierkanten", "grid", style["label"], visible=visible, spec=spec)
