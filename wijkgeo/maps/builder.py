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

Geometry (coverage simplification, RD -> WGS84, wijk borders drawn once) lives in
:mod:`wijkgeo.maps.geometry`; this module only composes the map.

Size and speed against ``folium.Choropleth`` and ``GeoDataFrame.explore``: see
``benchmarks/maps.py`` (about 2x smaller HTML and 1.3-2x faster, measured in one run).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from branca.element import MacroElement
from jinja2 import Template

from .assets import apply_assets
from .classes import Classes, classify
from .escape import SafeHtml, esc, html
from .geometry import (
    check_buurten,
    feature_collection,
    in_rd,
    simplify_coverage,
    to_wgs84_rounded,
    wijk_outlines,
)
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
    buurten = in_rd(buurten, "buurten")
    check_buurten(buurten)
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
    simplified, is_coverage = simplify_coverage(rd, simplify)
    buurt_wgs84 = to_wgs84_rounded(simplified)
    buurt_fc = feature_collection(buurt_wgs84, properties)

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
        outlines = wijk_outlines(buurten, simplified, wijken, is_coverage)
        if len(outlines):
            GeoJsonLayer(
                feature_collection(to_wgs84_rounded(outlines), [{} for _ in outlines]),
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
