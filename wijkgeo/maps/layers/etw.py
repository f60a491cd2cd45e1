"""Map layer type ``etw`` (``static/layers/etw.js``): a table per wijk (the energietransitie's
planned year and strategy) as dashed wijk outlines on the shared topology.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

from ._shared import _category_index, _legend, _members, _outline_arcs, _text, _year, layer_style

if TYPE_CHECKING:  # pragma: no cover
    from ..maplayer import MapLayer


def energietransitie_layer(
    table: pd.DataFrame, buurten: gpd.GeoDataFrame, wijken: Any, topo: Any, *, visible: bool = True
) -> MapLayer | None:
    """The energietransitie table (per wijk: planjaar, strategie) as outlined wijken."""
    from ..maplayer import MapLayer

    style = layer_style("energietransitie")
    if "wijkcode" not in table.columns or "wijkcode" not in buurten.columns:
        return None
    bw = buurten["wijkcode"].astype(str).to_numpy()
    names = {}
    if wijken is not None and wijken is not False and "wijknaam" in getattr(wijken, "columns", []):
        names = dict(zip(wijken["wijkcode"].astype(str), wijken["wijknaam"], strict=False))
    rows = table[table["wijkcode"].astype(str).isin(set(bw))].reset_index(drop=True)
    cat, cats = _category_index(rows.get(style["column"], pd.Series([""] * len(rows))), style)
    items, pairs = [], []
    for j, rec in rows.iterrows():
        code = str(rec["wijkcode"])
        members = set(np.flatnonzero(bw == code).tolist())
        pairs += [(b, j) for b in members]
        items.append(
            {
                "code": code,
                "name": _text(names.get(code)) or code,
                "year": _year(rec.get("planjaar")),
                "cat": int(cat[j]),
                "note": _text(rec.get("toelichting")),
                "arcs": _outline_arcs(topo, members),
                "b": sorted(members),
            }
        )
    counts = np.bincount(cat, minlength=len(cats)) if len(cat) else np.zeros(len(cats), int)
    rows_legend = [
        (c["color"], c["label"], int(n)) for c, n in zip(cats, counts, strict=True) if n > 0
    ]
    spec = {
        "items": items,
        "cats": [{"label": c["label"], "color": c["color"]} for c in cats],
        "in_buurt": _members(len(buurten), pairs),
        "legend": _legend(style["legend_title"], rows_legend, "line"),
        "title": style["label"],
    }
    return MapLayer("energietransitie", "etw", style["label"], visible=visible, spec=spec)
