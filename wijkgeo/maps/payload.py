"""The data of a map, as plain data: what ``engine.js`` reads, computed without folium.

:func:`map_payload` decides the inputs (an Atlas, a series or bare frames made with
:meth:`wijkgeo.atlas.Atlas.from_frames`), computes the indicator arrays and classes
(:mod:`wijkgeo.maps.data`), builds the geometry (:mod:`wijkgeo.maps.geometry`,
:mod:`wijkgeo.maps.topology`) and the layers (:mod:`wijkgeo.maps.layers`), and returns a
:class:`MapData`. Tests read ``MapData.payload`` as data; :mod:`wijkgeo.maps.render` turns it
into a page (the one module that touches folium).

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.maps.payload import map_payload
>>> data = map_payload(wijkgeo.make_demo(), ["aandeel_65_plus"])
>>> [layer["id"] for layer in data.payload["layers"]][:2]
['buurten', 'wijken']
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from .escape import Markup
from .geometry import auto_tolerance, check_buurten, coverage_for_topology, in_rd, to_wgs84_rounded
from .maplayer import MapLayer
from .options import MapOptions, Overlays

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..atlas import Atlas
    from ..series import AtlasSeries

__all__ = ["CANVAS_FROM", "IDS", "MapData", "map_payload"]

log = logging.getLogger(__name__)

#: From this many buurten on, the map draws on a canvas instead of SVG (folium #1176).
CANVAS_FROM = 3000

#: Element ids of the page (the data block, the panel and its controls).
IDS = {
    "data": "wijkgeo-data",
    "panel": "wijkgeo-panel",
    "select": "wijkgeo-indicator",
    "legend": "wijkgeo-legend",
    "mode": "wijkgeo-mode",
}


@dataclass
class MapData:
    """Everything a map page shows, as data (no HTML page yet).

    ``payload`` is the JSON block ``engine.js`` reads (every string escaped); the other
    fields are what the panel shows and where the map opens.
    """

    payload: dict[str, Any]
    heading: str
    subtitle: str | None
    source: str | None
    entries: list[dict[str, Any]]
    initial: str
    bounds: tuple[float, float, float, float]
    extras: bool
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def layers(self) -> dict[str, dict[str, Any]]:
        """The layers of the payload by id."""
        return {layer["id"]: layer for layer in self.payload["layers"]}


def _gemeente_of(buurten: gpd.GeoDataFrame) -> str | None:
    """The gemeente name for the title: the one name, or how many gemeenten the map shows."""
    if "gemeentenaam" not in buurten.columns:
        return None
    names = buurten["gemeentenaam"].dropna().astype(str).unique()
    if len(names) == 1:
        return names[0]
    return f"{len(names)} gemeenten" if len(names) else None


def _names(buurten: gpd.GeoDataFrame, wijken: Any) -> tuple[list[str], list[str], list[str] | None]:
    """Codes, names (the code when a name is missing) and wijk names per buurt (raw: the
    payload is escaped in one pass at serialisation,
    :func:`~wijkgeo.maps.escape.escape_payload`)."""
    codes = buurten["buurtcode"].astype(str)
    names = codes
    if "buurtnaam" in buurten.columns:  # a buurt without a name shows its code, never "nan"
        names = buurten["buurtnaam"].where(buurten["buurtnaam"].notna(), codes).astype(str)
    wijk = None
    if "wijkcode" in buurten.columns:
        wijknamen: dict[str, str] = {}
        if wijken is not None and {"wijkcode", "wijknaam"} <= set(wijken.columns):
            named = wijken[wijken["wijknaam"].notna()]
            wijknamen = dict(
                zip(named["wijkcode"].astype(str), named["wijknaam"].astype(str), strict=True)
            )
        wijk = [wijknamen.get(c, c) for c in buurten["wijkcode"].astype(str)]
    return [c for c in codes], [n for n in names], wijk


def _describe_source(indicator: Any, atlas: Atlas) -> str | None:
    meta = atlas.meta
    source = meta.get("source")
    if not source and indicator is not None:
        year = meta.get("year")
        source = indicator.source_in(int(year) if year else None)
    return str(source) if source else None


def map_payload(
    atlas: Atlas | AtlasSeries,
    indicators: Sequence[str] | None = None,
    *,
    indicator: str | None = None,
    options: MapOptions | None = None,
    overlays: Overlays | None = None,
) -> MapData:
    """The map of an Atlas (or a series' latest year, compared with the year before) as data.

    Parameters are those of :func:`wijkgeo.maps.build`.

    Raises
    ------
    DataValidationError
        When the buurten lack a CRS, a ``buurtcode`` or a geometry, or codes repeat.
    ConfigError
        For an unknown indicator or classification.
    """
    import shapely
    import xyzservices

    from .. import text as wording
    from ..facts.model import build_facts
    from ..indicators import get_indicator, registry
    from ..series import AtlasSeries
    from .classes import MISSING_COLOR, SMALL_COLOR
    from .data import ReferenceValues, estimate_entries, indicator_entries, text
    from .topology import encode_coverage
    from .view import opening_indicator, populated_bounds, wijk_values

    options = options or MapOptions()
    overlays = overlays if overlays is not None else Overlays()
    series = AtlasSeries.of(atlas)
    atlas = series.latest
    bare = bool(atlas.meta.get("frames"))
    buurten = atlas.buurten
    wijken = atlas.wijken if atlas.wijken is not None and len(atlas.wijken.columns) else None
    draw_wijken = options.wijkgrenzen and atlas.meta.get("wijkgrenzen", True) is not False
    gemeente = atlas.meta.get("naam") if bare else atlas.name
    gemeente = gemeente or (_gemeente_of(buurten) if bare else None)
    year = atlas.meta.get("year")
    keys = list(indicators) if indicators is not None else list(registry())
    for key in keys:
        get_indicator(key)  # unknown keys fail here, with suggestions
    if indicator is not None and indicator not in keys:
        keys.insert(0, get_indicator(indicator).key)
    buurten = in_rd(buurten, "buurten")
    check_buurten(buurten)
    t = text()

    # --- data: the facts (wijkgeo.facts), computed once; the map only renders them ------
    extras = not bare and overlays.any
    facts = build_facts(
        replace(atlas, buurten=buurten) if bare and buurten is not atlas.buurten else series,
        keys,
        koppelkansen=_koppelkansen_wanted(overlays) if extras else False,
        peildatum=overlays.peildatum,
        levels=("buurt", "wijk") if draw_wijken and wijken is not None else ("buurt",),
    )
    buurt = facts.levels["buurt"]
    values = buurt.table[keys].reset_index(drop=True)
    reasons = buurt.reasons[keys].reset_index(drop=True)
    if indicators is None:  # the default selection: model estimates only where they are stored
        keys = [k for k in keys if not _estimate_unavailable(k, reasons)]
        values, reasons = values[keys], reasons[keys]
    ref = facts.references
    refs = ReferenceValues(
        ref.groups, ref.group_of(buurten), ref.gemeente, ref.nederland, ref.nederland_why
    )
    prev_frame, prev_notes, prev_year = None, None, facts.previous_year
    if buurt.change is not None:
        # the one comparison of years is the facts' (the series' crosswalk)
        prev_frame = pd.DataFrame({k: buurt.change[f"{k}_vorig"].to_numpy() for k in keys})
        prev_notes = [None if n is None or n != n else str(n) for n in buurt.change["opmerking"]]
    local = atlas.local or None
    estimates, herkomst = estimate_entries(keys, buurten, local)
    entries, reason_list = indicator_entries(keys, values, reasons, refs, prev_frame, estimates)
    peers = overlays.peers
    with_peers = peers is not None and getattr(peers, "result", None) is not None
    if with_peers:  # "verschil met vergelijkbare buurten" (wijkgeo/maps/peers.py)
        from .peers import add_peer_entries

        add_peer_entries(entries, buurten["buurtcode"].astype(str).tolist(), values, peers)

    # --- geometry -----------------------------------------------------------------------
    rd = buurten.geometry.to_numpy()
    tolerance = options.tolerance(lambda: auto_tolerance(rd))
    drawn, is_coverage = coverage_for_topology(rd, tolerance)
    wgs = to_wgs84_rounded(drawn)
    topo = encode_coverage(wgs, quantum=max(0.5, float(tolerance or 1.0) / 2))
    canvas = len(buurten) >= CANVAS_FROM if options.canvas is None else bool(options.canvas)

    map_layers = [
        MapLayer("buurten", "choropleth", t["layer_buurten"], spec={"opacity": options.opacity})
    ]
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
    if extras:
        from .layers import local_layers

        shown = atlas if overlays.local else _without_local(atlas)
        map_layers.extend(
            local_layers(
                shown, buurten, wijken if draw_wijken else None, topo,
                koppelkansen=facts.koppelkansen if facts.koppelkansen is not None else False,
                grid=overlays.grid, peildatum=facts.peildatum,
                present=buurt.present if overlays.local else None,
            )
        )
    map_layers.extend(overlays.layers)

    # --- payload ------------------------------------------------------------------------
    # a rate or share first: a choropleth of counts mostly shows which buurten are large
    initial = indicator or opening_indicator(entries) or keys[0]
    codes, names, wijknamen = _names(buurten, wijken if draw_wijken else None)
    payload: dict[str, Any] = {
        "text": {k: v for k, v in t.items() if not k.startswith("_")},
        "ids": dict(IDS),
        "canvas": canvas,
        "missing_color": MISSING_COLOR,
        "initial": initial,
        "codes": codes,
        "names": names,
        "wijken": wijknamen,
        "groups": [g for g in refs.groups],
        "reasons": reason_list,
        "topology": topo.to_json(),
        "layers": [layer.to_json() for layer in map_layers],
        "indicators": entries,
        "small_color": SMALL_COLOR,
        "small_reasons": list(wording.words()["reasons"]["population"].values()),
    }
    if herkomst is not None:  # where each buurt's model estimate comes from (RIVM)
        payload["herkomst"] = herkomst
    wijk = facts.levels.get("wijk")
    area = (
        wijk_values(wijken, buurten, entries, values=None if wijk is None else wijk.table)
        if draw_wijken
        else None
    )
    if area is not None:
        payload["area"] = area  # "Gebied: wijken": the wijken with their own figures
    if len(refs.groups) > 1:
        payload["group_of"] = refs.group_of.tolist()
    if extras:
        from .footer import footer_html

        payload["extras"] = True
        if "wijkcode" in buurten.columns:
            payload["wijkcodes"] = [c for c in buurten["wijkcode"].astype(str)]
        payload["footer"] = footer_html(atlas, options.basemap)
        # grijs or pastel in the panel: the two quiet variants under coloured layers
        payload["basemaps"] = {
            "current": options.basemap,
            "urls": {
                name: Markup(xyzservices.providers.nlmaps[name].build_url())  # a trusted URL
                for name in dict.fromkeys((options.basemap, "grijs", "pastel"))
            },
        }
    if with_peers:
        from .peers import peer_payload

        payload["peers"] = peer_payload(peers)
    frame = overlays.jaren
    if frame is not None and frame is not False and len(frame):
        from .years import years_block

        # a model estimate is one edition shown with its own year, not a yearly series
        estimates = [k for k in frame["indicator"].unique() if _is_estimate(k)]
        frame = frame[~frame["indicator"].isin(estimates)]

        # every year on these buurten, the geometry once; the newest year is the map's own
        payload["jaren"] = years_block(frame, list(buurten["buurtcode"].astype(str)))
    if prev_frame is not None:
        payload["previous"] = {
            "year": prev_year,
            "notes": [None if n is None else n for n in prev_notes],
        }
    one = len(keys) == 1
    heading = options.title or (
        f"{get_indicator(keys[0]).label} per buurt" if one else "Indicatoren per buurt"
    )
    subtitle = " · ".join(str(p) for p in (gemeente, year) if p)
    # open on where people live (90 % of the inhabitants), not on the harbour or the dunes
    if "aantal_inwoners" in buurten.columns:
        import geopandas as gpd

        minx, miny, maxx, maxy = populated_bounds(
            gpd.GeoDataFrame(geometry=wgs), buurten["aantal_inwoners"]
        )
    else:
        minx, miny, maxx, maxy = shapely.total_bounds(wgs)
    return MapData(
        payload=payload,
        heading=heading,
        subtitle=subtitle or None,
        source=_describe_source(get_indicator(keys[0]) if one else None, atlas),
        entries=entries,
        initial=initial,
        bounds=(float(minx), float(miny), float(maxx), float(maxy)),
        extras=extras,
        stats={
            "buurten": len(buurten),
            "indicatoren": len(entries),
            "zonder_gegevens": sum(not e["ok"] for e in entries),
            "bogen": len(topo.arcs),
            "punten": topo.n_points,
            "tolerantie": tolerance,
        },
    )


def _estimate_unavailable(key: str, reasons: Any) -> bool:
    """A model estimate (RIVM) whose table is not in this atlas at all."""
    from .. import text as words
    from ..indicators import get_indicator

    if not get_indicator(key).estimate:
        return False
    return bool((reasons[key] == words.reason("unavailable")).all())


def _without_local(atlas: Atlas) -> Atlas:
    return replace(atlas, local={})


def _koppelkansen_wanted(overlays: Overlays) -> Any:
    """The facts' koppelkansen argument for the map's overlays: a result as it is, ``None``
    (evaluate) when automatic, ``False`` when off (``False`` or ``"uit"``)."""
    kk = overlays.koppelkansen
    if kk is False or kk == "uit":
        return False
    return None if kk is None or isinstance(kk, str) else kk


def _is_estimate(key: str) -> bool:
    """Whether a registry key is a model estimate (keys the registry does not know are not)."""
    from ..indicators import registry

    ind = registry().get(key)
    return bool(ind is not None and ind.estimate)
