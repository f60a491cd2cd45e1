"""The JavaScript/CSS a wijkgeo map loads, kept as data in ``assets.json``.

folium 0.20 loads its assets from four hosts (jsdelivr, code.jquery.com, cdnjs, netdna) and
one file straight from folium's GitHub repository. wijkgeo maps load the same libraries in
the same versions, but every URL is an npm coordinate on jsdelivr
(``https://cdn.jsdelivr.net/npm/<package>@<version>/<file>``). That makes each file pinnable
in ``package.json`` and servable from ``node_modules`` (the headless-browser tests do that),
and keeps inlining for offline use (folium #1985) a mechanical step.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = [
    "CDN_PREFIX",
    "NpmAsset",
    "apply_assets",
    "engine_assets",
    "map_assets",
    "parse_cdn_url",
]

#: Every asset URL starts with this.
CDN_PREFIX = "https://cdn.jsdelivr.net/npm/"

_NPM_URL = re.compile(
    r"^https://cdn\.jsdelivr\.net/npm/(?P<package>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>.+)$"
)


@dataclass(frozen=True)
class NpmAsset:
    """One file of one npm package version, as addressed by a jsdelivr URL."""

    package: str
    version: str
    path: str


@cache
def map_assets() -> dict[str, list[tuple[str, str]]]:
    """The ``{"js": [(name, url), ...], "css": [...]}`` lists every wijkgeo map loads.

    Examples
    --------
    >>> from wijkgeo.maps.assets import map_assets
    >>> dict(map_assets()["js"])["leaflet"]
    'https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js'
    """
    raw = json.loads(resources.files(__package__).joinpath("assets.json").read_text("utf-8"))
    return {kind: [(str(n), str(u)) for n, u in raw[kind]] for kind in ("js", "css")}


@cache
def engine_assets() -> dict[str, list[tuple[str, str]]]:
    """The assets of an engine map (:func:`wijkgeo.maps.build`): Leaflet only.

    Examples
    --------
    >>> from wijkgeo.maps.assets import engine_assets
    >>> [name for name, _ in engine_assets()["js"]]
    ['leaflet']
    """
    raw = json.loads(resources.files(__package__).joinpath("assets.json").read_text("utf-8"))
    return {kind: [(str(n), str(u)) for n, u in raw["engine"][kind]] for kind in ("js", "css")}


def parse_cdn_url(url: str) -> NpmAsset | None:
    """Split a jsdelivr npm URL into package, version and file path; ``None`` for others.

    Examples
    --------
    >>> from wijkgeo.maps.assets import parse_cdn_url
    >>> parse_cdn_url("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css")
    NpmAsset(package='@fortawesome/fontawesome-free', version='6.2.0', path='css/all.min.css')
    >>> parse_cdn_url("https://example.org/x.js") is None
    True
    """
    match = _NPM_URL.match(url.split("?", 1)[0].split("#", 1)[0])
    if match is None:
        return None
    return NpmAsset(match["package"], match["version"], match["path"])


def apply_assets(fmap: folium.Map, which: str = "folium") -> folium.Map:
    """Make ``fmap`` load the assets of ``assets.json`` instead of folium's defaults.

    Examples
    --------
    >>> import folium
    >>> from wijkgeo.maps.assets import apply_assets
    >>> m = apply_assets(folium.Map(tiles=None))
    >>> all(url.startswith("https://cdn.jsdelivr.net/npm/") for _, url in m.default_js)
    True
    """
    assets = engine_assets() if which == "engine" else map_assets()
    fmap.default_js = list(assets["js"])
    fmap.default_css = list(assets["css"])
    return fmap
