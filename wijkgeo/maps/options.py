"""What a map looks like and what it carries besides the indicators, as two small objects.

:class:`MapOptions` is the look (basemap, simplification, canvas, opacity, offline, title);
:class:`Overlays` is what an Atlas map adds (its own layers, the 500 m grid, the
koppelkansen, further layers, the peildatum). Everywhere: ``None`` is automatic, ``False``
is off.

Examples
--------
>>> from wijkgeo.maps.options import MapOptions, Overlays
>>> MapOptions(basemap="pastel", offline=True).basemap
'pastel'
>>> Overlays(grid=False).grid
False
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .._errors import ConfigError

__all__ = ["BASEMAPS", "MapOptions", "Overlays", "split_old_keywords"]

#: Variants of the PDOK BRT-Achtergrondkaart (xyzservices ``providers.nlmaps``).
BASEMAPS = ("grijs", "standaard", "pastel", "water")


@dataclass(frozen=True)
class MapOptions:
    """The look of a map.

    Attributes
    ----------
    basemap : {"grijs", "standaard", "pastel", "water"}
        Variant of the PDOK BRT-Achtergrondkaart.
    simplify : float, None or False
        Coverage-simplification tolerance in metres; ``None``: suited to the extent
        (:func:`~wijkgeo.maps.geometry.auto_tolerance`); ``False`` (or 0): keep the edges.
    canvas : bool or None
        Draw on a canvas instead of SVG; ``None``: from :data:`CANVAS_FROM` buurten on.
    opacity : float
        Fill opacity of the buurten.
    offline : bool
        Inline Leaflet from ``wijkgeo/maps/vendor``: only the basemap tiles need a network.
    title : str or None
        Title; ``None``: "Indicatoren per buurt" (one indicator: "<label> per buurt").
    wijkgrenzen : bool
        Draw the wijk borders (from the buurten's ``wijkcode``).
    """

    basemap: str = "grijs"
    simplify: float | bool | None = None
    canvas: bool | None = None
    opacity: float = 0.75
    offline: bool = False
    title: str | None = None
    wijkgrenzen: bool = True

    def __post_init__(self) -> None:
        if self.basemap not in BASEMAPS:
            raise ConfigError(
                f"onbekende achtergrondkaart {self.basemap!r}; kies uit {list(BASEMAPS)}"
            )

    def tolerance(self, auto: Any) -> float | None:
        """The simplification tolerance: ``auto()`` when automatic, None when off."""
        if self.simplify is None or self.simplify == "auto":
            return auto()
        if self.simplify is False or not self.simplify:
            return None
        return float(self.simplify)


@dataclass(frozen=True)
class Overlays:
    """What an Atlas map carries besides the indicators.

    Attributes
    ----------
    koppelkansen : KoppelkansResult, None or False
        ``None``: evaluated on the peildatum (default rules plus the gemeente's own); a
        precomputed :class:`~wijkgeo.koppelkansen.KoppelkansResult` as it is; ``False``: off.
    grid : int, None or False
        Cell size of the grid layer; ``None``: 500 m when the Atlas has those cells; ``False``:
        off.
    local : bool
        The gemeente's own layers (every kind in ``wijkgeo/kinds.json`` with a map type).
    layers : sequence of MapLayer
        Further layers (their JavaScript type must be registered on the page).
    peildatum : date or str, optional
        Reference date of "wat er al is" and the koppelkansen (default the Atlas's).
    peers : PeerContext, optional
        "Buurten zoals deze" (:func:`wijkgeo.profile.peers.load_peer_context`): adds the view
        "verschil met vergelijkbare buurten" and the peers' median in the popups.
    jaren : DataFrame, None or False
        The years on today's boundaries (:func:`wijkgeo.series.tijdreeks`): a year switch
        and the "verandering sinds JJJJ" view; ``None``/``False``: none.
    """

    koppelkansen: Any = None
    grid: int | bool | None = None
    local: bool = True
    layers: Sequence[Any] = field(default_factory=tuple)
    peildatum: Any = None
    peers: Any = None
    jaren: Any = None

    @classmethod
    def off(cls, layers: Sequence[Any] = ()) -> Overlays:
        """Only the indicators (and ``layers``): no own layers, grid or koppelkansen."""
        return cls(koppelkansen=False, grid=False, local=False, layers=tuple(layers))

    @property
    def any(self) -> bool:
        """Does the map carry more than the indicators (search, check panel, footer)?"""
        return bool(self.local) or self.grid is not False or self.koppelkansen is not False


_OPTION_NAMES = {f.name for f in fields(MapOptions)} | {"prefer_canvas", "wijken"}
_OVERLAY_NAMES = {f.name for f in fields(Overlays)} | {"overlays"}
#: Bare-frame keywords: they belong to :meth:`wijkgeo.atlas.Atlas.from_frames`.
FRAME_NAMES = ("wijken", "gemeenten", "nederland", "local", "gemeente", "year", "source")


def _warn(old: str, new: str) -> None:
    warnings.warn(
        f"maps.build({old}=...) is verouderd; gebruik {new}.", DeprecationWarning, stacklevel=4
    )


def split_old_keywords(
    kwargs: dict[str, Any], options: MapOptions | None, overlays: Overlays | bool | None
) -> tuple[MapOptions, Overlays, dict[str, Any]]:
    """Old keyword arguments of ``maps.build`` into the two objects (each with a
    DeprecationWarning); what remains are bare-frame keywords and ``previous``."""
    opts = options or MapOptions()
    if overlays is False:
        ov = Overlays.off()
    elif overlays is None or overlays is True:
        ov = Overlays()
    else:
        ov = overlays
    rest: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in ("basemap", "opacity", "offline", "title"):
            _warn(key, f"options=MapOptions({key}=...)")
            opts = replace(opts, **{key: value})
        elif key == "simplify":
            _warn(key, "options=MapOptions(simplify=...)")
            opts = replace(opts, simplify=None if value == "auto" else (value or False))
        elif key == "prefer_canvas":
            _warn(key, "options=MapOptions(canvas=...)")
            opts = replace(opts, canvas=value)
        elif key in ("koppelkansen", "grid"):
            _warn(key, f"overlays=Overlays({key}=...)")
            # the old None meant "leave out"; now None is automatic and False is off
            ov = replace(ov, **{key: False if value is None else value})
            if key == "koppelkansen" and value == "auto":
                ov = replace(ov, koppelkansen=None)
        elif key == "layers":
            _warn(key, "overlays=Overlays(layers=...)")
            ov = replace(ov, layers=tuple(value))
        elif key == "peildatum":
            _warn(key, "overlays=Overlays(peildatum=...)")
            ov = replace(ov, peildatum=value)
        elif key == "overlays_flag":  # pragma: no cover - internal
            pass
        elif key in FRAME_NAMES or key == "previous":
            rest[key] = value
        else:
            raise TypeError(f"build() got an unexpected keyword argument {key!r}")
    return opts, ov, rest
