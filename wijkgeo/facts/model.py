"""The fact model of one gemeente: computed once, read by every output, JSON-able.

:func:`build_facts` takes an Atlas or an :class:`~wijkgeo.series.AtlasSeries` (the year shown
is the series' latest) and computes, per level:

``buurt`` and ``wijk``
    the values of the chosen indicators with the reason a value is missing, the gemeente and
    Nederland references, the differences and the rank within the gemeente (1 = most
    favourable by the indicator's direction; :func:`wijkgeo.indicators.comparison_table`),
    the change since the previous held year where the boundary held (the **one** place that
    compares years: :meth:`AtlasSeries.unchanged` + :func:`wijkgeo.indicators.change_since`),
    and "wat er al is" (:func:`wijkgeo.facts.present.what_is_here`);
``vierkant``
    the indicators on CBS's own 500 m cell figures with their reasons, and the cells'
    shares in each buurt (:func:`cell_shares`, from :class:`wijkgeo.grid.interpolate.Weights`,
    the one buurt-cell table);

plus the koppelkansen (:func:`wijkgeo.koppelkansen.evaluate`) on the same peildatum.
Outputs only render these facts. :meth:`Facts.to_dict` is plain JSON.

Examples
--------
>>> import json, wijkgeo
>>> from wijkgeo.facts import build_facts
>>> facts = build_facts(wijkgeo.make_demo(), ["aandeel_65_plus"])
>>> bool(facts.levels["buurt"].table.loc["BU99990000", "aandeel_65_plus_rang"] >= 1)
True
>>> _ = json.dumps(facts.to_dict())
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import WijkgeoError
from ..conventions import CODE_COLUMN, NAME_COLUMN
from ..indicators import (
    change_since,
    comparison_table,
    compute_with_reasons,
    get_indicator,
    registry,
)
from ..series import AtlasSeries
from .present import Present, reference_date, what_is_here

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["Facts", "LevelFacts", "build_facts", "cell_shares"]

log = logging.getLogger(__name__)


def _json(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if math.isnan(v) else v
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is pd.NA or value is None:
        return None
    return value


def _frame_json(frame: pd.DataFrame | None) -> dict[str, dict[str, Any]] | None:
    if frame is None:
        return None
    return {
        str(i): {str(c): _json(v) for c, v in row.items()} for i, row in frame.iterrows()
    }


@dataclass
class LevelFacts:
    """The facts of one level (``buurt``, ``wijk``, ``vierkant``), indexed by code."""

    level: str
    names: dict[str, str]
    table: pd.DataFrame
    reasons: pd.DataFrame | None = None
    change: pd.DataFrame | None = None
    present: Present | None = None

    @property
    def codes(self) -> list[str]:
        """The codes in the Atlas's order."""
        return list(self.names)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {
            "niveau": self.level,
            "namen": dict(self.names),
            "waarden": _frame_json(self.table),
            "redenen": _frame_json(self.reasons),
            "verandering": _frame_json(self.change),
            "aanwezig": None if self.present is None else self.present.to_dict()["per_gebied"],
        }


