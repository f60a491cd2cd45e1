"""Map layer type ``points`` (``static/layers/points.js``): points of a local layer with a
category colour or letter, optionally clustered on a grid; the "Check deze plek" panel lists
"wat er al is" (:mod:`wijkgeo.facts.present`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

from ...kinds import kind
from ._shared import (
    QUANTUM,
    _category_index,
    _date,
    _legend,
    _members,
    _near_label,
    _present_pairs,
    _text,
    _wgs,
    encode_points,
    layer_style,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..maplayer import MapLayer


def point_layer(
    layer_id: str,
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    style_name: str,
    *,
    cluster: bool,
    visible: bool = True,
    present: Any = None,
) -> MapLayer:
    """Points of a local layer (voorzieningen, bewonersinitiatieven) as a ``points`` layer.

    ``present`` (a :class:`wijkgeo.facts.present.Present` of the buurten): the "Check deze
    plek" panel then lists "wat er al is" by its one rule (active on the peildatum, in the
    buurt or near it); without it, the points in the buurt.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps.layers.points import point_layer
    >>> atlas = wijkgeo.make_demo()
    >>> layer = point_layer("voorzieningen", atlas.local["voorzieningen"], atlas.buurten,
    ...                     "voorzieningen", cluster=True)
    >>> layer.type, len(layer.spec["names"]) == len(atlas.local["voorzieningen"])
    ('points', True)
    """
    from ...joins import assign_points
    from ..maplayer import MapLayer
    from .stories import initiative_info

    style = layer_style(style_name)
    valid = (points.geometry.notna() & ~points.geometry.is_empty).to_numpy(dtype=bool)
    pts = points[valid].reset_index(drop=True)
    wgs = _wgs(pts)
    cat, cats = _category_index(pts.get(style["column"], pd.Series([""] * len(pts))), style)
    near = None
    if present is not None:
        key = kind(style_name).get("aanwezig", layer_id)  # its key in "wat er al is"
        pairs, near = _present_pairs(present, key, buurten, valid)
    else:
        codes = assign_points(pts, buurten)
        index = {c: i for i, c in enumerate(buurten["buurtcode"].astype(str))}
        pairs = [(index[c], j) for j, c in enumerate(codes) if isinstance(c, str) and c in index]
    info = []
    for _, rec in pts.iterrows():
        extra = []
        if "thema" in pts.columns and _text(rec.get("thema")):
            extra.append(_text(rec.get("thema")))
        start, end = _date(rec.get("startdatum")), _date(rec.get("einddatum"))
        if start or end:
            extra.append(f"{start or '?'} – {end or '?'}")
        result = initiative_info(rec)  # an initiative's results, when the layer has them
        info.append(" · ".join([*extra, result] if result else extra))
    counts = np.bincount(cat, minlength=len(cats)) if len(cat) else np.zeros(len(cats), int)
    legend_rows = [
        (c["color"], c["label"], int(n), c.get("symbol", ""))
        for c, n in zip(cats, counts, strict=True)
        if n > 0
    ]
    spec = {
        "pts": encode_points(wgs.geometry.y.to_numpy(), wgs.geometry.x.to_numpy()),
        "q": QUANTUM,
        "cat": cat.tolist(),
        "cats": [
            {
                "label": c["label"],
                "color": c["color"],
                "symbol": c.get("symbol", ""),
            }
            for c in cats
        ],
        "names": [
            _text(v) or _text(i)
            for i, v in zip(
                pts.get("id", pd.Series(pts.index)),
                pts.get("naam", pd.Series([None] * len(pts))),
                strict=True,
            )
        ],
        "info": info,
        "cluster": bool(cluster),
        "clusterPx": int(style.get("cluster_px", 44)),
        "in_buurt": _members(len(buurten), pairs),
        "legend": _legend(style["legend_title"], legend_rows, "letter" if cluster else "dot"),
        "title": style["label"],
    }
    if near is not None:
        spec["near"], spec["near_label"] = near, _near_label(present)
    return MapLayer(layer_id, "points", style["label"], visible=visible, spec=spec)
