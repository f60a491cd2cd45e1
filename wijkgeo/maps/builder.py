"""Build the indicator map: buurten coloured by one indicator, for a wijkregisseur.

The map has
- the buurten, coloured in classes (mapclassify, scheme from the indicator registry) with a
  separate grey ``geen gegevens`` class for missing values;
- a Dutch tooltip per buurt (name, code, wijk, value with unit) rendered in Python and
  escaped in :mod:`wijkgeo.maps.escape`;
- wijk outlines on top (thicker, no fill, ``interactive: false`` so they never take the hover);
- the PDOK BRT-Achtergrondkaart (via xyzservices' ``nlmaps`` providers) with attribution;
- a title box (title, gemeente, year, source) and the legend.

Renderer: SVG (Leaflet's default), not canvas. For one gemeente (tens to a few hundred
buurten, coordinates simplified) SVG is fast, gives one DOM ``path`` per buurt (which the
browser test counts and CSS can style), and crisp hover. ``prefer_canvas=True`` is there for
national maps with thousands of buurten (folium #1176).

Geometry: everything is computed in EPSG:28992. Buurten are simplified as a *coverage*
(shapely ``coverage_simplify``), so neighbouring buurten keep identical shared edges; the wijk
borders are the buurt edges between two wijken or on the outside, each drawn once as a line
(so they lie exactly on buurt edges); only then is everything reprojected to WGS84 with
coordinates rounded to 6 decimals (about 0.1 m). The legend shows per class the lowest and
highest value that occurs in it (:func:`wijkgeo.maps.legend.range_labels`).

Size and speed against ``folium.Choropleth`` and ``GeoDataFrame.explore``: see
``benchmarks/maps.py`` (about 2x smaller HTML and 1.3-2x faster, measured in one run).
"""

from __future__ import annotations

import functools
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from branca.element import MacroElement
from jinja2 import Template

from .._errors import DataValidationError
from ..conventions import CRS
from .assets import apply_assets
from .classes import Classes, classify
from .escape import SafeHtml, esc, html
from .legend import MISSING_LABEL, STYLE, legend_html, legend_rows, range_labels, title_html

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

    from ..atlas import Atlas

log = logging.getLogger(__name__)

__all__ = ["BASEMAPS", "indicator_map", "save_map"]

