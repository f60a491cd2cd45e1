"""Classing indicator values for a choropleth: mapclassify bins, colours, a NaN class.

Missing values never get a colour of the scale: they form their own grey class
(``geen gegevens``), listed last in the legend (folium #996 coloured them as a value).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigError

log = logging.getLogger(__name__)

__all__ = ["MISSING_COLOR", "PALETTES", "SMALL_COLOR", "Classes", "classify", "missing_color"]

#: Fill colour of the "geen gegevens" class; not part of any palette below.
MISSING_COLOR = "#bdbdbd"
#: A second, darker grey for "te weinig inwoners" (suppressed for privacy) so it never reads as
#: "geen gegevens" (not published at all); legend, map and PNG use the same two.
SMALL_COLOR = "#8f8f8f"

#: ColorBrewer sequential palette per registry direction: the hue says how to read "high"
#: (green: high is good, red: high is a concern, blue: no judgement); light to dark = low to high.
PALETTES = {"hoger_is_beter": "YlGn", "hoger_is_slechter": "YlOrRd", "neutraal": "PuBu"}


@dataclass(frozen=True)
class Classes:
    """The result of :func:`classify`.

    Attributes
    ----------
    lower, upper : tuple of float
        Class bounds; class ``i`` holds ``lower[i] < v <= upper[i]`` (the first includes
        its lower bound, the minimum). Quantile bounds are often no data value (11.67).
    vmin, vmax : tuple of float
        Smallest and largest value that really occurs in each class: what the legend shows.
    colors : tuple of str
        Fill colour per class.
    counts : tuple of int
        Number of areas per class.
    index : numpy.ndarray
        Class number per input value; ``-1`` for missing values.
    missing : int
        Number of missing values.
    """

    lower: tuple[float, ...]
    upper: tuple[float, ...]
    vmin: tuple[float, ...]
    vmax: tuple[float, ...]
    colors: tuple[str, ...]
    counts: tuple[int, ...]
    index: np.ndarray
    missing: int

    def color_of(self, i: int) -> str:
        """Fill colour of class ``i`` (``-1``: the missing class)."""
        return MISSING_COLOR if i < 0 else self.colors[i]


def _spec(classification: Any) -> tuple[str, int, dict]:
    if classification is None:
        return "quantiles", 5, {}
    if isinstance(classification, str):
        return classification, 5, {}
    if isinstance(classification, Mapping):
        get = classification.get
    else:  # a registry object with attributes

        def get(name, default=None):
            return getattr(classification, name, default)

    scheme = str(get("scheme") or "quantiles")
    k = int(get("k") or 5)
    extra = {"bins": list(get("bins"))} if get("bins") is not None else {}
    return scheme, k, extra


def _palette(direction: str | None, n: int) -> list[str]:
    from branca.utilities import color_brewer

    name = PALETTES.get(str(direction), PALETTES["neutraal"])
    colors = color_brewer(name, max(n, 3))
    if n < 3:  # ColorBrewer starts at 3 classes; take the dark end for 1 or 2
        colors = colors[-n:] if n else []
    return list(colors)


def classify(
    values: pd.Series | np.ndarray, classification: Any = None, direction: str | None = None
) -> Classes:
    """Class ``values`` with mapclassify and give every class a colour.

    Parameters
    ----------
    values : Series or array
        Indicator values; NaN means missing.
    classification : mapping or str, optional
        The registry's ``classification`` (``{"scheme": "quantiles", "k": 5}``); the scheme
        is any :func:`mapclassify.classify` scheme name.
    direction : str, optional
        The registry's ``direction``; picks the palette (see :data:`PALETTES`).

    Returns
    -------
    Classes
        Empty classes (ties in quantiles) are dropped, so every legend row has areas.

    Raises
    ------
    ConfigError
        When the scheme is unknown to mapclassify.

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.maps.classes import classify
    >>> c = classify(np.array([1.0, 2.0, 3.0, 4.0, np.nan]), {"scheme": "quantiles", "k": 2})
    >>> c.upper, c.counts, c.missing, c.index.tolist()
    ((2.5, 4.0), (2, 2), 1, [0, 0, 1, 1, -1])
    """
    import mapclassify

    y = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    ok = np.isfinite(y)
    index = np.full(len(y), -1, dtype=int)
    valid = y[ok]
    if valid.size == 0:
        return Classes((), (), (), (), (), (), index, int((~ok).sum()))

    scheme, k, extra = _spec(classification)
    k = max(1, min(k, int(np.unique(valid).size)))
    if k == 1:
        bins = np.array([valid.max()])
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # mapclassify warns about ties; handled below
                if scheme == "natural_breaks":
                    # k-means (sklearn) seeded from numpy's global RNG: seed it, so one input
                    # gives one map; 2 restarts instead of 10 (10x faster, same breaks here)
                    state = np.random.get_state()
                    np.random.seed(0)
                    try:
                        found = mapclassify.classify(valid, scheme, k=k, initial=2, **extra)
                    finally:
                        np.random.set_state(state)
                else:
                    found = mapclassify.classify(valid, scheme, k=k, **extra)
                bins = np.asarray(found.bins, float)
        except (KeyError, ValueError) as exc:
            raise ConfigError(
                f"onbekende klassenindeling {scheme!r} (k={k}) in het indicatorregister: "
                f"{exc}; kies een schema van mapclassify, bijvoorbeeld 'quantiles' of "
                "'natural_breaks'"
            ) from exc
    bins = np.unique(np.minimum(bins, valid.max()))
    bins[-1] = valid.max()
    cls = np.searchsorted(bins, valid, side="left")
    counts = np.bincount(cls, minlength=len(bins))
    keep = counts > 0
    bins = bins[keep]
    cls = np.searchsorted(bins, valid, side="left")
    counts = np.bincount(cls, minlength=len(bins))
    index[ok] = cls
    lower = [float(valid.min()), *(float(b) for b in bins[:-1])]
    colors = _palette(direction, len(bins))
    log.debug("klassen %s k=%d: grenzen %s", scheme, len(bins), bins.tolist())
    return Classes(
        lower=tuple(lower),
        upper=tuple(float(b) for b in bins),
        vmin=tuple(float(valid[cls == i].min()) for i in range(len(bins))),
        vmax=tuple(float(valid[cls == i].max()) for i in range(len(bins))),
        colors=tuple(colors),
        counts=tuple(int(c) for c in counts),
        index=index,
        missing=int((~ok).sum()),
    )


def missing_color(reason: str | None) -> str:
    """The grey of a missing value: :data:`SMALL_COLOR` when the area has too few inhabitants
    (households, dwellings) to publish, :data:`MISSING_COLOR` otherwise.

    Examples
    --------
    >>> missing_color("te weinig inwoners"), missing_color(None)
    ('#8f8f8f', '#bdbdbd')
    """
    return SMALL_COLOR if reason in _small_reasons() else MISSING_COLOR


@cache
def _small_reasons() -> frozenset[str]:
    """The reasons of "too few inhabitants" (read once: the legend asks per missing buurt;
    a copy of the wording table per call took a third of a national map's build)."""
    from .. import text

    return frozenset(text.words()["reasons"]["population"].values())
