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

:func:`build` is two steps: :func:`wijkgeo.maps.payload.map_payload` (the map as data, no
folium; tests read it) and :func:`wijkgeo.maps.render.render` (the one module that touches
folium). The look is a :class:`~wijkgeo.maps.options.MapOptions`, what an Atlas map carries
besides the indicators an :class:`~wijkgeo.maps.options.Overlays`; bare frames come in
through :meth:`wijkgeo.atlas.Atlas.from_frames`.

Renderer: SVG up to :data:`CANVAS_FROM` buurten (one DOM ``path`` per buurt, crisp hover),
canvas above. :func:`indicator_map` is the one-indicator use of :func:`build`.

Size and speed: ``benchmarks/map_size.py`` (national, 40 indicators, against
``folium.Choropleth``); ``benchmarks/maps.py`` (one indicator, against Choropleth/explore).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .maplayer import MapLayer
from .options import BASEMAPS, MapOptions, Overlays, split_old_keywords
from .payload import CANVAS_FROM

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from ..atlas import Atlas
    from ..series import AtlasSeries

log = logging.getLogger(__name__)

__all__ = [
    "BASEMAPS",
    "CANVAS_FROM",
    "MapLayer",
    "MapOptions",
    "Overlays",
    "build",
    "indicator_map",
    "save_map",
    "write_map",
]


def _atlas_of(value: Any, frames: dict[str, Any]) -> Any:
    """An Atlas or series as it is; bare buurten (old call) through ``Atlas.from_frames``."""
    from ..atlas import Atlas

    if hasattr(value, "latest") or (hasattr(value, "buurten") and hasattr(value, "meta")):
        if frames.get("wijken") is not None and frames.get("wijken") is not False:
            from dataclasses import replace

            from ..series import AtlasSeries

            series = AtlasSeries.of(value)  # wijken= on an Atlas: other names for the wijken
            latest = replace(series.latest, wijken=frames["wijken"])
            return AtlasSeries([*[a for a in series if a.year != latest.year], latest])
        return value
    warnings.warn(
        "maps.build(GeoDataFrame, ...) is verouderd; gebruik Atlas.from_frames(buurten, ...).",
        DeprecationWarning,
        stacklevel=3,
    )
    if "gemeente" in frames:  # the old name for the title; gemeente is always a code now
        frames["name"] = frames.pop("gemeente")
    return Atlas.from_frames(value, **frames)


def build(
    atlas: Atlas | AtlasSeries,
    indicators: Sequence[str] | None = None,
    *,
    indicator: str | None = None,
    options: MapOptions | None = None,
    overlays: Overlays | bool | None = None,
    **kwargs: Any,
) -> folium.Map:
    """The map of a gemeente: every indicator over one geometry, Dutch, in one HTML file.

    Parameters
    ----------
    atlas : Atlas or AtlasSeries
        An :class:`~wijkgeo.atlas.Atlas`; a series (:meth:`wijkgeo.Store.read_series`) shows
        its latest year and the popups the change since the year before it, where the
        boundary held. Bare buurten (any gemeenten, e.g. the whole country) come in through
        :meth:`Atlas.from_frames(buurten, gemeenten=..., nederland=...)
        <wijkgeo.atlas.Atlas.from_frames>`.
    indicators : sequence of str, optional
        Registry keys for the selector; default every indicator of the registry.
    indicator : str, optional
        The indicator the map opens with (the URL hash can override it); default the first
        with values.
    options : MapOptions, optional
        The look: basemap, simplification, canvas, opacity, offline, title, wijk borders.
    overlays : Overlays, bool or None
        What an Atlas map carries besides the indicators: its own layers, the 500 m grid,
        the koppelkansen (each ``None`` automatic, ``False`` off), further layers and the
        peildatum. ``False``: the plain indicator map. Bare frames never have overlays.
    **kwargs
        The old keywords (``basemap``, ``simplify``, ``prefer_canvas``, ``opacity``,
        ``offline``, ``title``, ``koppelkansen``, ``grid``, ``layers``, ``peildatum``,
        ``previous``, and for bare buurten ``wijken``, ``gemeenten``, ``nederland``,
        ``local``, ``gemeente``, ``year``, ``source``) still work for one release, with a
        DeprecationWarning.

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
    >>> from wijkgeo.maps import MapOptions, build, save_map
    >>> m = build(wijkgeo.make_demo(), indicator="aandeel_65_plus",
    ...           options=MapOptions(offline=True))                            # doctest: +SKIP
    >>> save_map(m, "maps/demodam_alle.html")                                 # doctest: +SKIP
    PosixPath('maps/demodam_alle.html')
    """
    from .payload import map_payload
    from .render import render

    options, overlays, rest = split_old_keywords(kwargs, options, overlays)
    previous = rest.pop("previous", None)
    if rest.get("wijken") is False:
        from dataclasses import replace

        options = replace(options, wijkgrenzen=False)
    atlas = _atlas_of(atlas, rest)
    if previous is not None:
        warnings.warn(
            "maps.build(previous=...) is verouderd; geef een AtlasSeries (Store.read_series).",
            DeprecationWarning,
            stacklevel=2,
        )
        atlas = _with_previous(atlas, previous)
    data = map_payload(
        atlas, indicators, indicator=indicator, options=options, overlays=overlays
    )
    fmap = render(data, options)
    st = data.stats
    log.info(
        "kaart: %d buurten, %d indicatoren (%d zonder gegevens), %d bogen, %d punten, %s m",
        st["buurten"],
        st["indicatoren"],
        st["zonder_gegevens"],
        st["bogen"],
        st["punten"],
        st["tolerantie"],
    )
    return fmap


