"""Map layer type ``verhalen`` (drawn by ``static/layers/points.js``): residents' stories,
and what initiatives achieved in their popups.

:func:`story_layer` draws the ``verhalen`` layer as a ``points`` layer (the engine type of
the voorzieningen and initiatives): a circle per story, coloured by its source role, with
its date, theme, text and the indicator it is about in the popup. A story placed by a
buurt or wijk code sits at a point inside that area and belongs, for the "Check deze
plek" panel, to that buurt or to every buurt of that wijk. :func:`initiative_info` is the
popup line of an initiative with its results (what changed, participants, last update).

Strings stay raw here and are escaped once with the payload
(:func:`~wijkgeo.maps.escape.escape_payload`): stories are free text typed by people, data
like any name; the one line break in a story's popup is built with
:func:`~wijkgeo.maps.escape.html`.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.maps.layers.stories import story_layer
>>> atlas = wijkgeo.make_demo()
>>> layer = story_layer(atlas.local["verhalen"], atlas.buurten)
>>> layer.type, len(layer.spec["names"]) == len(atlas.local["verhalen"])
('points', True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..escape import html

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..maplayer import MapLayer

__all__ = ["initiative_info", "story_layer", "story_places"]


def _text(value: Any) -> str:
    from ...koppelkansen.explain import cell_text

    return cell_text(value)


def _date(value: Any) -> str:
    from ...koppelkansen.explain import cell_date

    return cell_date(value)


def _about(key: str) -> str:
    """The label of the indicator a story is about (the key itself when unknown)."""
    from ..._errors import ConfigError
    from ...indicators import get_indicator

    if not key:
        return ""
    try:
        return get_indicator(key).label
    except ConfigError:
        return key


def story_places(
    stories: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame
) -> tuple[np.ndarray, list[list[int]]]:
    """A point (EPSG:28992) per story and, per story, the buurten (by position) it is about.

    A story with a point lies in the buurt that contains it; one with a buurt code in that
    buurt (at a point inside it); one with only a wijk code in every buurt of the wijk (at a
    point inside the wijk).
    """
    import shapely

    from ...joins import assign_points

    codes = buurten["buurtcode"].astype(str).to_numpy()
    wijk_of = buurten["wijkcode"].astype(str).to_numpy()
    pos = {c: i for i, c in enumerate(codes)}
    has_point = stories.geometry.notna().to_numpy() & ~stories.geometry.is_empty.to_numpy()
    assigned = assign_points(stories[has_point], buurten, code="buurtcode")
    where = dict(zip(np.flatnonzero(has_point), assigned.to_numpy(), strict=True))
    points = np.empty(len(stories), dtype=object)
    members: list[list[int]] = []
    for j in range(len(stories)):
        bu = _text(stories["buurtcode"].iloc[j]) if "buurtcode" in stories.columns else ""
        wk = _text(stories["wijkcode"].iloc[j]) if "wijkcode" in stories.columns else ""
        if has_point[j]:
            points[j] = stories.geometry.iloc[j]
            code = where.get(j)
            members.append([pos[code]] if isinstance(code, str) and code in pos else [])
        elif bu in pos:
            points[j] = buurten.geometry.iloc[pos[bu]].representative_point()
            members.append([pos[bu]])
        else:
            idx = [i for i, w in enumerate(wijk_of) if w == wk]
            members.append(idx)
            area = shapely.union_all(buurten.geometry.to_numpy()[idx]) if idx else None
            points[j] = area.representative_point() if area is not None else None
    return points, members


def story_layer(
    stories: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame, *, visible: bool = True
) -> MapLayer:
    """The ``verhalen`` layer: one circle per story, coloured by source role.

    Parameters
    ----------
    stories : GeoDataFrame
        ``atlas.local["verhalen"]`` (EPSG:28992; rows without a point carry a code).
    buurten : GeoDataFrame
        The buurten of the map, in the map's order (their positions index ``in_buurt``).
    visible : bool
        Shown when the map opens.
    """
    import geopandas as gpd

    from ..maplayer import MapLayer
    from ._shared import QUANTUM, _category_index, _legend, _members, encode_points, layer_style

    style = layer_style("verhalen")
    points, members = story_places(stories, buurten)
    keep = np.array([p is not None for p in points], dtype=bool)
    sel = stories[keep].reset_index(drop=True)
    members = [m for m, k in zip(members, keep, strict=True) if k]
    wgs = gpd.GeoSeries(list(points[keep]), crs=buurten.crs).to_crs(4326)
    cat, cats = _category_index(sel.get(style["column"], pd.Series([""] * len(sel))), style)
    themes = layer_style("verhalen").get("themes", {})
    names, info = [], []
    for _, rec in sel.iterrows():
        theme = _text(rec.get("thema"))
        names.append(themes.get(theme, theme).capitalize() or style["label"])
        meta = [_date(rec.get("datum"))]
        about = _about(_text(rec.get("gaat_over")))
        if about:
            meta.append(f"{style['about']} {about}")
        # raw text, escaped once with the payload; the line break is the only markup
        info.append(html("“{}”<br>{}", _text(rec.get("tekst")), " · ".join(m for m in meta if m)))
    pairs = [(b, j) for j, bs in enumerate(members) for b in bs]
    counts = np.bincount(cat, minlength=len(cats)) if len(cat) else np.zeros(len(cats), int)
    legend_rows = [
        (c["color"], c["label"], int(n)) for c, n in zip(cats, counts, strict=True) if n > 0
    ]
    spec = {
        "pts": encode_points(wgs.y.to_numpy(), wgs.x.to_numpy()),
        "q": QUANTUM,
        "cat": cat.tolist(),
        "cats": [{"label": c["label"], "color": c["color"], "symbol": ""} for c in cats],
        "names": names,
        "info": info,
        "cluster": False,
        "clusterPx": 44,
        "in_buurt": _members(len(buurten), pairs),
        "legend": _legend(style["legend_title"], legend_rows, "dot"),
        "title": style["label"],
    }
    return MapLayer("verhalen", "points", style["label"], visible=visible, spec=spec)


def initiative_info(rec: Any) -> str:
    """The popup line of an initiative's results ("" when it has none), as raw text: the
    payload is escaped in one pass (:func:`~wijkgeo.maps.escape.escape_payload`).

    Examples
    --------
    >>> initiative_info({"wat_is_veranderd": "Een groen plein", "deelnemers": "40"})
    'Wat is veranderd: Een groen plein (40 deelnemers)'
    """
    changed = _text(rec.get("wat_is_veranderd"))
    counts = []
    for col, word in (("deelnemers", "deelnemers"), ("vrijwilligers", "vrijwilligers")):
        n = _text(rec.get(col))
        if n:
            counts.append(f"{n} {word}")
    updated = _date(rec.get("bijgewerkt"))
    if updated:
        counts.append(f"bijgewerkt {updated}")
    if not changed and not counts:
        return ""
    text = (f"Wat is veranderd: {changed}" if changed else "") + (
        f" ({', '.join(counts)})" if counts else ""
    )
    return text.strip()
