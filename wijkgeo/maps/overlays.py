"""The layers of the koppelkansen map beside the buurt choropleth, as engine layer specs.

Each function returns a :class:`~wijkgeo.maps.builder.MapLayer` whose ``type`` is drawn by
``static/overlays.js`` (registered in ``wijkgeo.layerTypes``):

=====================  ==============  ==================================================
layer id               type            what
=====================  ==============  ==================================================
``voorzieningen``      ``points``      clustered markers, a letter and colour per category
``initiatieven``       ``points``      circles coloured by status
``energietransitie``   ``etw``         wijk outlines per strategy, with planned year
``projecten``          ``shapes``      lines and areas per theme; the year filter
``vierkanten``         ``grid``        500 m cells: CBS's own numbers and buurt estimates
``koppelkansen``       ``kansen``      highlighted units, popup: rules, reasons, assets
=====================  ==============  ==================================================

Geometry travels compactly: coordinates in WGS84 quantised to 1e-5 degree (about a metre),
as base64 VLQ steps from the previous point (the encoding of the buurt topology); buurten
and wijken are referenced by their index in the topology instead of repeating their edges.
Every string is escaped once, here, with :func:`~wijkgeo.maps.escape.esc` (names and texts
from a gemeente's own files are data like any buurt name). Each layer also carries, per
buurt, the indices of its features in that buurt (``in_buurt``), for the "Check deze plek"
panel; the memberships come from :mod:`wijkgeo.joins` and the same intersections.

The look (colours, letters, labels, grid variables) is data: ``maps/layers.json``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .escape import esc, html, join
from .topology import encode_vlq

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from .maplayer import MapLayer

log = logging.getLogger(__name__)

__all__ = [
    "QUANTUM",
    "encode_points",
    "encode_shape",
    "energietransitie_layer",
    "grid_layer",
    "koppelkansen_layer",
    "layer_style",
    "local_layers",
    "point_layer",
    "projecten_layer",
]

#: Degrees per grid unit of the overlay coordinates (about 1.1 m north-south).
QUANTUM = 1e-5


@cache
def _styles() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("layers.json").read_text("utf-8"))


def layer_style(name: str) -> dict[str, Any]:
    """The look of one overlay (``maps/layers.json``).

    Examples
    --------
    >>> from wijkgeo.maps.overlays import layer_style
    >>> layer_style("voorzieningen")["categories"]["huisarts"]["symbol"]
    'H'
    """
    return _styles()[name]


def _q(values: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) / QUANTUM).astype(np.int64)


def encode_points(lat: np.ndarray, lng: np.ndarray) -> str:
    """Points as one VLQ stream: lat, lng of the first in grid units, then steps.

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.maps.overlays import encode_points
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
    >>> from wijkgeo.maps.overlays import encode_shape
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
        from .._errors import DataValidationError

        raise DataValidationError("een lokale laag zonder CRS kan niet op de kaart")
    return frame.to_crs(4326)


def _legend(title: str, rows: Sequence[tuple[str, str, int | None]], shape: str) -> str:
    """A categorical legend: a swatch (``dot``, ``line``, ``area``, ``letter``) per row."""
    from ..indicators import format_number

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
    return str(html('<div class="wijkgeo-head">{}</div><table>{}</table>', title, body))


def _category_index(
    values: pd.Series, style: dict[str, Any]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Index into the category list per feature; categories in ``layers.json`` order, then a
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


def _date(value: Any) -> str:
    from ..koppelkansen.explain import dutch_date

    d = pd.to_datetime(value, errors="coerce")
    return "" if pd.isna(d) else dutch_date(d.date())


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(esc(str(value).strip()))


def _year(value: Any) -> int | None:
    v = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(v) else int(v)


def point_layer(
    layer_id: str,
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    style_name: str,
    *,
    cluster: bool,
    visible: bool = True,
) -> MapLayer:
    """Points of a local layer (voorzieningen, bewonersinitiatieven) as a ``points`` layer.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps.overlays import point_layer
    >>> atlas = wijkgeo.make_demo()
    >>> layer = point_layer("voorzieningen", atlas.local["voorzieningen"], atlas.buurten,
    ...                     "voorzieningen", cluster=True)
    >>> layer.type, len(layer.spec["names"]) == len(atlas.local["voorzieningen"])
    ('points', True)
    """
    from ..joins import assign_points
    from .maplayer import MapLayer

    style = layer_style(style_name)
    pts = points[points.geometry.notna() & ~points.geometry.is_empty].reset_index(drop=True)
    wgs = _wgs(pts)
    cat, cats = _category_index(pts.get(style["column"], pd.Series([""] * len(pts))), style)
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
            extra.append(str(esc(f"{start or '?'} – {end or '?'}")))
        info.append(" · ".join(extra))
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
                "label": str(esc(c["label"])),
                "color": c["color"],
                "symbol": str(esc(c.get("symbol", ""))),
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
        "title": str(esc(style["label"])),
    }
    return MapLayer(layer_id, "points", style["label"], visible=visible, spec=spec)


