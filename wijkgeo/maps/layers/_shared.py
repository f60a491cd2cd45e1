"""What the map layer types share: compact coordinates, legends, categories, memberships.

Coordinates travel in WGS84 quantised to 1e-5 degree (about a metre), as base64 VLQ steps
from the previous point (the encoding of the buurt topology). Strings stay raw here: the
payload is escaped in one pass at serialisation (:func:`~wijkgeo.maps.escape.escape_payload`);
legends are :class:`~wijkgeo.maps.escape.Markup` from :func:`~wijkgeo.maps.escape.html`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..escape import html, join
from ..topology import encode_vlq

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

log = logging.getLogger(__name__)

#: Degrees per grid unit of the overlay coordinates (about 1.1 m north-south).
QUANTUM = 1e-5


@cache
def _styles() -> dict[str, Any]:
    raw = resources.files("wijkgeo.maps").joinpath("layers.json").read_text("utf-8")
    return json.loads(raw)


def layer_style(name: str) -> dict[str, Any]:
    """The look of one map layer: a local layer's kind (``stijl`` in ``wijkgeo/kinds.json``)
    or the grid and koppelkansen (``maps/layers.json``).

    Examples
    --------
    >>> from wijkgeo.maps.layers import layer_style
    >>> layer_style("voorzieningen")["categories"]["huisarts"]["symbol"]
    'H'
    """
    from ...kinds import kind

    style = kind(name).get("stijl")
    return style if style is not None else _styles()[name]


def _q(values: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) / QUANTUM).astype(np.int64)


def encode_points(lat: np.ndarray, lng: np.ndarray) -> str:
    """Points as one VLQ stream: lat, lng of the first in grid units, then steps.

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.maps.layers import encode_points
    >>> from wijkgeo.maps.topology import decode_vlq
    >>> decode_vlq(encode_points(np.array([52.0, 52.00002]), np.array([5.0, 5.00001])))
    [5200000, 500000, 2, 1]
    """
    pts = np.column_stack([_q(lat), _q(lng)])
    if not len(pts):
        return ""
    steps = np.diff(np.vstack([np.zeros((1, 2), np.int64), pts]), axis=0)
    return encode_vlq(steps.ravel().tolist())


def _coords_string(coords: np.ndarray) -> str:
    coords = np.asarray(coords)
    return encode_points(coords[:, 1], coords[:, 0])


def encode_shape(geom: Any) -> dict[str, Any] | None:
    """A WGS84 line or polygon as ``{"l": [part, ...]}`` or ``{"p": [[ring, ...], ...]}``.

    Each part or ring is a string of :func:`encode_points`. Points and empty geometries give
    ``None``.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> from wijkgeo.maps.layers import encode_shape
    >>> list(encode_shape(LineString([(5, 52), (5.001, 52)])))
    ['l']
    """
    import shapely

    if geom is None or shapely.is_empty(geom):
        return None
    kind = shapely.get_type_id(geom)
    if kind in (1, 5):  # LineString, MultiLineString
        parts = shapely.get_parts(geom)
        return {"l": [_coords_string(shapely.get_coordinates(p)) for p in parts]}
    if kind in (3, 6):  # Polygon, MultiPolygon
        polys = []
        for poly in shapely.get_parts(geom):
            rings = [poly.exterior, *poly.interiors]
            polys.append([_coords_string(np.asarray(r.coords)[:-1]) for r in rings])
        return {"p": polys}
    if kind == 7:  # a collection: its lines and polygons
        out: dict[str, list] = {}
        for part in shapely.get_parts(geom):
            enc = encode_shape(part)
            for k, v in (enc or {}).items():
                out.setdefault(k, []).extend(v)
        return out or None
    return None


def _wgs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        from ..._errors import DataValidationError

        raise DataValidationError("een lokale laag zonder CRS kan niet op de kaart")
    return frame.to_crs(4326)


def _legend(title: str, rows: Sequence[tuple[str, str, int | None]], shape: str) -> str:
    """A categorical legend: a swatch (``dot``, ``line``, ``area``, ``letter``) per row."""
    from ...indicators import format_number

    body = join(
        html(
            '<tr><td><span class="wijkgeo-key wijkgeo-key-{}" style="--c:{}">{}</span></td>'
            '<td>{}</td><td class="wijkgeo-n">{}</td></tr>',
            shape,
            color,
            symbol,
            text,
            "" if count is None else format_number(count),
        )
        for color, text, count, symbol in (
            (r[0], r[1], r[2], r[3] if len(r) > 3 else "") for r in rows
        )
    )
    return html('<div class="wijkgeo-head">{}</div><table>{}</table>', title, body)


def _category_index(
    values: pd.Series, style: dict[str, Any]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Index into the category list per feature; categories in ``stijl`` order, then a
    gemeente's own categories (most frequent first, one colour each from ``own_colors``,
    labelled with their own name), the rest (or none) in one "overig" category."""
    cats = dict(style["categories"])
    raw = values.astype("string").str.strip().str.lower().fillna("")
    own = [v for v in raw[~raw.isin(list(cats)) & (raw != "")].value_counts().index]
    for value, color in zip(own, style.get("own_colors", []), strict=False):
        cats[value] = {"label": value, "color": color, "symbol": value[:2].capitalize()}
    keys = list(cats)
    idx = np.array([keys.index(v) if v in cats else -1 for v in raw], dtype=int)
    out = [{"key": k, **cats[k]} for k in keys]
    if (idx < 0).any():
        idx[idx < 0] = len(out)
        out.append({"key": "overig", **style["other"]})
    return idx, out


