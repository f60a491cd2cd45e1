"""The :class:`Atlas`: everything wijkgeo knows about one gemeente in one year.

An Atlas is a plain container. It holds GeoDataFrames in EPSG:28992 with the canonical
column names (PDOK Wijk- en Buurtkaart snake_case, see ``sources/kwb_columns.json``), the
gemeente's local layers and metadata. It does no I/O itself and imports nothing above it:
:func:`wijkgeo.load` reads it from the store, :func:`wijkgeo.fetch` builds it from the
real sources, :func:`wijkgeo.make_demo` makes the demo gemeente. Its analysis methods
(:meth:`Atlas.indicators`, :meth:`Atlas.grid`, :meth:`Atlas.koppelkansen`) are thin facades:
each imports the one function it names when called and has its exact signature.

Column conventions
------------------
``gemeente`` (one row)
    ``gemeentecode``, ``gemeentenaam``, KWB attributes, geometry.
``wijken``
    ``wijkcode``, ``wijknaam``, ``gemeentecode``, ``gemeentenaam``, KWB attributes, geometry.
``buurten``
    ``buurtcode``, ``buurtnaam``, ``wijkcode``, ``gemeentecode``, ``gemeentenaam``,
    KWB attributes, geometry.
``vierkanten``
    ``{"500m": GeoDataFrame, "100m": GeoDataFrame}`` with ``celcode`` (``E0680N4335``) and
    the vierkantstatistieken attributes; may be empty.
``nederland``
    One-row DataFrame with the KWB values for Nederland (for fair comparisons), or ``None``.

Missing and secret values are NaN everywhere; codes are strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .conventions import CRS  # the CRS every Atlas layer is in: Amersfoort / RD New

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from .koppelkansen.evaluate import KoppelkansResult
    from .koppelkansen.model import Rule, RuleSet

__all__ = ["CRS", "Atlas"]



@dataclass
class Atlas:
    """One gemeente in one year: boundaries, statistics, local layers and metadata.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.load("GM9999", 2024)          # doctest: +SKIP
    >>> atlas.buurten[["buurtcode", "aantal_inwoners"]].head()   # doctest: +SKIP
    """

    gemeente: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    buurten: gpd.GeoDataFrame
    vierkanten: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    local: dict[str, Any] = field(default_factory=dict)
    nederland: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The gemeente code, e.g. ``'GM0772'``."""
        code = self.meta.get("gemeente")
        if code is not None and (code or self.meta.get("frames")):
            return str(code)  # bare frames of several gemeenten have no one code: ""
        return str(self.gemeente["gemeentecode"].iloc[0])

    @property
    def year(self) -> int:
        """The statistics year."""
        return int(self.meta["year"])

    @property
    def name(self) -> str:
        """The gemeente name, e.g. ``'Eindhoven'``."""
        if self.meta.get("naam"):
            return str(self.meta["naam"])
        return str(self.gemeente["gemeentenaam"].iloc[0])

    @classmethod
    def from_frames(
        cls,
        buurten: gpd.GeoDataFrame,
        *,
        wijken: gpd.GeoDataFrame | bool | None = None,
        gemeenten: pd.DataFrame | None = None,
        nederland: pd.DataFrame | None = None,
        local: dict[str, Any] | None = None,
        name: str | None = None,
        year: int | None = None,
        source: str | None = None,
    ) -> Atlas:
        """An Atlas of bare frames: buurten of any gemeenten (e.g. the whole country).

        For outputs that take an Atlas (``maps.build``): ``gemeenten`` holds the CBS rows of
        the gemeenten (``gemeentecode``) to compare with, ``nederland`` the national row;
        ``wijken`` (names) may be left out, ``False`` draws no wijk borders; ``name`` is the
        name for the title (default from ``gemeentenaam``; ``gemeente`` is always a code).
        Such an Atlas is marked ``meta["frames"]``: maps then compare each buurt with its
        own gemeente's row and add no overlays.

        Examples
        --------
        >>> import wijkgeo
        >>> demo = wijkgeo.make_demo()
        >>> bare = Atlas.from_frames(demo.buurten, year=2024)
        >>> bare.meta["frames"], len(bare.buurten) == len(demo.buurten)
        (True, True)
        """
        import geopandas as gpd

        codes = (
            buurten["gemeentecode"].dropna().astype(str).unique()
            if "gemeentecode" in buurten.columns
            else []
        )
        meta: dict[str, Any] = {
            "frames": True,
            "gemeente": codes[0] if len(codes) == 1 else "",
            "naam": name,
            "year": year,
            "source": source,
        }
        if wijken is False:
            meta["wijkgrenzen"] = False
        empty = gpd.GeoDataFrame()
        return cls(
            gemeente=gemeenten if gemeenten is not None else empty,
            wijken=wijken if isinstance(wijken, gpd.GeoDataFrame) else empty,
            buurten=buurten,
            local=dict(local or {}),
            nederland=nederland,
            meta=meta,
        )

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """All geographic layers by their store layer name."""
        out = {"gemeente": self.gemeente, "wijken": self.wijken, "buurten": self.buurten}
        for res, grid in self.vierkanten.items():
            out[f"vierkanten_{res}"] = grid
        return out

    # Thin facades (as geopandas' ``GeoDataFrame.explore``): each imports the one analysis it
    # names, lazily and visibly, with that function's exact signature and return type.
    # ``tests/test_layers.py`` allows exactly these upward imports, by name.
    def indicators(
        self, keys: Iterable[str] | None = None, *, level: str = "buurt", suppress: bool = True
    ) -> gpd.GeoDataFrame:
        """A copy of the buurten (or wijken) with indicator columns from the registry.

        :func:`wijkgeo.indicators.add_indicators` on this Atlas; the atlas is not changed.

        Examples
        --------
        >>> atlas.indicators(["aandeel_65_plus"])   # doctest: +SKIP
        """
        from .indicators import add_indicators

        return add_indicators(self, keys, level=level, suppress=suppress)

    def grid(
        self, size: int = 500, variables: list[str] | None = None, weights: Any = None
    ) -> gpd.GeoDataFrame:
        """The gemeente's CBS-aligned cells with buurt variables interpolated onto them.

        Interpolated buurt values carry the suffix ``_uit_buurten``, CBS's own cell
        statistics the prefix ``cbs_``, so nobody mistakes one for the other.
        :func:`wijkgeo.grid.atlas_grid` on this Atlas.

        Examples
        --------
        >>> cells = atlas.grid(500, ["aantal_inwoners"])      # doctest: +SKIP
        >>> cells[["celcode", "aantal_inwoners_uit_buurten", "cbs_aantal_inwoners"]].head()
        ... # doctest: +SKIP
        """
        from .grid.layer import atlas_grid

        return atlas_grid(self, size, variables, weights)

    def koppelkansen(
        self,
        rules: RuleSet | Sequence[Rule] | str | Path | None = None,
        *,
        peildatum: dt.date | str | None = None,
        near_misses: bool = True,
    ) -> KoppelkansResult:
        """Koppelkansen of this gemeente: where needs, plans and assets coincide, with reasons.

        :func:`wijkgeo.koppelkansen.evaluate` on this Atlas (``rules`` default: the default
        rule set plus the gemeente's own ``koppelkansen.toml``).

        Examples
        --------
        >>> result = atlas.koppelkansen()           # doctest: +SKIP
        >>> result.matches[["naam", "titel", "robuustheid"]].head()   # doctest: +SKIP
        """
        from .koppelkansen.evaluate import evaluate

        return evaluate(self, rules, peildatum=peildatum, near_misses=near_misses)

    def __repr__(self) -> str:
        grids = ", ".join(f"{k}: {len(v)}" for k, v in self.vierkanten.items()) or "geen"
        return (
            f"<Atlas {self.code} {self.meta.get('year')} {self.name!r}: "
            f"{len(self.wijken)} wijken, {len(self.buurten)} buurten, vierkanten {grids}, "
            f"lokale lagen {sorted(self.local)}>"
        )