@dataclass
class Facts:
    """Everything wijkgeo says about one gemeente in the year shown, computed once."""

    code: str
    name: str
    year: int
    previous_year: int | None
    peildatum: dt.date
    keys: list[str]
    levels: dict[str, LevelFacts]
    cells: pd.DataFrame
    koppelkansen: Any = None
    series: AtlasSeries | None = field(default=None, repr=False)

    @property
    def atlas(self) -> Atlas:
        """The Atlas of the year shown."""
        return self.series.latest

    def directions(self) -> dict[str, int]:
        """Per indicator +1 (higher is better), -1 (higher is worse) or 0: what a rank means."""
        return {k: get_indicator(k).sign for k in self.keys}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: the levels, the cell shares, the koppelkansen."""
        kk = None
        if self.koppelkansen is not None:
            m = self.koppelkansen.matches
            kk = [
                {k: _json(v) for k, v in row.items() if k != "geometry"}
                for row in pd.DataFrame(m.drop(columns="geometry")).to_dict("records")
            ]
        return {
            "gemeente": self.code,
            "naam": self.name,
            "jaar": self.year,
            "vorig_jaar": self.previous_year,
            "peildatum": self.peildatum.isoformat(),
            "indicatoren": list(self.keys),
            "richting": self.directions(),
            "niveaus": {k: v.to_dict() for k, v in self.levels.items()},
            "cellen": [
                {k: _json(v) for k, v in r.items()} for r in self.cells.to_dict("records")
            ],
            "koppelkansen": kk,
        }


def cell_shares(atlas: Atlas, minimum: float = 0.0) -> pd.DataFrame:
    """Per buurt and CBS 500 m cell: ``cel_in_buurt`` (share of the cell's area in the buurt)
    and ``buurt_in_cel`` (share of the buurt's area in the cell), from the one buurt-cell
    table :func:`wijkgeo.grid.interpolation_weights`.

    Pairs where both shares are below ``minimum`` are left out.
    """
    from ..grid.interpolate import interpolation_weights

    empty = pd.DataFrame(columns=["buurtcode", "celcode", "cel_in_buurt", "buurt_in_cel"])
    grid = (atlas.vierkanten or {}).get("500m")
    if grid is None or not len(grid) or "celcode" not in grid.columns or not len(atlas.buurten):
        return empty
    buurten = atlas.buurten
    grid = grid.to_crs(buurten.crs) if grid.crs != buurten.crs else grid
    w = interpolation_weights(buurten[["buurtcode", "geometry"]], grid[["celcode", "geometry"]])
    measure = w.measure.tocoo()
    if not measure.nnz:
        return empty
    import shapely

    buurt_area = shapely.area(buurten.geometry.to_numpy())
    cell_area = shapely.area(grid.geometry.to_numpy())
    inter = measure.data
    out = pd.DataFrame(
        {
            "buurtcode": buurten["buurtcode"].astype(str).to_numpy()[measure.row],
            "celcode": grid["celcode"].astype(str).to_numpy()[measure.col],
            "cel_in_buurt": inter / cell_area[measure.col],
            "buurt_in_cel": inter / buurt_area[measure.row],
        }
    )
    out = out[out["cel_in_buurt"] > 0]
    keep = (out["cel_in_buurt"] >= minimum) | (out["buurt_in_cel"] >= minimum)
    return out[keep].sort_values(["buurtcode", "celcode"]).reset_index(drop=True)


def _cell_facts(grid: Any, keys: Sequence[str]) -> LevelFacts:
    """The registry indicators on CBS's 500 m cells (their columns under the KWB names, as
    the koppelkansen read them; ``koppelkansen/layers.toml`` ``[vierkant.kolommen]``)."""
    from ..koppelkansen.model import layer_schema

    cells = pd.DataFrame(grid.drop(columns=grid.geometry.name)).drop_duplicates("celcode")
    aliases = layer_schema()["vierkant"]["kolommen"]
    cells = cells.rename(
        columns={a: b for a, b in aliases.items() if a in cells.columns and b not in cells.columns}
    )
    codes = cells["celcode"].astype(str).to_numpy()
    res = compute_with_reasons(cells, keys, level="buurt")
    res.values.index = res.reasons.index = codes
    return LevelFacts("vierkant", {c: c for c in codes}, res.values, res.reasons)


def _koppelkansen(atlas: Atlas, given: Any, peildatum: dt.date) -> Any:
    if given is False:
        return None
    if given is not None:
        return given
    from ..koppelkansen import evaluate

    try:
        return evaluate(atlas, peildatum=peildatum, near_misses=False)
    except WijkgeoError as exc:
        log.warning("koppelkansen niet beoordeeld: %s", exc)
        return None


def build_facts(
    atlas: Atlas | AtlasSeries,
    keys: Sequence[str] | None = None,
    *,
    koppelkansen: Any = None,
    peildatum: dt.date | str | None = None,
    change_keys: Sequence[str] | None = None,
) -> Facts:
    """The facts of the year shown (an Atlas, or a series' latest year), computed once.

    Parameters
    ----------
    atlas : Atlas or AtlasSeries
        One year, or several: the change is computed against the previous held year.
    keys : sequence of str, optional
        Indicator keys; default every registry indicator.
    koppelkansen : KoppelkansResult, None or False
        Precomputed koppelkansen; None: evaluated here on the peildatum; False: none.
    peildatum : date or str, optional
        Reference date of "wat er al is" and the koppelkansen (default the Atlas's).
    change_keys : sequence of str, optional
        Indicators whose change over the years is computed; default ``keys``.

    Returns
    -------
    Facts
    """
    series = AtlasSeries.of(atlas)
    now = series.latest
    keys = list(keys) if keys is not None else list(registry())
    when = reference_date(now, peildatum)
    prev = series.previous()
    levels: dict[str, LevelFacts] = {}
    for level in ("buurt", "wijk"):
        frame = now.buurten if level == "buurt" else now.wijken
        codes = frame[CODE_COLUMN[level]].astype(str).to_numpy()
        table = comparison_table(now, keys, level=level)
        table.index = codes
        res = compute_with_reasons(frame, keys, level=level, local=now.local)
        reasons = res.reasons
        reasons.index = codes
        change = None
        if prev is not None:
            old = prev.buurten if level == "buurt" else prev.wijken
            same = series.unchanged(level, prev.year, now.year)
            change = change_since(
                frame,
                old,
                list(change_keys if change_keys is not None else keys),
                unchanged=same,
                id_col=CODE_COLUMN[level],
                level=level,
            )
            change.index = codes
        names = dict(zip(codes, frame[NAME_COLUMN[level]].astype(str), strict=True))
        levels[level] = LevelFacts(
            level, names, table, reasons, change, what_is_here(now, level, peildatum=when)
        )
    grid = (now.vierkanten or {}).get("500m")
    if grid is not None and len(grid) and "celcode" in grid.columns:
        levels["vierkant"] = _cell_facts(grid, keys)
    return Facts(
        code=now.code,
        name=now.name,
        year=now.year,
        previous_year=None if prev is None else prev.year,
        peildatum=when,
        keys=keys,
        levels=levels,
        cells=cell_shares(now),
        koppelkansen=_koppelkansen(now, koppelkansen, when),
        series=series,
    )
