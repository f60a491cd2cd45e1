"""How a written map first looks and what page it sits in: opening indicator, opening view,
and a page that is accessible (WCAG 2.1 AA: ``lang="nl"``, zooming allowed).

:func:`opening_indicator`
    The first available indicator that is a rate or share, not a count: a choropleth of
    counts mostly shows which buurten are large.
:func:`populated_bounds`
    The view that holds where people live (the buurten with a given share of the
    inhabitants, nearest the population's centre first), so a harbour or a dune area does
    not push the city into a corner.
:func:`wijk_values`
    The wijken's own figures for the map's "Gebied: wijken" (``engine.js``): each entry
    gets ``wv`` (its wijk values, encoded like the buurt values), the payload ``area``.
:func:`dutch_page`
    Puts a ``folium.Map`` in a page with ``<html lang="nl">`` and a viewport that lets the
    reader zoom (folium's own template sets ``user-scalable=no``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
from branca.element import Figure

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

__all__ = [
    "DutchFigure",
    "dutch_page",
    "opening_indicator",
    "populated_bounds",
    "wijk_values",
]

#: Share of the gemeente's inhabitants the opening view holds.
POPULATED_SHARE = 0.9


def opening_indicator(entries: list[dict[str, Any]]) -> str | None:
    """The key of the first available entry that is not a count (``total``).

    Examples
    --------
    >>> opening_indicator([{"key": "inwoners", "ok": True, "total": True},
    ...                    {"key": "aandeel_65_plus", "ok": True, "total": False}])
    'aandeel_65_plus'
    """
    for e in entries:
        if e.get("ok") and not e.get("total"):
            return str(e["key"])
    return next((str(e["key"]) for e in entries if e.get("ok")), None)


def populated_bounds(
    frame: gpd.GeoDataFrame, population: Any, share: float = POPULATED_SHARE
) -> tuple[float, float, float, float]:
    """Bounds (minx, miny, maxx, maxy, in the frame's CRS) of the buurten that hold ``share``
    of the inhabitants, taken nearest the population-weighted centre first.

    Without population figures it is the whole frame.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> f = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(50, 0, 90, 40)])
    >>> populated_bounds(f, [5000, 4000, 10])
    (0.0, 0.0, 2.0, 1.0)
    """
    pop = np.nan_to_num(np.asarray(population, dtype="float64"), nan=0.0).clip(min=0)
    geoms = frame.geometry
    if not len(frame) or pop.sum() <= 0:
        return tuple(float(v) for v in geoms.total_bounds)  # type: ignore[return-value]
    pts = geoms.representative_point()
    x, y = pts.x.to_numpy(), pts.y.to_numpy()

    def wmedian(v: np.ndarray) -> float:
        order = np.argsort(v)
        cum = np.cumsum(pop[order])
        return float(v[order][np.searchsorted(cum, cum[-1] / 2)])

    cx, cy = wmedian(x), wmedian(y)
    order = np.argsort(np.hypot(x - cx, y - cy))
    cum = np.cumsum(pop[order])
    n = int(np.searchsorted(cum, share * cum[-1])) + 1
    keep = order[:n]
    return tuple(float(v) for v in geoms.iloc[keep].total_bounds)  # type: ignore[return-value]


_VIEWPORT = re.compile(r",?\s*maximum-scale=1(\.0)?,?\s*user-scalable=no")


def _accessible(html: str) -> str:
    """``<html lang="nl">`` and a viewport that allows zooming (WCAG 1.4.4, 3.1.1)."""
    html = html.replace("<html>", '<html lang="nl">', 1)
    return _VIEWPORT.sub("", html)


class DutchFigure(Figure):
    """branca's page, rendered with ``lang="nl"`` and a zoomable viewport."""

    def render(self, **kwargs: Any) -> str:
        return _accessible(super().render(**kwargs))


def dutch_page(fmap: folium.Map) -> folium.Map:
    """Put ``fmap`` in a page with ``lang="nl"`` that lets the reader zoom; returns ``fmap``.

    Examples
    --------
    >>> import folium
    >>> page = dutch_page(folium.Map()).get_root().render()
    >>> '<html lang="nl">' in page and "user-scalable=no" not in page
    True
    """
    root = fmap.get_root()
    if type(root) is Figure:  # folium's own page: the same object, rendered accessibly
        root.__class__ = DutchFigure
    return fmap


def wijk_values(
    wijken: Any,
    buurten: Any,
    entries: list[dict[str, Any]],
    local: Any = None,
    *,
    values: Any = None,
) -> dict[str, Any] | None:
    """Add the wijken's own values to the indicator entries (``wv``) and return the payload's
    ``area`` block (``of``: wijk index per buurt, ``codes``, ``names``, raw); None when the
    buurten do not all lie in a known wijk or the wijk figures cannot be computed.

    Values use the entry's decimals and offset (``dec``, ``o``), so ``engine.js`` reads them
    exactly as the buurt values. ``values``: the wijken's indicator values in their order
    (the facts' wijk table, :func:`wijkgeo.facts.build_facts`); without them they are
    computed here.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.make_demo()
    >>> entries = [{"key": "aandeel_65_plus", "dec": 0, "o": 20}]
    >>> area = wijk_values(atlas.wijken, atlas.buurten, entries)
    >>> len(area["codes"]) == len(atlas.wijken) and "wv" in entries[0]
    True
    """
    from .._errors import WijkgeoError
    from ..indicators import compute
    from .topology import encode_vlq

    if not hasattr(wijken, "columns") or not len(wijken) or "wijkcode" not in buurten.columns:
        return None
    codes = wijken["wijkcode"].astype(str).tolist()
    index = {c: i for i, c in enumerate(codes)}
    of = [index.get(c, -1) for c in buurten["wijkcode"].astype(str)]
    if min(of, default=-1) < 0:
        return None
    keys = [e["key"] for e in entries]
    if values is None:
        try:
            values = compute(wijken, keys, level="wijk", local=local)
        except WijkgeoError:
            return None
    for e in entries:
        if e["key"] not in values.columns:
            continue
        with np.errstate(invalid="ignore"):
            ints = np.round(values[e["key"]].to_numpy(dtype="float64") * 10 ** int(e["dec"]))
        if not np.isfinite(ints).any():
            continue
        offset = int(e.get("o", 0))
        e["wv"] = encode_vlq(None if not np.isfinite(v) else int(v) - offset for v in ints)
    names = wijken["wijknaam"].astype(str) if "wijknaam" in wijken.columns else codes
    # raw: the payload is escaped in one pass when it is written (escape.escape_payload)
    return {"of": of, "codes": list(codes), "names": [str(n) for n in names]}
