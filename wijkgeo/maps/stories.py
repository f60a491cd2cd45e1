"""What numbers don't say, on the map: residents' stories and what initiatives achieved.

:func:`wijkgeo.maps.overlays.story_layer` draws the ``verhalen`` layer as a ``points``
layer (the engine type of the voorzieningen and initiatives): a circle per story, coloured
by its source role, with its date, theme, text and the indicator it is about in the popup.
A story placed by a buurt or wijk code sits at a point inside that area and belongs, for the
"Check deze plek" panel, to that buurt or to every buurt of that wijk
(:func:`story_places`). :func:`initiative_info` is the popup line of an initiative with its
results (what changed, participants, last update).

Every string is escaped here with :func:`~wijkgeo.maps.escape.esc`: stories are free text
typed by people, data like any name.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.maps.overlays import story_layer
>>> atlas = wijkgeo.make_demo()
>>> layer = story_layer(atlas.local["verhalen"], atlas.buurten)
>>> layer.type, len(layer.spec["names"]) == len(atlas.local["verhalen"])
('points', True)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .escape import esc

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["initiative_info", "story_places"]


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _date(value: Any) -> str:
    from ..koppelkansen.explain import dutch_date

    d = pd.to_datetime(value, errors="coerce")
    return "" if pd.isna(d) else dutch_date(d.date())


def _about(key: str) -> str:
    """The label of the indicator a story is about (the key itself when unknown)."""
    from .._errors import ConfigError
    from ..indicators import get_indicator

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

    from ..joins import assign_points

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


def initiative_info(rec: Any) -> str:
    """The escaped popup line of an initiative's results ("" when it has none).

    Examples
    --------
    >>> initiative_info({"wat_is_veranderd": "Een <b>groen</b> plein", "deelnemers": "40"})
    'Wat is veranderd: Een &lt;b&gt;groen&lt;/b&gt; plein (40 deelnemers)'
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
    return str(esc(text.strip()))
