"""The one module that touches folium: a :class:`~wijkgeo.maps.payload.MapData` as a page.

:func:`render` makes the ``folium.Map``: the PDOK basemap, the metric scale bar, the panel,
the data block (JSON from :func:`~wijkgeo.maps.escape.script_json`), ``engine.js`` and, for an
Atlas map, ``overlays.js`` and one script per map layer type (``static/layers/``), all
inserted *verbatim*: branca would otherwise compile the output of every element again as a
Jinja template, which costs time on megabytes of data and evaluates ``{{ }}``.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from .assets import apply_assets, engine_assets
from .escape import esc, escape_payload, script_json
from .options import MapOptions
from .page import inline_asset, panel_html, static_text
from .payload import IDS, MapData
from .view import dutch_page

__all__ = ["BASEMAP_NAMES", "Verbatim", "render"]

BASEMAP_NAMES = {
    "grijs": "BRT-Achtergrondkaart grijs (PDOK)",
    "standaard": "BRT-Achtergrondkaart (PDOK)",
    "pastel": "BRT-Achtergrondkaart pastel (PDOK)",
    "water": "BRT-Achtergrondkaart water (PDOK)",
}


class _Text(Element):
    """Already rendered text; ``render`` returns it unchanged (no template, no second pass)."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class Verbatim(MacroElement):
    """Put final text into one section of the page (``header``, ``html`` or ``script``)."""

    def __init__(self, text: str, section: str = "html"):
        super().__init__()
        if section not in ("header", "html", "script"):
            raise ValueError(f"section must be header, html or script, not {section!r}")
        self._name = "Verbatim"
        self.text = str(text)
        self.section = section

    def render(self, **kwargs: Any) -> None:
        getattr(self.get_root(), self.section).add_child(_Text(self.text), name=self.get_name())


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres only (folium's ``control_scale`` adds feet and miles)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


def _walk(element: Any) -> list[Any]:
    out, stack = [], [element]
    while stack:
        el = stack.pop(0)
        out.append(el)
        stack.extend(el._children.values())
    return out


def render(data: MapData, options: MapOptions | None = None) -> folium.Map:
    """The page of a map: a ``folium.Map`` analysts can add to and save."""
    import xyzservices

    from ..indicators import brede_welvaart
    from .layers import SCRIPTS

    options = options or MapOptions()
    provider = xyzservices.providers.nlmaps[options.basemap]
    # zoomSnap 0.25: fitting the gemeente may use a fractional zoom, so on a 390 px phone it
    # fills the width instead of dropping to the next whole zoom level (half the size)
    fmap = folium.Map(
        location=None, tiles=None, control_scale=False, zoom_control="topright", zoom_snap=0.25
    )
    fmap._id = "wijkgeo"  # a stable name (map_wijkgeo) for the start script below
    apply_assets(fmap, "engine")
    if options.offline:
        assets = engine_assets()
        fmap.default_js, fmap.default_css = [], []
        inlined = [inline_asset(u, "css") for _, u in assets["css"]]
        inlined += [inline_asset(u, "js") for _, u in assets["js"]]
        Verbatim("".join(inlined), "header").add_to(fmap)
    _MetricScale().add_to(fmap)
    folium.TileLayer(
        tiles=provider.build_url(),
        attr=provider.html_attribution,
        name=BASEMAP_NAMES[options.basemap],
        min_zoom=provider.get("min_zoom", 6),
        max_zoom=provider.get("max_zoom", 19),
        overlay=False,
        control=False,
    ).add_to(fmap)
    heading, subtitle = data.heading, data.subtitle
    fmap.get_root().title = str(esc(f"{heading} – {subtitle}" if subtitle else heading))
    Verbatim("<style>" + static_text("engine.css") + "</style>", "header").add_to(fmap)
    if data.extras:
        Verbatim("<style>" + static_text("overlays.css") + "</style>", "header").add_to(fmap)
    Verbatim(
        str(
            panel_html(
                IDS,
                heading,
                subtitle,
                data.source,
                data.entries,
                # the selector follows CBS's brede welvaart themes (welzijn, materiële welvaart..)
                {k: v["label"] for k, v in brede_welvaart().items()},
                data.initial,
                data.payload["layers"],
                peers="peers" in data.payload,
            )
        )
    ).add_to(fmap)
    scripts = [static_text("engine.js")]
    if data.extras:
        scripts += [static_text("overlays.js")] + [static_text(f"layers/{t}.js") for t in SCRIPTS]
    if "jaren" in data.payload:
        scripts.append(static_text("years.js"))  # the year switch: only with a series
    block = script_json(escape_payload(data.payload))  # every data string escaped, once
    Verbatim(
        f'<script type="application/json" id="{IDS["data"]}">{block}</script>'
        + "<script>" + "\n".join(scripts) + "</script>"  # the engine and its layer types
    ).add_to(fmap)
    minx, miny, maxx, maxy = data.bounds
    dutch_page(fmap)  # lang="nl", zooming allowed (WCAG 2.1 AA)
    fmap.fit_bounds(
        [[miny, minx], [maxy, maxx]], padding_top_left=(10, 10), padding_bottom_right=(10, 10)
    )
    Verbatim(f'wijkgeo.start({fmap.get_name()}, "{IDS["data"]}");', "script").add_to(fmap)
    for n, element in enumerate(_walk(fmap)):  # stable ids: the same input, the same file
        if element is not fmap:
            element._id = f"{n:04d}"
    return fmap
