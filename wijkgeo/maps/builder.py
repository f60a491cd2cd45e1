"""Compose a wijkgeo map: every indicator over one embedded geometry, in one HTML file.

:func:`build` returns a ``folium.Map`` (analysts can add to it and save it) with

- the buurten drawn from a compact topology (:mod:`wijkgeo.maps.topology`: every shared edge
  once, quantised, delta-encoded) of the coverage-simplified boundaries
  (:mod:`wijkgeo.maps.geometry`), and wijk (and gemeente) borders as lists of the same arcs;
- per registry indicator a compact value array, the mapclassify classes, the "verschil met
  gemeente" classes, the gemeente and Nederland values and the previous year
  (:mod:`wijkgeo.maps.data`), all in one JSON block;
- a Dutch panel: title, indicator selector grouped by theme (indicators without any value
  greyed with the reason), mode, layers; a legend that follows the indicator;
- ``engine.js`` (inlined), which decodes, draws, recolours, writes tooltips and popups and
  keeps indicator, mode, layers and buurt in the URL hash;
- the PDOK BRT-Achtergrondkaart; with ``offline=True`` Leaflet itself is inlined from
  ``wijkgeo/maps/vendor`` so only the tiles need a network.

Renderer: SVG up to :data:`CANVAS_FROM` buurten (one DOM ``path`` per buurt, crisp hover),
canvas above. :func:`indicator_map` is the one-indicator use of :func:`build`.

Size and speed: ``benchmarks/map_size.py`` (national, 40 indicators, against
``folium.Choropleth``); ``benchmarks/maps.py`` (one indicator, against Choropleth/explore).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branca.element import MacroElement
from jinja2 import Template

from .assets import apply_assets
from .escape import esc
from .geometry import auto_tolerance, check_buurten, coverage_for_topology, in_rd, to_wgs84_rounded
from .maplayer import MapLayer

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

    from ..atlas import Atlas

log = logging.getLogger(__name__)

__all__ = [
    "BASEMAPS",
    "CANVAS_FROM",
    "MapLayer",
    "build",
    "indicator_map",
    "save_map",
    "write_map",
]

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


#: From this many buurten on, the map draws on a canvas instead of SVG (folium #1176).
CANVAS_FROM = 3000


def _split_input(
    atlas_or_buurten: Any, wijken: Any, gemeente: str | None, year: int | None
) -> tuple[Any, gpd.GeoDataFrame, Any, str | None, int | None]:
    if hasattr(atlas_or_buurten, "buurten") and hasattr(atlas_or_buurten, "meta"):
        atlas = atlas_or_buurten
        if wijken is None:
            wijken = atlas.wijken
        return (
            atlas,
            atlas.buurten,
            wijken,
            gemeente or atlas.name,
            year if year is not None else atlas.meta.get("year"),
        )
    buurten = atlas_or_buurten
    return None, buurten, wijken, gemeente or _gemeente_of(buurten), year


def _names(buurten: gpd.GeoDataFrame, wijken: Any) -> tuple[list[str], list[str], list[str] | None]:
    """Escaped codes, names (the code when a name is missing) and wijk names per buurt."""
    codes = buurten["buurtcode"].astype(str)
    names = codes
    if "buurtnaam" in buurten.columns:  # a buurt without a name shows its code, never "nan"
        names = buurten["buurtnaam"].where(buurten["buurtnaam"].notna(), codes).astype(str)
    wijk = None
    if "wijkcode" in buurten.columns:
        wijknamen: dict[str, str] = {}
        if (
            wijken is not None
            and wijken is not False
            and {"wijkcode", "wijknaam"} <= set(wijken.columns)
        ):
            named = wijken[wijken["wijknaam"].notna()]
            wijknamen = dict(
                zip(named["wijkcode"].astype(str), named["wijknaam"].astype(str), strict=True)
            )
        wijk = [str(esc(wijknamen.get(c, c))) for c in buurten["wijkcode"].astype(str)]
    return [str(esc(c)) for c in codes], [str(esc(n)) for n in names], wijk


def _estimate_unavailable(key: str, reasons: Any) -> bool:
    """A model estimate (RIVM) whose table is not in this atlas at all."""
    from .. import text as words
    from ..indicators import get_indicator

    if not get_indicator(key).estimate:
        return False
    return bool((reasons[key] == words.reason("unavailable")).all())


def build(
    atlas_or_buurten: Atlas | gpd.GeoDataFrame,
    *,
    indicators: Sequence[str] | None = None,
    indicator: str | None = None,
    title: str | None = None,
    wijken: gpd.GeoDataFrame | bool | None = None,
    gemeenten: gpd.GeoDataFrame | None = None,
    nederland: Any = None,
    previous: Atlas | gpd.GeoDataFrame | None = None,
    local: dict[str, Any] | None = None,
    gemeente: str | None = None,
    year: int | None = None,
    basemap: str = "grijs",
    simplify: float | str | None = "auto",
    prefer_canvas: bool | None = None,
    opacity: float = 0.75,
    source: str | None = None,
    layers: Sequence[MapLayer] = (),
    offline: bool = False,
    koppelkansen: Any = "auto",
    grid: int | None = 500,
    overlays: bool = True,
) -> folium.Map:
    """The map of a gemeente: every indicator over one geometry, Dutch, in one HTML file.

    Parameters
    ----------
    atlas_or_buurten : Atlas or GeoDataFrame
        An :class:`~wijkgeo.atlas.Atlas`, or buurten with at least ``buurtcode`` and a
        geometry (``buurtnaam``, ``wijkcode``, ``gemeentecode``/``gemeentenaam`` are used
        when present). Any CRS is converted to EPSG:28992; a missing CRS is an error.
    indicators : sequence of str, optional
        Registry keys for the selector; default every indicator of the registry.
    indicator : str, optional
        The indicator the map opens with (the URL hash can override it); default the first
        with values.
    title : str, optional
        Title; default "Indicatoren per buurt" (one indicator: "<label> per buurt").
    wijken : GeoDataFrame, bool or None
        Wijken for the names in popups; ``None``: the Atlas' wijken; ``False``: no wijk
        borders. The borders themselves are drawn on the buurt edges (``wijkcode``).
    gemeenten, nederland : DataFrame, optional
        For bare buurten: rows of the gemeenten (``gemeentecode``) and of Nederland to compare
        with. An Atlas brings its own (``atlas.gemeente``, ``atlas.nederland``).
    previous : Atlas or GeoDataFrame, optional
        The same gemeente a year earlier; popups then show the change where the boundary did
        not change.
    local : dict, optional
        Local layers for the indicators that need them (default ``atlas.local``).
    gemeente : str, optional
        Gemeente name for the title; default from the Atlas or ``gemeentenaam``.
    year : int, optional
        Year for the title; default ``atlas.meta["year"]``.
    basemap : {"grijs", "standaard", "pastel", "water"}
        Variant of the PDOK BRT-Achtergrondkaart.
    simplify : float, "auto" or None
        Coverage-simplification tolerance in metres; ``"auto"`` suits the extent
        (:func:`~wijkgeo.maps.geometry.auto_tolerance`); ``None``/``0`` keeps the edges.
    prefer_canvas : bool, optional
        Canvas instead of SVG; default from :data:`CANVAS_FROM` buurten on.
    opacity : float
        Fill opacity of the buurten.
    source : str, optional
        The "Bron" line; default ``atlas.meta["source"]``, else the registry's source.
    layers : sequence of MapLayer
        Further layers (their JavaScript type must be registered on the page).
    offline : bool
        Inline Leaflet (JS, CSS, images) from ``wijkgeo/maps/vendor``: the file then needs a
        network only for the basemap tiles.
    koppelkansen : "auto", KoppelkansResult, None or False
        With an Atlas: ``"auto"`` evaluates the koppelkansen (default rules plus the
        gemeente's own) and shows them as a layer; a precomputed
        :class:`~wijkgeo.koppelkansen.KoppelkansResult` is shown as it is; ``None``/``False``
        leaves the layer out.
    grid : int or None
        With an Atlas that holds CBS cells of this size: the layer of cells
        (:func:`wijkgeo.grid.atlas_grid`) with CBS's own numbers and buurt estimates.
    overlays : bool
        With an Atlas: add its own layers (voorzieningen, bewonersinitiatieven,
        energietransitie, projecten), the grid and the koppelkansen
        (:mod:`wijkgeo.maps.overlays`), the search box, the "Check deze plek" panel and
        the sources footer. ``False`` gives the plain indicator map.

    Returns
    -------
    folium.Map

    Raises
    ------
    DataValidationError
        When the buurten lack a CRS, a ``buurtcode`` or a geometry, or codes repeat.
    ConfigError
        For an unknown basemap, indicator or classification.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps import build, save_map
    >>> m = build(wijkgeo.make_demo(), indicator="aandeel_65_plus")          # doctest: +SKIP
    >>> save_map(m, "maps/demodam_alle.html")                                 # doctest: +SKIP
    PosixPath('maps/demodam_alle.html')
    """
    import folium
    import shapely
    import xyzservices

    from .._errors import ConfigError
    from ..indicators import brede_welvaart, compute, get_indicator, registry
    from .assets import engine_assets
    from .classes import MISSING_COLOR
    from .data import (
        estimate_entries,
        indicator_entries,
        previous_values,
        references_from_atlas,
        references_from_frames,
        text,
    )
    from .escape import script_json
    from .page import Verbatim, inline_asset, panel_html, static_text
    from .topology import encode_coverage

    if basemap not in BASEMAPS:
        raise ConfigError(f"onbekende achtergrondkaart {basemap!r}; kies uit {list(BASEMAPS)}")
    atlas, buurten, wijken, gemeente, year = _split_input(atlas_or_buurten, wijken, gemeente, year)
    draw_wijken = wijken is not False
    keys = list(indicators) if indicators is not None else list(registry())
    for key in keys:
        get_indicator(key)  # unknown keys fail here, with suggestions
    if indicator is not None and indicator not in keys:
        keys.insert(0, get_indicator(indicator).key)
    buurten = in_rd(buurten, "buurten")
    check_buurten(buurten)
    t = text()

    # --- data ---------------------------------------------------------------------------
    if local is None and atlas is not None:
        local = atlas.local
    result = compute(buurten, keys, level="buurt", local=local, with_reasons=True)
    values = result.values.reset_index(drop=True)
    reasons = result.reasons.reset_index(drop=True)
    if indicators is None:  # the default selection: model estimates only where they are stored
        keys = [k for k in keys if not _estimate_unavailable(k, reasons)]
        values, reasons = values[keys], reasons[keys]
    if atlas is not None:
        refs = references_from_atlas(atlas, keys, len(buurten))
    else:
        refs = references_from_frames(buurten, keys, gemeenten, nederland)
    prev_frame, prev_notes, prev_year = None, None, None
    if previous is not None:
        earlier = previous.buurten if hasattr(previous, "buurten") else previous
        prev_year = getattr(previous, "meta", {}).get("year") or (year - 1 if year else None)
        prev_frame, prev_notes = previous_values(buurten, in_rd(earlier, "vorig jaar"), keys, local)
    estimates, herkomst = estimate_entries(keys, buurten, local)
    entries, reason_list = indicator_entries(keys, values, reasons, refs, prev_frame, estimates)

    # --- geometry -----------------------------------------------------------------------
    rd = buurten.geometry.to_numpy()
    tolerance = auto_tolerance(rd) if simplify == "auto" else simplify
    drawn, is_coverage = coverage_for_topology(rd, tolerance)
    wgs = to_wgs84_rounded(drawn)
    topo = encode_coverage(wgs, quantum=max(0.5, float(tolerance or 1.0) / 2))
    canvas = len(buurten) >= CANVAS_FROM if prefer_canvas is None else bool(prefer_canvas)

    map_layers = [MapLayer("buurten", "choropleth", t["layer_buurten"], spec={"opacity": opacity})]
    several = "gemeentecode" in buurten.columns and buurten["gemeentecode"].nunique() > 1
    if draw_wijken and "wijkcode" in buurten.columns and not is_coverage:
        # borders are arcs between buurten of two wijken: without shared edges every buurt
        # edge would look like a wijk border, so none are drawn rather than wrong ones
        log.warning("grenzen vormen geen bedekking (ook niet na coverage_clean): geen wijkgrenzen")
    if draw_wijken and "wijkcode" in buurten.columns and is_coverage:
        arcs = topo.border_arcs(buurten["wijkcode"].astype(str).to_numpy())
        # on a map of many gemeenten the wijk borders appear from zoom 10 (region) on
        zoom = {"minZoom": 10} if several else {}
        map_layers.append(
            MapLayer(
                "wijken",
                "outline",
                t["layer_wijken"],
                spec={"arcs": arcs, "className": "wijkgeo-wijk", **zoom},
            )
        )
    if several and is_coverage:
        arcs = topo.border_arcs(buurten["gemeentecode"].astype(str).to_numpy())
        map_layers.append(
            MapLayer(
                "gemeenten",
                "outline",
                t["layer_gemeenten"],
                spec={
                    "arcs": arcs,
                    "className": "wijkgeo-gemeente",
                    "weight": 2,
                    "color": "#000000",
                },
            )
        )
    extras = atlas is not None and overlays
    if extras:
        from .overlays import local_layers

        map_layers.extend(
            local_layers(
                atlas, buurten, wijken if draw_wijken else None, topo,
                koppelkansen=koppelkansen, grid=grid,
            )
        )
    map_layers.extend(layers)

    # --- page ---------------------------------------------------------------------------
    initial = indicator or next((e["key"] for e in entries if e["ok"]), keys[0])
    ids = {
        "data": "wijkgeo-data",
        "panel": "wijkgeo-panel",
        "select": "wijkgeo-indicator",
        "legend": "wijkgeo-legend",
        "mode": "wijkgeo-mode",
    }
    codes, names, wijknamen = _names(buurten, wijken if draw_wijken else None)
    payload: dict[str, Any] = {
        "text": _escaped({k: v for k, v in t.items() if not k.startswith("_")}),
        "ids": ids,
        "canvas": canvas,
        "missing_color": MISSING_COLOR,
        "initial": initial,
        "codes": codes,
        "names": names,
        "wijken": wijknamen,
        "groups": [str(esc(g)) for g in refs.groups],
        "reasons": reason_list,
        "topology": topo.to_json(),
        "layers": [layer.to_json() for layer in map_layers],
        "indicators": entries,
    }
    if herkomst is not None:  # where each buurt's model estimate comes from (RIVM)
        payload["herkomst"] = herkomst
    if len(refs.groups) > 1:
        payload["group_of"] = refs.group_of.tolist()
    if extras:
        from .footer import footer_html

        payload["extras"] = True
        if "wijkcode" in buurten.columns:
            payload["wijkcodes"] = [str(esc(c)) for c in buurten["wijkcode"].astype(str)]
        payload["footer"] = str(footer_html(atlas, basemap))
        # grijs or pastel in the panel: the two quiet variants under coloured layers
        payload["basemaps"] = {
            "current": basemap,
            "urls": {
                name: xyzservices.providers.nlmaps[name].build_url()
                for name in dict.fromkeys((basemap, "grijs", "pastel"))
            },
        }
    if prev_frame is not None:
        payload["previous"] = {
            "year": prev_year,
            "notes": [None if n is None else str(esc(n)) for n in prev_notes],
        }

    provider = xyzservices.providers.nlmaps[basemap]
    # zoomSnap 0.25: fitting the gemeente may use a fractional zoom, so on a 390 px phone it
    # fills the width instead of dropping to the next whole zoom level (half the size)
    fmap = folium.Map(
        location=None, tiles=None, control_scale=False, zoom_control="topright", zoom_snap=0.25
    )
    fmap._id = "wijkgeo"  # a stable name (map_wijkgeo) for the start script below
    apply_assets(fmap, "engine")
    if offline:
        assets = engine_assets()
        fmap.default_js, fmap.default_css = [], []
        inlined = [inline_asset(u, "css") for _, u in assets["css"]]
        inlined += [inline_asset(u, "js") for _, u in assets["js"]]
        Verbatim("".join(inlined), "header").add_to(fmap)
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

    one = len(keys) == 1
    heading = title or (
        f"{get_indicator(keys[0]).label} per buurt" if one else "Indicatoren per buurt"
    )
    subtitle = " · ".join(str(p) for p in (gemeente, year) if p)
    fmap.get_root().title = str(esc(f"{heading} – {subtitle}" if subtitle else heading))
    Verbatim("<style>" + static_text("engine.css") + "</style>", "header").add_to(fmap)
    if extras:
        Verbatim("<style>" + static_text("overlays.css") + "</style>", "header").add_to(fmap)
    # the selector follows CBS's brede welvaart themes (welzijn, materiële welvaart, ...)
    themes_order = {k: v["label"] for k, v in brede_welvaart().items()}
    Verbatim(
        str(
            panel_html(
                ids,
                heading,
                subtitle or None,
                _describe_source(get_indicator(keys[0]) if one else None, atlas, source),
                entries,
                themes_order,
                initial,
                payload["layers"],
            )
        )
    ).add_to(fmap)
    Verbatim(
        f'<script type="application/json" id="{ids["data"]}">{script_json(payload)}</script>'
        f"<script>{static_text('engine.js')}</script>"
        + (f"<script>{static_text('overlays.js')}</script>" if extras else "")
    ).add_to(fmap)
    minx, miny, maxx, maxy = shapely.total_bounds(wgs)
    fmap.fit_bounds(
        [[miny, minx], [maxy, maxx]], padding_top_left=(10, 10), padding_bottom_right=(10, 10)
    )
    Verbatim(f'wijkgeo.start({fmap.get_name()}, "{ids["data"]}");', "script").add_to(fmap)
    for n, element in enumerate(_walk(fmap)):  # stable ids: the same input, the same file
        if element is not fmap:
            element._id = f"{n:04d}"
    log.info(
        "kaart: %d buurten, %d indicatoren (%d zonder gegevens), %d bogen, %d punten, %s m",
        len(buurten),
        len(entries),
        sum(not e["ok"] for e in entries),
        len(topo.arcs),
        topo.n_points,
        tolerance,
    )
    return fmap


def _escaped(value: Any) -> Any:
    """Every string of a JSON-ready structure through :func:`~wijkgeo.maps.escape.esc`."""
    if isinstance(value, str):
        return str(esc(value))
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _walk(element: Any) -> list[Any]:
    out, stack = [], [element]
    while stack:
        el = stack.pop(0)
        out.append(el)
        stack.extend(el._children.values())
    return out


def indicator_map(
    atlas_or_buurten: Atlas | gpd.GeoDataFrame,
    indicator: str,
    *,
    title: str | None = None,
    wijken: gpd.GeoDataFrame | bool | None = None,
    gemeente: str | None = None,
    year: int | None = None,
    basemap: str = "grijs",
    simplify: float | str | None = "auto",
    prefer_canvas: bool | None = None,
    opacity: float = 0.75,
    source: str | None = None,
    offline: bool = False,
) -> folium.Map:
    """A map of one registry indicator: :func:`build` with only that indicator.

    Parameters are those of :func:`build`; ``indicator`` is the registry key.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps import indicator_map, save_map
    >>> atlas = wijkgeo.make_demo()                                      # doctest: +SKIP
    >>> m = indicator_map(atlas, "aandeel_huishoudens_laag_inkomen")     # doctest: +SKIP
    >>> save_map(m, "maps/laag_inkomen.html")                            # doctest: +SKIP
    PosixPath('maps/laag_inkomen.html')
    """
    return build(
        atlas_or_buurten,
        indicators=[indicator],
        indicator=indicator,
        title=title,
        wijken=wijken,
        gemeente=gemeente,
        year=year,
        basemap=basemap,
        simplify=simplify,
        prefer_canvas=prefer_canvas,
        opacity=opacity,
        source=source,
        offline=offline,
    )


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


def write_map(
    gemeente: str,
    year: int,
    *,
    store: str | Path | None = None,
    path: str | Path | None = None,
    offline: bool = False,
    indicator: str | None = None,
) -> Path:
    """Read a gemeente from the store, build its map with every indicator and save it.

    The previous year, when the store has it, gives the change since then (only for buurten
    whose boundary did not change). This is ``wijkgeo map``.

    Parameters
    ----------
    gemeente : str
        Gemeente code (``GM0772``).
    year : int
        Statistics year.
    store : str or Path, optional
        Store folder (default ``$WIJKGEO_STORE`` or the user data folder).
    path : str or Path, optional
        Output file; default ``maps/<code>_<year>.html``.
    offline : bool
        Inline every script and stylesheet (see :func:`build`).
    indicator : str, optional
        The indicator the map opens with.

    Returns
    -------
    Path

    Raises
    ------
    NotInStoreError
        When the gemeente and year are not in the store.

    Examples
    --------
    >>> from wijkgeo.maps import write_map
    >>> write_map("GM9999", 2024, offline=True)          # doctest: +SKIP
    PosixPath('maps/GM9999_2024.html')
    """
    from ..store import Store

    target = Store(store)
    atlas = target.read_atlas(gemeente, year)
    manifest = target.manifest(atlas.code, year)  # table versions and dates for the footer
    for key in ("sources", "retrieved_at"):
        if manifest.get(key) and key not in atlas.meta:
            atlas.meta[key] = manifest[key]
    previous = None
    if target.has(atlas.code, year - 1):
        previous = target.read_atlas(atlas.code, year - 1)
        log.info("vorig jaar %d gevonden: veranderingen in de popups", year - 1)
    fmap = build(atlas, indicator=indicator, previous=previous, offline=offline)
    return save_map(fmap, path or Path("maps") / f"{atlas.code}_{year}.html")