def _members(n: int, pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Per buurt the sorted feature indices (``pairs`` of (buurt, feature))."""
    out: list[set[int]] = [set() for _ in range(n)]
    for b, f in pairs:
        out[int(b)].add(int(f))
    return [sorted(s) for s in out]


def _buurt_pairs(geoms: np.ndarray, buurten: gpd.GeoDataFrame) -> list[tuple[int, int]]:
    """(buurt, feature) for every feature that covers more than a sliver of a buurt (or, for
    a line, runs through it); points use their one buurt (:func:`wijkgeo.joins.assign_points`)."""
    import shapely

    bg = buurten.geometry.to_numpy()
    tree = shapely.STRtree(bg)
    fi, bi = tree.query(geoms, predicate="intersects")
    if not len(fi):
        return []
    inter = shapely.intersection(geoms[fi], bg[bi])
    keep = (shapely.area(inter) > 1.0) | (shapely.length(inter) > 1.0)
    dim = shapely.get_dimensions(geoms[fi])
    keep |= dim == 0
    return list(zip(bi[keep].tolist(), fi[keep].tolist(), strict=True))


def _present_pairs(
    present: Any, key: str, buurten: gpd.GeoDataFrame, valid: np.ndarray
) -> tuple[list[tuple[int, int]], list[list[int]]]:
    """(buurt, feature) pairs of "wat er al is" (:mod:`wijkgeo.facts.present`) and, per
    buurt, the features that lie near it rather than in it. ``valid`` marks the layer rows
    that are drawn (the feature index is the position among those)."""
    pos = np.cumsum(valid) - 1
    bindex = {c: i for i, c in enumerate(buurten["buurtcode"].astype(str))}
    pairs: list[tuple[int, int]] = []
    near: list[set[int]] = [set() for _ in range(len(buurten))]
    for code in present.codes:
        b = bindex.get(code)
        if b is None:
            continue
        for rec in present.of(code).get(key, []):
            j = int(rec["index"])
            if j < len(valid) and valid[j]:
                pairs.append((b, int(pos[j])))
                if not rec["binnen"]:
                    near[b].add(int(pos[j]))
    return pairs, [sorted(s) for s in near]


def _near_label(present: Any) -> str:
    from ...indicators import format_number

    return f"vlakbij, binnen {format_number(present.distance, 0)} m"


def _date(value: Any) -> str:
    from ...koppelkansen.explain import dutch_date

    d = pd.to_datetime(value, errors="coerce")
    return "" if pd.isna(d) else dutch_date(d.date())


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _year(value: Any) -> int | None:
    v = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(v) else int(v)


def _outline_arcs(topo: Any, members: set[int]) -> list[int]:
    """Arcs on the outside of a set of buurten (one user inside, the other outside or none)."""
    out = []
    for i, users in enumerate(topo.users):
        inside = sum(u in members for u in users)
        if inside == 1 and (len(users) == 1 or inside < len(users)):
            out.append(i)
    return out