#: Variants of the PDOK BRT-Achtergrondkaart (xyzservices ``providers.nlmaps``).
BASEMAPS = ("grijs", "standaard", "pastel", "water")
_BASEMAP_NAMES = {
    "grijs": "BRT-Achtergrondkaart grijs (PDOK)",
    "standaard": "BRT-Achtergrondkaart (PDOK)",
    "pastel": "BRT-Achtergrondkaart pastel (PDOK)",
    "water": "BRT-Achtergrondkaart water (PDOK)",
}
_WGS84 = "EPSG:4326"
_DECIMALS = 6


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres only (folium's ``control_scale`` adds feet and miles)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Read a registry field from an object or a mapping."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _missing(value: Any) -> bool:
    try:
        return value is None or not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def _indicator_values(
    buurten: gpd.GeoDataFrame, key: str, local: dict | None
) -> tuple[np.ndarray, list[str | None]]:
    """Values (float, NaN = missing) and, per buurt, the registry's reason when missing."""
    from ..indicators import compute

    result = compute(buurten, [key], level="buurt", local=local, with_reasons=True)
    values = result.values[key].reindex(buurten.index).to_numpy(dtype=float)
    reasons = [
        None if r is None or r != r else str(r) for r in result.reasons[key].reindex(buurten.index)
    ]
    return values, reasons


def _in_rd(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise DataValidationError(
            f"de laag {what} heeft geen CRS; wijkgeo verwacht {CRS} (Amersfoort / RD New). "
            "Zet het met .set_crs('EPSG:28992') als de coördinaten in meters RD zijn."
        )
    if gdf.crs != CRS:
        log.info("%s omgezet van %s naar %s", what, gdf.crs, CRS)
        gdf = gdf.to_crs(CRS)
    return gdf


def _check_buurten(buurten: gpd.GeoDataFrame) -> None:
    for col in ("buurtcode", "geometry"):
        if col not in buurten.columns:
            raise DataValidationError(
                f"kolom {col!r} ontbreekt in de buurten (kolommen: {list(buurten.columns)[:12]}...)"
            )
    if len(buurten) == 0:
        raise DataValidationError(
            "geen buurten om te tekenen; controleer de gemeentecode en het jaar van de Atlas"
        )
    codes = buurten["buurtcode"].astype(str)
    dupes = sorted(set(codes[codes.duplicated()]))
    if dupes:
        raise DataValidationError(
            f"buurtcodes komen meer dan eens voor: {dupes[:10]}; een kaart heeft één vlak per buurt"
        )
    empty = buurten.geometry.isna() | buurten.geometry.is_empty
    if empty.any():
        raise DataValidationError(
            f"buurten zonder geometrie: {sorted(codes[empty])[:10]}; controleer de grenzenbron"
        )


def _simplify(geoms: np.ndarray, tolerance: float | None) -> tuple[np.ndarray, bool]:
    """Coverage-simplify polygons (tolerance in metres).

    Returns the geometries to draw and whether they form a valid coverage (no overlaps,
    identical shared edges). Boundaries that are not a clean coverage (generalised sources
    often are not) are first cleaned with ``coverage_clean`` (shapely >= 2.2) so that
    simplification cannot open gaps; when that fails, the originals are drawn as they are.
    """
    import shapely

    if not tolerance or tolerance <= 0:
        return geoms, False
    if not hasattr(shapely, "coverage_simplify"):  # shapely < 2.1
        log.info("shapely %s heeft geen coverage_simplify; niet vereenvoudigd", shapely.__version__)
        return geoms, False
    try:
        work = geoms
        if not shapely.coverage_is_valid(work):
            if not hasattr(shapely, "coverage_clean"):
                log.info("grenzen vormen geen sluitende bedekking; niet vereenvoudigd")
                return geoms, False
            work = shapely.coverage_clean(work)
            if not (len(work) == len(geoms) and shapely.coverage_is_valid(work)):
                log.info("grenzen vormen geen sluitende bedekking; niet vereenvoudigd")
                return geoms, False
            log.info("grenzen eerst gladgestreken tot een sluitende bedekking (coverage_clean)")
        out = shapely.coverage_simplify(work, tolerance)
    except shapely.errors.GEOSException as exc:
        log.warning("vereenvoudigen mislukt (%s); originele grenzen gebruikt", exc)
        return geoms, False
    bad = shapely.is_empty(out) | ~shapely.is_valid(out)
    if bad.any():
        log.warning(
            "vereenvoudigen gaf %d ongeldige of lege vlakken; originele grenzen gebruikt",
            int(bad.sum()),
        )
        return geoms, False
    before = int(shapely.get_num_coordinates(geoms).sum())
    after = int(shapely.get_num_coordinates(out).sum())
    if work is not geoms and after >= before:
        # cleaning nodes every shared edge; on already generalised input that adds more
        # vertices than simplifying removes: then the originals are smaller to draw
        log.info(
            "vereenvoudigen levert niets op (%d -> %d punten); originelen gebruikt", before, after
        )
        return geoms, False
    log.debug("vereenvoudigd: %d -> %d punten", before, after)
    return out, True


@functools.lru_cache(maxsize=1)
def _rd_to_wgs84() -> Any:
    """The RD -> WGS84 transformer; building one costs ~25 ms (half a Demodam map), so once."""
    from pyproj import Transformer

    return Transformer.from_crs(CRS, _WGS84, always_xy=True)


def _to_wgs84_rounded(geoms: np.ndarray) -> np.ndarray:
    import shapely

    to_wgs = _rd_to_wgs84()

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = to_wgs.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), _DECIMALS)

    return shapely.transform(geoms, project)


def _feature_collection(geoms: np.ndarray, properties: list[dict]) -> dict:
    from shapely.geometry import mapping

    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(geom)}
            for geom, props in zip(geoms, properties, strict=True)
        ],
    }


