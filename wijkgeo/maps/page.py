"""The page parts of an engine map: inlined engine, data block, panel, legend, offline assets.

All of them are text that is already final (escaped HTML, trusted static files of this
package); :mod:`wijkgeo.maps.render` inserts them verbatim.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from .._errors import ConfigError
from .assets import parse_cdn_url
from .escape import Markup, html, join

if TYPE_CHECKING:  # pragma: no cover
    from importlib.resources.abc import Traversable

__all__ = ["inline_asset", "panel_html", "static_text", "vendored_file"]


@cache
def static_text(name: str) -> str:
    """A file of ``wijkgeo/maps/static`` (the engine's own JS and CSS)."""
    return resources.files(__package__).joinpath("static", name).read_text("utf-8")


def vendored_file(url: str) -> Traversable:
    """The vendored copy (``wijkgeo/maps/vendor/<package>@<version>/<path>``) of a CDN URL.

    Raises
    ------
    ConfigError
        When the URL is no jsdelivr npm URL or that exact file is not vendored.

    Examples
    --------
    >>> from wijkgeo.maps.page import vendored_file
    >>> vendored_file("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js").name
    'leaflet.js'
    """
    asset = parse_cdn_url(url)
    if asset is None:
        raise ConfigError(
            f"{url} is geen npm-adres op cdn.jsdelivr.net; offline kan de kaart alleen "
            "bestanden uit wijkgeo/maps/vendor opnemen"
        )
    path = resources.files(__package__).joinpath(
        "vendor", f"{asset.package}@{asset.version}", *asset.path.split("/")
    )
    if not path.is_file():
        raise ConfigError(
            f"{asset.package}@{asset.version}/{asset.path} zit niet in wijkgeo/maps/vendor; "
            "zonder dat bestand kan de kaart niet offline. Zie wijkgeo/maps/vendor/README.md."
        )
    return path


_CSS_URL = re.compile(r"url\((['\"]?)([^)'\"]+)\1\)")


def _inline_css_urls(css: str, base: Traversable) -> str:
    """Replace relative ``url(...)`` references by data URIs of the vendored files."""

    def repl(match: re.Match) -> str:
        ref = match[2]
        if ref.startswith(("data:", "#", "http:", "https:")):
            return match[0]
        target = base
        for part in ref.split("?")[0].split("#")[0].split("/"):
            target = target.joinpath(part)
        if not target.is_file():
            return match[0]
        mime = mimetypes.guess_type(ref)[0] or "application/octet-stream"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(repl, css)


def inline_asset(url: str, kind: str) -> str:
    """A ``<script>`` or ``<style>`` block with the vendored file of ``url`` inlined."""
    path = vendored_file(url)
    text = path.read_text("utf-8")
    if kind == "js":
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"
    asset = parse_cdn_url(url)
    assert asset is not None
    base = resources.files(__package__).joinpath("vendor", f"{asset.package}@{asset.version}")
    for part in asset.path.split("/")[:-1]:
        base = base.joinpath(part)
    return "<style>" + _inline_css_urls(text, base).replace("</style", "<\\/style") + "</style>"


def _option(ind: dict, selected: str | None) -> Markup:
    if ind["ok"]:
        return html(
            '<option value="{}"{}>{}</option>',
            ind["key"],
            Markup(" selected") if ind["key"] == selected else "",
            ind["label"],
        )
    why = ind["why"]
    return html(
        '<option value="{}" disabled title="{}">{} — {}: {}</option>',
        ind["key"],
        why,
        ind["label"],
        _T()["missing"],
        why,
    )


def _T() -> dict:
    from .data import text

    return text()


def panel_html(
    ids: dict[str, str],
    title: str,
    subtitle: str | None,
    source: str | None,
    indicators: Sequence[dict],
    themes: dict[str, str],
    selected: str | None,
    layers: Sequence[dict],
    peers: bool = False,
) -> Markup:
    """The panel: title box, indicator selector grouped by theme, mode, layers.

    With ``peers`` the mode has a third choice, "verschil met vergelijkbare buurten".

    ``indicators`` are the payload entries (raw strings: escaped here by :func:`html`);
    ``themes`` the groups in order: brede welvaart themes (entries' ``bw``) or registry
    themes (``theme``).
    """
    t = _T()
    groups = []
    for theme, theme_label in themes.items():
        items = [i for i in indicators if i.get("bw", i["theme"]) == theme]
        if items:
            groups.append(
                html(
                    '<optgroup label="{}">{}</optgroup>',
                    theme_label,
                    join(_option(i, selected) for i in items),
                )
            )
    modes = join(
        html(
            '<label class="wijkgeo-choice"><input type="radio" name="{}" value="{}"{}>{}</label>',
            ids["mode"],
            value,
            Markup(" checked") if value == "waarde" else "",
            label,
        )
        for value, label in (
            ("waarde", t["mode_value"]),
            ("verschil", t["mode_diff"]),
            *((("vergelijkbaar", t["mode_peers"]),) if peers else ()),
        )
    )
    boxes = join(
        html(
            '<label class="wijkgeo-choice"><input type="checkbox" data-wijkgeo-layer="{}"{}>{}'
            "</label>",
            layer["id"],
            Markup(" checked") if layer.get("visible") else "",
            layer["label"],  # escaped once, here (the payload is escaped at serialisation)
        )
        for layer in layers
    )
    return html(
        '<details id="{}" class="wijkgeo-box wijkgeo-panel" open>'
        '<summary title="{}"><h1>{}</h1>{}{}</summary>'
        '<label class="wijkgeo-field" for="{}">{}</label><select id="{}">{}</select>'
        "<fieldset><legend>{}</legend>{}</fieldset>"
        "<fieldset><legend>{}</legend>{}</fieldset></details>"
        '<details id="{}" class="wijkgeo-box wijkgeo-legend" open></details>',
        ids["panel"],
        t["panel_toggle"],
        title,
        html('<div class="wijkgeo-sub">{}</div>', subtitle) if subtitle else "",
        html('<div class="wijkgeo-src">{}: {}</div>', t["source"], source) if source else "",
        ids["select"],
        t["indicator"],
        ids["select"],
        join(groups),
        t["mode"],
        modes,
        t["layers"],
        boxes,
        ids["legend"],
    )
