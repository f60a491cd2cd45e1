"""Small inline SVG graphics for the profiles: a position dot and a static area map.

Both are drawn from numbers and geometry only (no text from data), as inline SVG, so a page
needs no image files and no network and prints sharply. They are built through
:func:`wijkgeo.maps.escape.html`, the maps' one escaping point, like every other fragment.

The map is drawn here instead of with matplotlib: a buurt in its wijk is a handful of
polygons, and writing their paths directly keeps matplotlib (40 MB) out of the runtime
dependencies and the output byte-for-byte deterministic.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ..conventions import CODE_COLUMN, NAME_COLUMN
from ..maps.escape import Markup, html, join

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["area_map", "position_dot"]

_W, _H = 150, 16


def _ok(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _x(v: float, lo: float, span: float) -> float:
    return round(5 + (_W - 10) * ((v - lo) / span if span > 0 else 0.5), 1)


@lru_cache(maxsize=512)
def _dots(values: tuple[float, ...], lo: float, span: float) -> Markup:
    """The grey dots of all areas: the same for every page of one indicator, so drawn once."""
    return join(
        html('<circle cx="{}" cy="8" r="2.4" fill="#9a9a9a"/>', _x(v, lo, span)) for v in values
    )


def position_dot(values: np.ndarray, value: Any, reference: Any = None, sign: int = 0) -> Markup:
    """Where ``value`` sits among ``values``: grey dots for all, a dark dot for this one.

    The horizontal axis runs from the lowest to the highest value; a vertical stroke marks
    ``reference`` (the gemeente value). ``sign`` only sets the colour of the own dot (green
    when favourable is to the right, ...); without a value the graphic is empty.

    Examples
    --------
    >>> import numpy as np
    >>> svg = position_dot(np.array([1.0, 2.0, 3.0]), 3.0, 2.0)
    >>> svg.startswith("<svg") and 'cx="145.0"' in svg
    True
    >>> str(position_dot(np.array([1.0]), float("nan")))
    ''
    """
    vals = np.asarray(values, dtype="float64")
    vals = vals[np.isfinite(vals)]
    if not _ok(value) or not len(vals):
        return Markup("")
    lo, hi = float(vals.min()), float(vals.max())
    if _ok(reference):
        lo, hi = min(lo, float(reference)), max(hi, float(reference))
    span = hi - lo

    def x(v: float) -> float:
        return _x(v, lo, span)

    dots = _dots(tuple(np.unique(vals).tolist()), lo, span)
    ref = (
        html(
            '<line x1="{0}" x2="{0}" y1="2" y2="14" stroke="#333" stroke-width="1.8"/>',
            x(float(reference)),
        )
        if _ok(reference)
        else Markup("")
    )
    return html(
        '<svg class="dot" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-hidden="true"><line x1="5" x2="{end}" y1="8" y2="8" stroke="#bbb"/>{dots}{ref}'
        '<circle cx="{me}" cy="8" r="4.2" fill="#1f4e79" stroke="#fff" stroke-width="1"/></svg>',
        w=_W,
        h=_H,
        end=_W - 5,
        dots=dots,
        ref=ref,
        me=x(float(value)),
    )


def _path(geom: Any, tx: Any) -> str:
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = tx(np.asarray(ring.coords))
            parts.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in xy) + "Z")
    return "".join(parts)


def area_map(
    atlas: Atlas, level: str, code: str, *, width: int = 520, label: str = ""
) -> Markup:
    """A static map: the buurt in its wijk with the buurten around it (or the wijk among the
    wijken with its own buurten), as inline SVG with a scale bar.

    ``label`` is the text alternative (``aria-label`` and ``<title>``) that names the area
    for a screen reader; without it the area's name and level are used.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.profile.graphics import area_map
    >>> svg = area_map(wijkgeo.make_demo(), "buurt", "BU99990200")    # doctest: +SKIP
    """
    buurten, wijken = atlas.buurten, atlas.wijken
    col = CODE_COLUMN[level]
    frame = buurten if level == "buurt" else wijken
    target = frame.geometry[frame[col].astype(str) == code].iloc[0]
    if level == "buurt":
        wijkcode = str(buurten.loc[buurten["buurtcode"].astype(str) == code, "wijkcode"].iloc[0])
        focus = wijken.geometry[wijken["wijkcode"].astype(str) == wijkcode]
        focus = focus.iloc[0] if len(focus) else target
    else:
        wijkcode = code
        focus = target
    minx, miny, maxx, maxy = focus.union(target).bounds
    pad = 0.08 * max(maxx - minx, maxy - miny, 200.0)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = width / (maxx - minx)
    height = round((maxy - miny) * scale)
    tol = 1.0 / scale  # one pixel

    def tx(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - minx) * scale, (maxy - xy[:, 1]) * scale])

    view = shapely.box(minx, miny, maxx, maxy)

    def paths(gs: Any) -> list[str]:
        out = []
        for g in gs:
            if g is None or g.is_empty or not g.intersects(view):
                continue
            out.append(_path(shapely.simplify(g.intersection(view.buffer(pad)), tol), tx))
        return out

    in_wijk = (buurten["wijkcode"].astype(str) == wijkcode).to_numpy()
    pieces = []
    for d in paths(buurten.geometry[~in_wijk]):
        pieces.append(html('<path d="{}" class="m-other"/>', d))
    for d in paths(buurten.geometry[in_wijk]):
        pieces.append(html('<path d="{}" class="m-wijk"/>', d))
    for d in paths(wijken.geometry):
        pieces.append(html('<path d="{}" class="m-wijkrand"/>', d))
    for d in paths([target]):
        pieces.append(html('<path d="{}" class="m-target"/>', d))
    if level == "wijk":  # the wijk's own buurten, drawn over it
        for d in paths(buurten.geometry[in_wijk]):
            pieces.append(html('<path d="{}" class="m-inner"/>', d))
    # scale bar: a round length of about a fifth of the width
    raw = (maxx - minx) / 5
    step = 10 ** math.floor(math.log10(raw))
    length = max(s * step for s in (1, 2, 5) if s * step <= raw)
    bar = length * scale
    bar_label = f"{int(length / 1000)} km" if length >= 1000 else f"{int(length)} m"
    y = height - 12
    pieces.append(
        html(
            '<g class="m-scale"><rect x="8" y="{y0}" width="{bw}" height="16" fill="#fff" '
            'opacity="0.8"/><line x1="12" x2="{x2}" y1="{y}" y2="{y}" stroke="#000" '
            'stroke-width="2"/><text x="{tx}" y="{ty}">{label}</text></g>',
            y0=y - 10,
            bw=round(bar + 60, 1),
            x2=round(12 + bar, 1),
            y=y,
            tx=round(18 + bar, 1),
            ty=y + 4,
            label=bar_label,
        )
    )
    if not label:
        names = frame[NAME_COLUMN[level]][frame[col].astype(str) == code]
        label = f"Kaart van {level} {names.iloc[0] if len(names) else code}"
    return html(
        '<svg class="map" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        "{body}</svg>",
        w=width,
        h=height,
        label=label,
        body=join(pieces),
    )
