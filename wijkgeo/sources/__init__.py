"""Real sources: CBS Kerncijfers wijken en buurten, PDOK boundaries, CBS vierkantstatistieken.

Public entry point: :func:`fetch` (also ``wijkgeo.fetch``). Lower level:
:func:`fetch_kerncijfers` (:mod:`.cbs`), :func:`fetch_boundaries` (:mod:`.pdok`),
:func:`fetch_vierkanten` (:mod:`.vierkant`). Endpoints and table ids are data
(:mod:`.catalog`); ``WIJKGEO_CBS_URL`` / ``WIJKGEO_PDOK_URL`` redirect them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..codes import normalize_code

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from ..atlas import Atlas

__all__ = [
    "fetch",
    "fetch_boundaries",
    "fetch_kerncijfers",
    "fetch_vierkanten",
    "read_wijkbuurtkaart",
]

log = logging.getLogger(__name__)


def fetch_kerncijfers(gemeente: str, year: int, **kwargs: Any) -> pd.DataFrame:
    """See :func:`wijkgeo.sources.cbs.fetch_kerncijfers`."""
    from .cbs import fetch_kerncijfers as _f

    return _f(gemeente, year, **kwargs)


def fetch_boundaries(gemeente: str, year: int, **kwargs: Any) -> dict[str, gpd.GeoDataFrame]:
    """See :func:`wijkgeo.sources.pdok.fetch_boundaries`."""
    from .pdok import fetch_boundaries as _f

    return _f(gemeente, year, **kwargs)


def read_wijkbuurtkaart(path: str | Path, gemeente: str, year: int) -> Atlas:
    """See :func:`wijkgeo.sources.wijkbuurtkaart.read_wijkbuurtkaart` (a downloaded .gpkg)."""
    from .wijkbuurtkaart import read_wijkbuurtkaart as _f

    return _f(path, gemeente, year)


def fetch_vierkanten(gemeente: str, year: int, **kwargs: Any) -> dict[str, gpd.GeoDataFrame]:
    """See :func:`wijkgeo.sources.vierkant.fetch_vierkanten`."""
    from .vierkant import fetch_vierkanten as _f

    return _f(gemeente, year, **kwargs)


def fetch(
    gemeente: str,
    year: int,
    *,
    cbs_url: str | None = None,
    pdok_url: str | None = None,
    vierkanten: bool = True,
    vierkant_url: str | None = None,
    on_grid_error: str = "warn",
    path: str | Path | bool | None = None,
    **kwargs: Any,
) -> Atlas:
    """Build an :class:`~wijkgeo.atlas.Atlas` for one gemeente and year from the real sources.

    Boundaries come from the PDOK OGC API (EPSG:28992), statistics from CBS Kerncijfers wijken
    en buurten (only this gemeente's rows), optionally the 500 m and 100 m vierkanten. Nothing
    is written; ``wijkgeo refresh`` stores the result.

    Parameters
    ----------
    gemeente : str
        Gemeente code (``"GM0772"``, ``"0772"``, ``772``).
    year : int
        Statistics year.
    cbs_url, pdok_url : str, optional
        Host roots of CBS open data and the PDOK API; default ``$WIJKGEO_CBS_URL`` /
        ``$WIJKGEO_PDOK_URL`` or the real services.
    vierkanten : bool, default True
        Also fetch the vierkantstatistieken (500 m and 100 m) clipped to the gemeente.
    vierkant_url : str, optional
        Download host for the vierkantstatistieken (``$WIJKGEO_CBS_DOWNLOAD_URL``).
    on_grid_error : {"warn", "raise"}, default "warn"
        What a failing grid download or grid file does. ``"warn"`` logs a warning and leaves
        ``atlas.vierkanten`` empty (the rest stands: fine for exploring). ``"raise"`` raises
        it, so the whole fetch fails (``wijkgeo refresh`` uses this: empty grids must never
        replace stored ones). A year for which the catalog knows no grid release is skipped
        with an INFO line in both modes.
    path : str, Path or bool, optional
        Also write the Atlas into a store: where it is written (``True`` = the default store,
        or a store folder), so ``wijkgeo.load(gemeente, year)`` returns it later. ``wijkgeo
        refresh`` does the same and additionally records the HTTP validators that make the
        next refresh cheap. ``store=`` is the old name (``store`` is always where to read
        from); it still works for one release with a ``DeprecationWarning``.

    Returns
    -------
    Atlas

    Raises
    ------
    SourceError
        When CBS or PDOK fail (the message names the URL, the status and what to do), or
        the vierkantstatistieken with ``on_grid_error="raise"``.
    ConfigError
        For an unknown year or an unknown ``on_grid_error``.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.fetch("GM0772", 2024)     # doctest: +SKIP
    >>> len(atlas.wijken)                         # doctest: +SKIP
    20
    """
    from .. import _errors
    from .assemble import build_atlas
    from .catalog import cbs_base_url, kwb_table, pdok_base_url

    if "store" in kwargs:
        import warnings

        warnings.warn(
            "fetch(store=...) is verouderd; gebruik path= (waar de Atlas geschreven wordt).",
            DeprecationWarning,
            stacklevel=2,
        )
        old = kwargs.pop("store")
        path = old if path is None else path
    if kwargs:
        raise TypeError(f"fetch() got an unexpected keyword argument {next(iter(kwargs))!r}")
    code = normalize_code(gemeente, "gemeente")
    if on_grid_error not in ("warn", "raise"):
        raise _errors.ConfigError(
            f"on_grid_error={on_grid_error!r} is onbekend; gebruik 'warn' of 'raise'."
        )
    kwb_table(year)  # fail early on an unknown year
    kc = fetch_kerncijfers(code, year, cbs_url=cbs_url)
    bounds = fetch_boundaries(code, year, pdok_url=pdok_url)
    grids: dict[str, gpd.GeoDataFrame] = {}
    if vierkanten:
        try:
            grids = fetch_vierkanten(
                code, year, boundary=bounds.get("gemeente"), download_url=vierkant_url
            )
        except _errors.ConfigError as exc:  # no grid release known for this year
            log.info("Geen vierkantstatistieken: %s", exc)
        except (_errors.SourceError, _errors.DataValidationError) as exc:
            if on_grid_error == "raise":
                raise
            log.warning("Vierkantstatistieken overgeslagen: %s", exc)
    meta = {
        "source": "CBS Kerncijfers wijken en buurten + PDOK Wijk- en Buurtkaart",
        "cbs_table": kwb_table(year),
        "cbs_url": cbs_base_url(cbs_url),
        "pdok_url": pdok_base_url(pdok_url),
        # CBS titles/units of the statistics columns, for labels outside the registry
        "kolommen": kc.attrs.get("kolommen", {}),
    }
    atlas = build_atlas(
        gemeente=code, year=year, boundaries=bounds, kerncijfers=kc, vierkanten=grids, meta=meta
    )
    if path is not None and path is not False:
        from ..store import Store

        target = Store(None if path is True else path)
        written = target.write_atlas(atlas)
        log.info("%s %d opgeslagen in %s", code, year, written)
    return atlas