def _wijk_borders(polygons: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Wijk borders of a clean buurt coverage as lines, every shared edge drawn once.

    A buurt edge is a wijk border when only one buurt has it (the gemeente's outside) or when
    the two buurten that share it lie in different wijken. Drawing wijk *polygons* instead
    repeats every border between two wijken: on a national map that is 48 % of the outline
    vertices (measured with ``benchmarks/maps.py``). Needs identical shared edges, which
    ``coverage_simplify`` guarantees. Of the two copies of a shared edge the first in sort
    order is kept; kept edges that follow each other along a buurt ring form one line.
    """
    import shapely

    parts, part_of = shapely.get_parts(polygons, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    wijk_of_ring = np.unique(codes, return_inverse=True)[1].ravel()[part_of[ring_of]]
    # segment j runs from vertex start[j] to start[j] + 1 (both in the same ring)
    start = np.flatnonzero(vertex_ring[1:] == vertex_ring[:-1])
    a, b = coords[start], coords[start + 1]
    wijk = wijk_of_ring[vertex_ring[start]]
    # the same edge, whatever the ring's direction: smaller end point first
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    p, q = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    order = np.lexsort((q[:, 1], q[:, 0], p[:, 1], p[:, 0]))
    ps, qs, ws = p[order], q[order], wijk[order]
    first = np.flatnonzero(
        np.r_[True, (ps[1:] != ps[:-1]).any(axis=1) | (qs[1:] != qs[:-1]).any(axis=1)]
    )
    alone = np.diff(np.r_[first, len(ps)]) == 1
    border = alone | (ws[first] != ws[np.minimum(first + 1, len(ps) - 1)])
    kept = np.sort(order[first[border]])
    # consecutive kept segments of one ring form a line: its start vertices + the last end
    follows = np.r_[False, start[kept[1:]] == start[kept[:-1]] + 1]
    line = np.cumsum(~follows) - 1
    last = np.r_[~follows[1:], True]
    vertex = np.r_[start[kept], start[kept[last]] + 1]
    line = np.r_[line, line[last]]
    sort = np.lexsort((vertex, line))
    lines = shapely.linestrings(coords[vertex[sort]], indices=line[sort])
    return np.asarray([shapely.multilinestrings(lines)], dtype=object)


def _wijk_outlines(
    buurten: gpd.GeoDataFrame,
    simplified: np.ndarray,
    wijken: gpd.GeoDataFrame | None,
    is_coverage: bool,
) -> np.ndarray:
    """Wijk outlines on the exact edges of the simplified buurten.

    On a clean coverage: the borders as lines (:func:`_wijk_borders`); otherwise the union of
    the buurten per wijk; without ``wijkcode``: the given wijken.
    """
    import shapely

    if "wijkcode" in buurten.columns:
        codes = buurten["wijkcode"].astype(str).to_numpy()
        if is_coverage:
            return _wijk_borders(simplified, codes)
        return np.asarray(
            [shapely.union_all(simplified[codes == code]) for code in dict.fromkeys(codes)],
            dtype=object,
        )
    if wijken is not None and len(wijken):
        return _in_rd(wijken, "wijken").geometry.to_numpy()
    return np.asarray([], dtype=object)


def _describe_source(indicator: Any, atlas: Atlas | None, source: str | None) -> str | None:
    meta = atlas.meta if atlas is not None else {}
    source = source or meta.get("source") or _get(indicator, "source")
    return str(source) if source else None


def _gemeente_of(buurten: gpd.GeoDataFrame) -> str | None:
    """The gemeente name for the title: the one name, or how many gemeenten the map shows."""
    if "gemeentenaam" not in buurten.columns:
        return None
    names = buurten["gemeentenaam"].dropna().astype(str).unique()
    if len(names) == 1:
        return names[0]
    return f"{len(names)} gemeenten" if len(names) else None


def indicator_map(
    atlas_or_buurten: Atlas | gpd.GeoDataFrame,
    indicator: str,
    *,
    title: str | None = None,
    wijken: gpd.GeoDataFrame | bool | None = None,
    gemeente: str | None = None,
    year: int | None = None,
    basemap: str = "grijs",
    simplify: float | None = 2.0,
    prefer_canvas: bool = False,
    opacity: float = 0.75,
    source: str | None = None,
) -> folium.Map:
    """A Folium map of the buurten coloured by one registry indicator.

    Parameters
    ----------
    atlas_or_buurten : Atlas or GeoDataFrame
        An :class:`~wijkgeo.atlas.Atlas`, or buurten with at least ``buurtcode`` and a
        geometry (``buurtnaam``, ``wijkcode`` and ``gemeentenaam`` are used when present).
        Any CRS is accepted and converted to EPSG:28992; a missing CRS is an error.
    indicator : str
        Registry key (see ``wijkgeo indicators``); label, unit, description, direction,
        classification and number format all come from the registry.
    title : str, optional
        Title text; default ``"<label> per buurt"``.
    wijken : GeoDataFrame, bool or None
        Wijken for the tooltip names and outlines. ``None``: the Atlas' wijken (if any);
        ``False``: no wijk outlines.
    gemeente : str, optional
        Gemeente name for the title box; default from the Atlas or the ``gemeentenaam``
        column (``"25 gemeenten"`` when the buurten lie in several).
    year : int, optional
        Year for the title box; default ``atlas.meta["year"]``.
    basemap : {"grijs", "standaard", "pastel", "water"}
        Variant of the PDOK BRT-Achtergrondkaart.
    simplify : float or None
        Coverage-simplification tolerance in metres (shared edges stay shared); ``None`` or
        ``0`` keeps the boundaries as they are.
    prefer_canvas : bool
        Draw with Leaflet's canvas renderer (for thousands of buurten) instead of SVG.
    opacity : float
        Fill opacity of the buurten.
    source : str, optional
        The "Bron:" line; default ``atlas.meta["source"]``, else the registry's source.

    Returns
    -------
    folium.Map

    Raises
    ------
    DataValidationError
        When the buurten lack a CRS, a ``buurtcode`` or a geometry, or codes repeat.
    ConfigError
        When the basemap variant or the indicator's classification is unknown.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps import indicator_map, save_map
    >>> atlas = wijkgeo.make_demo()                                      # doctest: +SKIP
    >>> m = indicator_map(atlas, "aandeel_huishoudens_laag_inkomen")     # doctest: +SKIP
    >>> save_map(m, "maps/laag_inkomen.html")                            # doctest: +SKIP
    PosixPath('maps/laag_inkomen.html')
    """
    import folium
    import shapely
    import xyzservices

    from .._errors import ConfigError
    from ..indicators import format_number, format_value, get_indicator
    from .layer import GeoJsonLayer

    if basemap not in BASEMAPS:
        raise ConfigError(f"onbekende achtergrondkaart {basemap!r}; kies uit {list(BASEMAPS)}")

    atlas = None
    if hasattr(atlas_or_buurten, "buurten") and hasattr(atlas_or_buurten, "meta"):
        atlas = atlas_or_buurten
        buurten = atlas.buurten
        if wijken is None:
            wijken = atlas.wijken
        gemeente = gemeente or atlas.name
        year = year if year is not None else atlas.meta.get("year")
    else:
        buurten = atlas_or_buurten
        if gemeente is None:
            gemeente = _gemeente_of(buurten)
    if wijken is False:
        wijken, draw_wijken = None, False
    else:
        draw_wijken = True

    ind = get_indicator(indicator)
    label = str(_get(ind, "label") or indicator)
    unit = _get(ind, "unit")
    buurten = _in_rd(buurten, "buurten")
    _check_buurten(buurten)
    values, reasons = _indicator_values(
        buurten, indicator, atlas.local if atlas is not None else None
    )
    classes: Classes = classify(values, _get(ind, "classification"), _get(ind, "direction"))

    decimals = int(_get(ind, "decimals", 0) or 0)

    def fmt(v: float, reason: str | None = None) -> str:
        if not _missing(v):
            return str(format_value(indicator, v))
        if reason and reason != MISSING_LABEL:
            return f"{MISSING_LABEL} ({reason})"  # e.g. "geen gegevens (te weinig inwoners)"
        return MISSING_LABEL

    def fmt_bound(v: float, d: int) -> str:  # legend: number only, the unit is in the header
        return fmt(v) if unit == "jaar" else format_number(v, d)

    # --- features -----------------------------------------------------------------------
    wijknamen: dict[str, str] = {}
    if wijken is not None and {"wijkcode", "wijknaam"} <= set(wijken.columns):
        named = wijken[wijken["wijknaam"].notna()]
        wijknamen = dict(
            zip(named["wijkcode"].astype(str), named["wijknaam"].astype(str), strict=True)
        )
    names = buurten["buurtcode"].astype(str)
    if "buurtnaam" in buurten.columns:  # a buurt without a name shows its code, never "nan"
        names = buurten["buurtnaam"].where(buurten["buurtnaam"].notna(), names).astype(str)
    codes = buurten["buurtcode"].astype(str)
    wijkcodes = buurten["wijkcode"].astype(str) if "wijkcode" in buurten.columns else None

    properties = []
    for i, (code, name, value, reason) in enumerate(
        zip(codes, names, values, reasons, strict=True)
    ):
        wijk = None
        if wijkcodes is not None:
            wijk = wijknamen.get(wijkcodes.iloc[i], wijkcodes.iloc[i])
        tooltip = html(
            '<div class="wijkgeo-naam">{}</div><div class="wijkgeo-code">{}{}</div>'
            "<div>{}: <b>{}</b></div>",
            name,
            code,
            html(" · wijk {}", wijk) if wijk else "",
            label,
            fmt(value, reason),
        )
        # Every string property is escaped (also against Jinja's second render in folium).
        properties.append(
            {"buurtcode": str(esc(code)), "k": int(classes.index[i]), "tooltip": str(tooltip)}
        )

    rd = buurten.geometry.to_numpy()
    simplified, is_coverage = _simplify(rd, simplify)
    buurt_wgs84 = _to_wgs84_rounded(simplified)
    buurt_fc = _feature_collection(buurt_wgs84, properties)

    # --- map ----------------------------------------------------------------------------
    provider = xyzservices.providers.nlmaps[basemap]
    fmap = folium.Map(location=None, tiles=None, control_scale=False, prefer_canvas=prefer_canvas)
    apply_assets(fmap)
    _MetricScale().add_to(fmap)
    folium.TileLayer(
        tiles=provider.build_url(),
        attr=provider.html_attribution,
        name=_BASEMAP_NAMES[basemap],
        min_zoom=provider.get("min_zoom", 6),
        max_zoom=provider.get("max_zoom", 19),
        overlay=False,
        control=False,
    ).add_to(fmap)

    styles = {
        k: {
            "fillColor": classes.color_of(k),
            "fillOpacity": opacity,
            "color": "#555555",
            "weight": 0.8,
            "opacity": 0.9,
        }
        for k in range(-1, len(classes.colors))
    }
    GeoJsonLayer(
        buurt_fc,
        name=label,
        style_function=lambda f: styles[f["properties"]["k"]],
        highlight_function=lambda f: {"weight": 3, "color": "#000000", "fillOpacity": 0.9},
        tooltip=folium.GeoJsonTooltip(
            fields=["tooltip"], labels=False, sticky=True, class_name="wijkgeo-tooltip"
        ),
        className="wijkgeo-buurt",
    ).add_to(fmap)

    if draw_wijken:
        outlines = _wijk_outlines(buurten, simplified, wijken, is_coverage)
        if len(outlines):
            GeoJsonLayer(
                _feature_collection(_to_wgs84_rounded(outlines), [{} for _ in outlines]),
                name="Wijkgrenzen",
                style_function=lambda f: {
                    "fill": False,
                    "color": "#222222",
                    "weight": 2.5,
                    "opacity": 0.9,
                },
                interactive=False,
                className="wijkgeo-wijk",
            ).add_to(fmap)

    # --- title, legend ------------------------------------------------------------------
    ranges = range_labels(classes, fmt_bound, decimals)
    subtitle = " · ".join(str(p) for p in (gemeente, year) if p)
    heading = title or f"{label} per buurt"
    fmap.get_root().title = str(esc(f"{heading} – {subtitle}" if subtitle else heading))
    SafeHtml(STYLE, where="header").add_to(fmap)
    SafeHtml(title_html(heading, subtitle or None, _describe_source(ind, atlas, source))).add_to(
        fmap
    )
    SafeHtml(
        legend_html(
            label,
            legend_rows(classes, ranges),
            unit=unit,
            direction=_get(ind, "direction"),
            description=_get(ind, "description"),
        )
    ).add_to(fmap)

    minx, miny, maxx, maxy = shapely.total_bounds(buurt_wgs84)
    # room for the title box (top left) and the legend (bottom right)
    fmap.fit_bounds(
        [[miny, minx], [maxy, maxx]], padding_top_left=(10, 70), padding_bottom_right=(60, 10)
    )
    log.info(
        "kaart %s: %d buurten, %d klassen, %d zonder gegevens",
        indicator,
        len(buurten),
        len(classes.colors),
        classes.missing,
    )
    return fmap


def save_map(fmap: folium.Map, path: str | Path) -> Path:
    """Write ``fmap`` as one HTML file, creating the folder; returns the path.

    Parameters
    ----------
    fmap : folium.Map
        A map from :func:`indicator_map` (or any folium map).
    path : str or Path
        Target file, usually under ``maps/``.

    Returns
    -------
    Path

    Examples
    --------
    >>> from wijkgeo.maps import save_map
    >>> save_map(m, "maps/demodam.html")     # doctest: +SKIP
    PosixPath('maps/demodam.html')
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fmap.save(str(tmp))
    tmp.replace(path)
    log.info("kaart opgeslagen: %s (%d kB)", path, path.stat().st_size // 1024)
    return path
