"""Map layer type ``shapes`` (``static/layers/shapes.js``): lines and areas of a local layer
(projecten) by category, with a from-to year filter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

from ._shared import (
    QUANTUM,
    _buurt_pairs,
    _category_index,
    _legend,
    _members,
    _near_label,
    _present_pairs,
    _text,
    _wgs,
    _year,
    encode_shape,
    layer_style,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..maplayer import MapLayer


def projecten_layer(
    frame: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    *,
    visible: bool = True,
    present: Any = None,
) -> MapLayer:
    """Projects (lines and areas) by theme, with start and end year for the year filter.

    ``present``: as for :func:`point_layer` (the check panel lists "wat er al is")."""
    from ..maplayer import MapLayer

    style = layer_style("projecten")
    valid = (frame.geometry.notna() & ~frame.geometry.is_empty).to_numpy(dtype=bool)
    proj = frame[valid].reset_index(drop=True)
    wgs = _wgs(proj)
    cat, cats = _category_index(proj.get(style["column"], pd.Series([""] * len(proj))), style)
    items = []
    for j, rec in proj.iterrows():
        start, end = _year(rec.get("startjaar")), _year(rec.get("eindjaar"))
        items.append(
            {
                "g": encode_shape(wgs.geometry.iloc[j]),
                "cat": int(cat[j]),
                "name": _text(rec.get("naam")) or _text(rec.get("id")),
                "owner": _text(rec.get("eigenaar")),
                "status": _text(str(rec.get("status") or "").replace("_", " ")),
                "from": start,
                "to": end if end is not None else start,
                "note": _text(rec.get("toelichting")),
            }
        )
    years = [y for it in items for y in (it["from"], it["to"]) if y is not None]
    counts = np.bincount(cat, minlength=len(cats)) if len(cat) else np.zeros(len(cats), int)
    rows_legend = [
        (c["color"], c["label"], int(n)) for c, n in zip(cats, counts, strict=True) if n > 0
    ]
    spec = {
        "items": items,
        "q": QUANTUM,
        "cats": [{"label": c["label"], "color": c["color"]} for c in cats],
        "years": [min(years), max(years)] if years else None,
        "legend": _legend(style["legend_title"], rows_legend, "line"),
        "title": style["label"],
    }
    if present is not None:
        pairs, spec["near"] = _present_pairs(present, "projecten", buurten, valid)
        spec["near_label"] = _near_label(present)
    else:
        pairs = _buurt_pairs(proj.to_crs(buurten.crs).geometry.to_numpy(), buurten)
    spec["in_buurt"] = _members(len(buurten), pairs)
    return MapLayer("projecten", "shapes", style["label"], visible=visible, spec=spec)
