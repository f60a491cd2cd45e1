"""Map layer type ``kansen`` (``static/layers/kansen.js``): the units of the koppelkansen
(buurten, wijken, 500 m cells), each with its rules, reasons and "wat er al is".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

from ._shared import _legend, _members, _outline_arcs, _text, encode_shape, layer_style

if TYPE_CHECKING:  # pragma: no cover
    from ..maplayer import MapLayer


def koppelkansen_layer(
    result: Any,
    buurten: gpd.GeoDataFrame,
    topo: Any,
    *,
    near_misses: bool = True,
    visible: bool = True,
) -> MapLayer | None:
    """Units of the koppelkansen (buurten, wijken, 500 m cells), each with its rules.

    ``result`` is a :class:`~wijkgeo.koppelkansen.KoppelkansResult`. Per unit the popup
    lists every matched rule: title, the explanation with its numbers, the robustness
    (ruim/krap), the partners and the assets the evaluation found in or near the unit.
    Near misses are listed apart, labelled "bijna".
    """
    import shapely

    from ..maplayer import MapLayer

    style = layer_style("koppelkansen")
    frames = [result.matches]
    if near_misses and result.near_misses is not None and len(result.near_misses):
        frames.append(result.near_misses)
    if not len(result.matches):
        return None
    rows = pd.concat([f for f in frames if len(f)], ignore_index=True)
    # a near miss is listed ("bijna") in the popup of a unit that has a koppelkans, not drawn
    # as a unit of its own: on the demo that halves the badges and keeps the map readable
    m = result.matches
    matched = set(zip(m["niveau"].astype(str), m["code"].astype(str), strict=True))
    keep = [(str(a), str(b)) in matched for a, b in zip(rows["niveau"], rows["code"], strict=True)]
    rows = rows[np.asarray(keep, dtype=bool)].reset_index(drop=True)
    codes = buurten["buurtcode"].astype(str).to_numpy()
    bindex = {c: i for i, c in enumerate(codes)}
    wijk_of = buurten["wijkcode"].astype(str).to_numpy() if "wijkcode" in buurten else None
    rd = buurten.geometry.to_numpy()
    tree = shapely.STRtree(rd)
    units: dict[tuple[str, str], dict[str, Any]] = {}
    order: dict[tuple[str, str], int] = {}
    pairs: list[tuple[int, int]] = []
    for rec in rows.itertuples(index=False):
        key = (str(rec.niveau), str(rec.code))
        if key not in units:
            order[key] = len(order)
            unit: dict[str, Any] = {
                "level": rec.niveau,
                "code": rec.code,
                "name": _text(rec.naam),
                "items": [],
            }
            if rec.niveau == "buurt" and rec.code in bindex:
                members = [bindex[rec.code]]
            elif rec.niveau == "wijk" and wijk_of is not None:
                members = np.flatnonzero(wijk_of == rec.code).tolist()
                unit["arcs"] = _outline_arcs(topo, set(members))
            else:
                geom = rec.geometry
                hits = tree.query(geom, predicate="intersects")
                members = [
                    int(b) for b in hits if shapely.area(shapely.intersection(geom, rd[b])) > 1.0
                ]
                import geopandas as gpd

                cell = gpd.GeoSeries([geom], crs=buurten.crs).to_crs(4326).iloc[0]
                unit["g"] = encode_shape(cell)
            unit["b"] = members
            units[key] = unit
        unit = units[key]
        pairs += [(b, order[key]) for b in unit["b"]]
        unit["items"].append(
            {
                "title": _text(rec.titel),
                "status": str(rec.status),
                "rob": _text(rec.robuustheid) if rec.robuustheid else None,
                "met": f"{int(rec.n_voldaan)}/{int(rec.n_condities)}",
                "why": _text(rec.uitleg),
                "partners": _text(rec.partners),
                "init": [_text(x) for x in rec.initiatieven],
                "voorz": [_text(x) for x in rec.voorzieningen],
                "proj": [_text(x) for x in rec.projecten],
            }
        )
    items = list(units.values())
    for unit in items:
        kinds = {it["status"] for it in unit["items"]}
        robs = {it["rob"] for it in unit["items"] if it["status"] == "kans"}
        unit["style"] = "ruim" if "ruim" in robs else "krap" if "kans" in kinds else "bijna"
    counts = {k: sum(u["style"] == k for u in items) for k in ("ruim", "krap", "bijna")}
    legend_rows = [
        (style[k]["color"], style[k]["label"], counts[k])
        for k in ("ruim", "krap", "bijna")
        if counts[k]
    ]
    spec = {
        "units": items,
        "colors": {k: style[k]["color"] for k in ("ruim", "krap", "bijna")},
        "in_buurt": _members(len(buurten), pairs),
        "legend": _legend(style["legend_title"], legend_rows, "area"),
        "title": style["label"],
    }
    return MapLayer("koppelkansen", "kansen", style["label"], visible=visible, spec=spec)