def _outline_arcs(topo: Any, members: set[int]) -> list[int]:
    """Arcs on the outside of a set of buurten (one user inside, the other outside or none)."""
    out = []
    for i, users in enumerate(topo.users):
        inside = sum(u in members for u in users)
        if inside == 1 and (len(users) == 1 or inside < len(users)):
            out.append(i)
    return out


def energietransitie_layer(
    table: pd.DataFrame, buurten: gpd.GeoDataFrame, wijken: Any, topo: Any, *, visible: bool = True
) -> MapLayer | None:
    """The energietransitie table (per wijk: planjaar, strategie) as outlined wijken."""
    from .maplayer import MapLayer

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
                "code": str(esc(code)),
                "name": _text(names.get(code)) or str(esc(code)),
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
        "cats": [{"label": str(esc(c["label"])), "color": c["color"]} for c in cats],
        "in_buurt": _members(len(buurten), pairs),
        "legend": _legend(style["legend_title"], rows_legend, "line"),
        "title": str(esc(style["label"])),
    }
    return MapLayer("energietransitie", "etw", style["label"], visible=visible, spec=spec)


def projecten_layer(
    frame: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame, *, visible: bool = True
) -> MapLayer:
    """Projects (lines and areas) by theme, with start and end year for the year filter."""
    from .maplayer import MapLayer

    style = layer_style("projecten")
    proj = frame[frame.geometry.notna() & ~frame.geometry.is_empty].reset_index(drop=True)
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
        "cats": [{"label": str(esc(c["label"])), "color": c["color"]} for c in cats],
        "years": [min(years), max(years)] if years else None,
        "in_buurt": _members(
            len(buurten), _buurt_pairs(proj.to_crs(buurten.crs).geometry.to_numpy(), buurten)
        ),
        "legend": _legend(style["legend_title"], rows_legend, "line"),
        "title": str(esc(style["label"])),
    }
    return MapLayer("projecten", "shapes", style["label"], visible=visible, spec=spec)


def _grid_values(grid: pd.DataFrame, var: dict[str, Any]) -> np.ndarray | None:
    from ..conventions import SECRET_THRESHOLD

    def col(name: str) -> np.ndarray | None:
        if name not in grid.columns:
            return None
        v = pd.to_numeric(grid[name], errors="coerce").to_numpy(dtype=float)
        return np.where(v <= SECRET_THRESHOLD, np.nan, v)

    if var.get("column") and var["column"] in grid.columns:
        return col(var["column"])
    num, den = col(var.get("teller", "")), col(var.get("noemer", ""))
    if num is None or den is None:
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den * 100, np.nan)


def _grid_palette(name: str, n: int) -> list[str]:
    from branca.utilities import color_brewer

    colors = list(color_brewer(name, max(n, 3)))
    return colors[-n:] if n < 3 else colors