def _with_previous(atlas: Any, previous: Any) -> Any:
    """The old ``previous=`` (an Atlas or bare buurten) as the earlier year of a series."""
    from dataclasses import replace

    from ..atlas import Atlas
    from ..series import AtlasSeries

    now = AtlasSeries.of(atlas).latest
    if not hasattr(previous, "meta"):
        previous = Atlas.from_frames(previous)
    year, this = previous.meta.get("year"), now.meta.get("year") or 0
    if year is None or int(year) >= int(this):  # an earlier frame without its own year
        previous = replace(previous, meta={**previous.meta, "year": int(this) - 1})
    return AtlasSeries([previous, now])


def indicator_map(
    atlas: Atlas | AtlasSeries,
    indicator: str,
    *,
    options: MapOptions | None = None,
    **kwargs: Any,
) -> folium.Map:
    """A map of one registry indicator: :func:`build` with only that indicator.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps import indicator_map, save_map
    >>> atlas = wijkgeo.make_demo()                                      # doctest: +SKIP
    >>> m = indicator_map(atlas, "aandeel_huishoudens_laag_inkomen")     # doctest: +SKIP
    >>> save_map(m, "maps/laag_inkomen.html")                            # doctest: +SKIP
    PosixPath('maps/laag_inkomen.html')
    """
    return build(atlas, [indicator], indicator=indicator, options=options, **kwargs)


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
    from .._write import write_output
    from .csp import harden_page

    def write(tmp: Path) -> None:  # folium's save, plus SRI and the common strict CSP
        tmp.write_text(harden_page(fmap.get_root().render()), encoding="utf-8")

    path = write_output(Path(path), write, what="kaart")
    log.info("kaart opgeslagen: %s (%d kB)", path, path.stat().st_size // 1024)
    return path


def write_map(
    gemeente: str,
    year: int,
    *,
    store: str | Path | None = None,
    path: str | Path | None = None,
    offline: bool = True,
    indicator: str | None = None,
    peildatum: Any = None,
    atlas: Atlas | None = None,
) -> Path:
    """Read a gemeente from the store, build its map with every indicator and save it.

    The latest earlier year the store holds gives the change since then (only for buurten
    whose boundary did not change; :meth:`wijkgeo.store.Store.read_with_previous`); the
    store's national reference gives the view "verschil met vergelijkbare buurten". This is
    ``wijkgeo map``.

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
        Inline every script and stylesheet (the default: the file works without internet;
        False: the small online variant, see :func:`build`).
    indicator : str, optional
        The indicator the map opens with.
    peildatum : date or str, optional
        Reference date of "wat er al is" and the koppelkansen.
    atlas : Atlas, optional
        The gemeente as given instead of as stored (``wijkgeo map --lagen MAP``: the stored
        figures with a folder's own layers for this run); the earlier year, the national
        reference, the years and the footer still come from the store.

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
    # the year shown and the latest earlier year the store holds: the popups compare them
    series = target.read_with_previous(gemeente, year)
    if atlas is not None:  # this run's own layers on the stored figures
        from ..series import AtlasSeries

        earlier = series.previous()
        series = AtlasSeries([*([earlier] if earlier is not None else []), atlas])
    atlas = series.latest
    manifest = target.manifest(atlas.code, year)  # table versions and dates for the footer
    for key in ("sources", "retrieved_at"):
        if manifest.get(key) and key not in atlas.meta:
            atlas.meta[key] = manifest[key]
    if series.previous() is not None:
        log.info("vorig jaar %d gevonden: veranderingen in de popups", series.previous().year)
    from ..profile.peers import load_peer_context

    peers = load_peer_context(atlas, target)  # "verschil met vergelijkbare buurten"
    if peers.result is None:
        log.info("geen landelijke referentie in de store: geen vergelijkbare buurten op de kaart")
    from ..series.timeseries import years_on_today

    jaren = years_on_today(target, atlas.code, year, levels=("buurt",))  # None: one year
    fmap = build(
        series,
        indicator=indicator,
        options=MapOptions(offline=offline),
        overlays=Overlays(peildatum=peildatum, peers=peers, jaren=jaren),
    )
    if path is None:  # wijkgeo's own default place: made when missing
        from .._write import default_target

        path = default_target(Path("maps") / f"{series.code}_{year}.html", "kaart")
    return save_map(fmap, path)
