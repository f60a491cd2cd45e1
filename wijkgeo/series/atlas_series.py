"""An :class:`AtlasSeries`: one gemeente over several years, an Atlas per year.

The base for everything "over the years": outputs take an Atlas or a series (one Atlas is a
series of one year). The series shows its latest year (:attr:`AtlasSeries.latest`) and
compares with the years before it; codes are compared across years only through
:func:`wijkgeo.changes.boundary_changes` (:meth:`AtlasSeries.crosswalk`), because a code can
keep its name while its boundary moves.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.series import AtlasSeries
>>> series = AtlasSeries.of(wijkgeo.make_demo())
>>> series.years, series.previous() is None
((2024,), True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .._errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..atlas import Atlas

__all__ = ["AtlasSeries"]


def _year(atlas: Atlas) -> int:
    """The Atlas's year; bare frames without one (``Atlas.from_frames``) count as 0."""
    year = atlas.meta.get("year")
    return int(year) if year is not None else 0


class AtlasSeries:
    """One gemeente in several years: an Atlas per year, plus the code crosswalk.

    Parameters
    ----------
    atlases : iterable of Atlas
        Of one gemeente, each year once (any order; kept sorted by year).

    Raises
    ------
    ConfigError
        When empty, when the Atlases belong to different gemeenten, or a year repeats.
    """

    def __init__(self, atlases: Iterable[Atlas]):
        items = sorted(atlases, key=_year)
        if not items:
            raise ConfigError("een reeks jaren heeft minstens één jaar nodig.")
        codes = {a.code for a in items}
        if len(codes) > 1:
            raise ConfigError(
                f"een reeks jaren hoort bij één gemeente, niet bij {', '.join(sorted(codes))}."
            )
        years = [_year(a) for a in items]
        if len(set(years)) != len(years):
            raise ConfigError(f"jaar dubbel in de reeks: {years}.")
        self._atlases: dict[int, Atlas] = {_year(a): a for a in items}
        self._crosswalks: dict[tuple[str, int, int], pd.DataFrame] = {}

    @classmethod
    def of(cls, atlas_or_series: Atlas | AtlasSeries) -> AtlasSeries:
        """A series as it is, or one Atlas as a series of one year."""
        if isinstance(atlas_or_series, AtlasSeries):
            return atlas_or_series
        return cls([atlas_or_series])

    # ------------------------------------------------------------------ the years
    @property
    def code(self) -> str:
        """The gemeente code (``GM0599``)."""
        return self.latest.code

    @property
    def years(self) -> tuple[int, ...]:
        """The years held, oldest first."""
        return tuple(self._atlases)

    @property
    def latest(self) -> Atlas:
        """The Atlas of the year shown: the latest held."""
        return self._atlases[self.years[-1]]

    def __getitem__(self, year: int) -> Atlas:
        try:
            return self._atlases[int(year)]
        except KeyError:
            raise KeyError(f"{self.code}: geen jaar {year} in deze reeks {self.years}") from None

    def __iter__(self) -> Iterator[Atlas]:
        return iter(self._atlases.values())

    def __len__(self) -> int:
        return len(self._atlases)

    def __contains__(self, year: object) -> bool:
        return year in self._atlases

    def previous(self, year: int | None = None) -> Atlas | None:
        """The held year just before ``year`` (default the latest), or None."""
        year = self.years[-1] if year is None else int(year)
        earlier = [y for y in self.years if y < year]
        return self._atlases[earlier[-1]] if earlier else None

    # ------------------------------------------------------------------ the crosswalk
    def crosswalk(self, level: str, old: int, new: int) -> pd.DataFrame:
        """Code by code how the boundaries of ``level`` changed from year ``old`` to ``new``.

        :func:`wijkgeo.changes.boundary_changes` of the two years (``code``, ``status``:
        ``ongewijzigd``/``gewijzigd``/``nieuw``/``vervallen``, ``iou``, ``beste_match``,
        ``beste_iou``); computed once per pair.
        """
        from ..changes import boundary_changes

        key = (level, int(old), int(new))
        if key not in self._crosswalks:
            a, b = self[old], self[new]
            frames = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeente"}
            attr = frames[level]
            self._crosswalks[key] = boundary_changes(getattr(a, attr), getattr(b, attr), level)
        return self._crosswalks[key]

    def unchanged(self, level: str, old: int, new: int) -> set[str]:
        """The codes of ``level`` whose boundary held from ``old`` to ``new``: the only ones
        a change over the years may compare."""
        table = self.crosswalk(level, old, new)
        return set(table.loc[table["status"] == "ongewijzigd", "code"].astype(str))

    def __repr__(self) -> str:
        return f"<AtlasSeries {self.code} {list(self.years)}>"


def as_series(value: Any) -> AtlasSeries:
    """An Atlas or a series as a series (for outputs that take either)."""
    return AtlasSeries.of(value)