def grid_layer(grid: gpd.GeoDataFrame, *, visible: bool = False) -> MapLayer | None:
    """The 500 m cells with a selector of variables: CBS's own and estimated from buurten.

    ``grid`` is the output of :func:`wijkgeo.grid.atlas_grid`; the variables come from
    ``layers.json`` (those present). Classes and legends are computed as for the buurten
    (:func:`wijkgeo.maps.classes.classify`, quantiles), the missing class included.
    """
    from .classes import MISSING_COLOR, classify
    from .data import _int_bins, _range_texts, _to_int, _vlq_ints, js_classes, text
    from .legend import Row, legend_body, missing_rows
    from .maplayer import MapLayer

    style = layer_style("grid")
    t = text()
    cells = grid[grid.geometry.notna()].reset_index(drop=True)
    wgs = _wgs(cells)
    variables = []
    for var in style["variables"]:
        vals = _grid_values(cells, var)
        if vals is None or not np.isfinite(vals).any():
            continue
        dec = int(var.get("decimals", 0))
        ints = _to_int(vals, dec)
        classes = classify(ints, {"scheme": "quantiles", "k": 5}, "neutraal")
        # the cells get their own palette: with the buurten on, the two never read alike
        colors = _grid_palette(style.get("palette", "YlOrBr"), len(classes.colors))
        classes = replace(classes, colors=tuple(colors))
        bins = _int_bins(classes)
        index = js_classes(ints, bins)
        stored = ints / 10**dec
        lo = [float(stored[index == i].min()) for i in range(len(bins))]
        hi = [float(stored[index == i].max()) for i in range(len(bins))]
        counts = [int((index == i).sum()) for i in range(len(bins))]
        rows = [
            Row(c, r, n)
            for c, r, n in zip(
                classes.colors, _range_texts(lo, hi, dec, False), counts, strict=True
            )
        ]
        rows += missing_rows([None] * len(ints), index, t["missing"])
        source = style["bron_labels"][var["bron"]]
        legend = legend_body(
            var["label"], rows, [var["unit"], source], None, count_title=t["count_cells"]
        )
        variables.append(
            {
                "key": var["key"],
                "label": str(esc(var["label"])),
                "source": str(esc(source)),
                "kind": var["bron"],
                "unit": str(esc(var["unit"])),
                "dec": dec,
                "v": _vlq_ints(ints),
                "bins": bins,
                "colors": list(classes.colors),
                "legend": str(legend),
            }
        )
    if not variables:
        return None
    spec = {
        "cells": [encode_shape(g) for g in wgs.geometry],
        "codes": [str(esc(c)) for c in cells["celcode"].astype(str)],
        "vars": variables,
        "missing_color": MISSING_COLOR,
        "legend_title": str(esc(style["legend_title"])),
        "choose": str(esc(t["grid_choose"])),
        "title": str(esc(style["label"])),
    }
    return MapLayer("vierkanten", "grid", style["label"], visible=visible, spec=spec)


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

    from .maplayer import MapLayer

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
                "level": str(esc(rec.niveau)),
                "code": str(esc(rec.code)),
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
        "title": str(esc(style["label"])),
    }
    return MapLayer("koppelkansen", "kansen", style["label"], visible=visible, spec=spec)


def local_layers(
    atlas: Any,
    buurten: gpd.GeoDataFrame,
    wijken: Any,
    topo: Any,
    *,
    koppelkansen: Any = "auto",
    grid: int | None = 500,
) -> list[MapLayer]:
    """Every overlay an Atlas has data for, in the order of the layer control.

    ``koppelkansen``: ``"auto"`` evaluates the default rules (plus the gemeente's own) with
    :func:`wijkgeo.koppelkansen.evaluate`; a ``KoppelkansResult`` is used as it is;
    ``None``/``False`` leaves the layer out. ``grid``: the cell size for
    :func:`wijkgeo.grid.atlas_grid` (``None``: no grid layer); without CBS cells in the
    Atlas the layer is left out with a log line.
    """
    from .._errors import WijkgeoError

    local = getattr(atlas, "local", None) or {}
    layers: list[MapLayer] = []
    if grid:
        try:
            from ..grid import atlas_grid

            if (getattr(atlas, "vierkanten", None) or {}).get(f"{int(grid)}m") is not None:
                g = grid_layer(atlas_grid(atlas, size=int(grid)))
                if g is not None:
                    layers.append(g)
            else:
                log.info("geen %d m-vierkanten in de atlas: geen vierkantenlaag", int(grid))
        except WijkgeoError as exc:
            log.warning("vierkantenlaag weggelaten: %s", exc)
    if local.get("voorzieningen") is not None:
        layers.append(
            point_layer(
                "voorzieningen", local["voorzieningen"], buurten, "voorzieningen", cluster=True
            )
        )
    if local.get("bewonersinitiatieven") is not None:
        layers.append(
            point_layer(
                "initiatieven",
                local["bewonersinitiatieven"],
                buurten,
                "bewonersinitiatieven",
                cluster=False,
            )
        )
    if local.get("energietransitie") is not None:
        etw = energietransitie_layer(
            local["energietransitie"], buurten, wijken, topo, visible=False
        )
        if etw is not None:
            layers.append(etw)
    if local.get("projecten") is not None:
        layers.append(projecten_layer(local["projecten"], buurten))
    if koppelkansen is not None and koppelkansen is not False:
        result = koppelkansen
        if isinstance(koppelkansen, str):
            from ..koppelkansen import evaluate

            try:
                result = evaluate(atlas)
            except WijkgeoError as exc:
                log.warning("koppelkansen niet op de kaart: %s", exc)
                result = None
        if result is not None:
            layer = koppelkansen_layer(result, buurten, topo)
            if layer is not None:
                layers.append(layer)
    return layers
