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
    the cells the map's grid layer draws (:func:`grid_cells`, the one selection rule: every
    cell over the gemeente) with what a cell shows (``cell_variables`` in
    ``grid/variables.json``) and the indicators on CBS's own 500 m cell figures, with their
    reasons, references and ranks (:func:`cell_facts`), and the cells' shares in each buurt
    (:func:`cell_shares`, from :class:`wijkgeo.grid.interpolate.Weights`, the one buurt-cell
    table);

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
    compute,
    compute_with_reasons,
    difference_from,
    get_indicator,
    rank_within,
    reference_values,
    registry,
)
from ..series import AtlasSeries
from .present import Present, reference_date, what_is_here

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = [
    "LEVELS",
    "Facts",
    "LevelFacts",
    "References",
    "build_facts",
    "cell_column",
    "cell_facts",
    "cell_shares",
    "grid_cells",
    "level_table",
    "references_of",
]

log = logging.getLogger(__name__)

#: The levels :func:`build_facts` computes by default.
LEVELS = ("buurt", "wijk", "vierkant")


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
class References:
    """The values an area is compared with: its gemeente's own CBS row and Nederland's.

    An Atlas has one group (its gemeente); an Atlas of bare frames
    (:meth:`wijkgeo.atlas.Atlas.from_frames`) one group per ``gemeentecode``.

    Attributes
    ----------
    groups : list of str
        Group labels (gemeente names), index = the group number.
    codes : list of str
        Group codes (``gemeentecode``; ``""`` when unknown).
    gemeente : DataFrame
        One row per group (0 .. n-1), one column per indicator (NaN: unknown).
    nederland : Series
        One value per indicator (NaN: unknown).
    nederland_why : dict
        Why an indicator has no Nederland value.
    """

    groups: list[str]
    codes: list[str]
    gemeente: pd.DataFrame
    nederland: pd.Series
    nederland_why: dict[str, str] = field(default_factory=dict)

    def group_of(self, frame: pd.DataFrame) -> np.ndarray:
        """The group number of every row of ``frame`` (-1: a gemeente without a row)."""
        if len(self.codes) == 1 or "gemeentecode" not in frame.columns:
            return np.zeros(len(frame), dtype=int)
        codes = frame["gemeentecode"].astype(str).to_numpy()
        return pd.Index(self.codes).get_indexer(codes).astype(int)

    def per_row(self, frame: pd.DataFrame, key: str, of: np.ndarray | None = None) -> np.ndarray:
        """The gemeente value of ``key`` for every row of ``frame`` (NaN when unknown);
        ``of``: :meth:`group_of` of ``frame`` when already known."""
        of = self.group_of(frame) if of is None else of
        gem = self.gemeente[key].to_numpy(dtype=float) if key in self.gemeente else None
        if gem is None or not len(gem):
            return np.full(len(frame), np.nan)
        return np.where(of >= 0, gem[np.maximum(of, 0)], np.nan)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: per gemeente code and for Nederland the value per indicator."""
        return {
            "gemeente": {
                code or name: {str(k): _json(v) for k, v in row.items()}
                for code, name, (_i, row) in zip(
                    self.codes, self.groups, self.gemeente.iterrows(), strict=True
                )
            },
            "nederland": {str(k): _json(v) for k, v in self.nederland.items()},
            "nederland_waarom": dict(self.nederland_why),
        }


def references_of(atlas: Atlas, keys: Sequence[str]) -> References:
    """The references of an Atlas: its own gemeente and Nederland rows (never a mean of
    buurten, :func:`wijkgeo.indicators.reference_values`); for bare frames one row per
    ``gemeentecode`` of the given gemeenten (NaN when not given).

    Examples
    --------
    >>> import wijkgeo
    >>> refs = references_of(wijkgeo.make_demo(), ["aandeel_65_plus"])
    >>> refs.groups, bool(refs.gemeente["aandeel_65_plus"].iloc[0] > 0)
    (['Demodam'], True)
    """
    keys = list(keys)
    if not atlas.meta.get("frames"):
        from ..indicators.nederland import nederland_reason

        ref = reference_values(atlas, keys)
        nl = ref.loc["nederland", keys]
        why = {
            k: nederland_reason(atlas, k, specific=True)
            for k in keys
            if not np.isfinite(float(nl[k]))
        }
        return References(
            groups=[str(atlas.name)],
            codes=[str(atlas.code)],
            gemeente=pd.DataFrame([ref.loc["gemeente", keys]]).reset_index(drop=True),
            nederland=nl,
            nederland_why={k: v for k, v in why.items() if v},
        )
    buurten = atlas.buurten
    gemeenten = atlas.gemeente if atlas.gemeente is not None and len(atlas.gemeente) else None
    if "gemeentecode" in buurten.columns:
        codes = buurten["gemeentecode"].astype(str).to_numpy()
    else:
        codes = np.full(len(buurten), "")
    order = np.unique(codes)
    names = [str(c) for c in order]
    gem = pd.DataFrame(np.nan, index=range(len(order)), columns=keys)
    if gemeenten is not None and "gemeentecode" in gemeenten.columns:
        vals = compute(gemeenten, keys, level="gemeente")
        vals.index = gemeenten["gemeentecode"].astype(str).to_numpy()
        vals = vals[~vals.index.duplicated()]
        gem = vals.reindex(order).reset_index(drop=True)
        if "gemeentenaam" in gemeenten.columns:
            by_code = dict(
                zip(
                    gemeenten["gemeentecode"].astype(str),
                    gemeenten["gemeentenaam"].astype(str),
                    strict=False,
                )
            )
            names = [by_code.get(c, c) for c in order]
    elif "gemeentenaam" in buurten.columns:
        first = pd.Series(buurten["gemeentenaam"].astype(str).to_numpy(), index=codes)
        first = first[~first.index.duplicated()]
        names = [str(first.get(c, c)) for c in order]
    nederland = atlas.nederland
    if nederland is not None and len(nederland):
        nl = compute(nederland, keys, level="nederland").iloc[0]
    else:
        nl = pd.Series(np.nan, index=keys)
    return References(names, [str(c) for c in order], gem, nl)


def _decimals(key: str) -> int:
    return int(get_indicator(key).decimals)


def level_table(frame: pd.DataFrame, values: pd.DataFrame, refs: References) -> pd.DataFrame:
    """Per area and indicator: value, gemeente, Nederland, the differences and the rank
    within the gemeente with the indicator's direction (1 = most favourable), the columns of
    :func:`wijkgeo.indicators.comparison_table`: ``k``, ``k_gemeente``,
    ``k_verschil_gemeente``, ``k_nederland``, ``k_verschil_nederland``, ``k_rang``,
    ``k_rang_van``. ``values`` is indexed like ``frame``.

    The rank is that of the value as shown, at the registry's decimals: two buurten that
    both read "21%" share a place (ties take the best place), as the map's popup says.
    """
    keys = list(values.columns)
    groups = frame["gemeentecode"] if "gemeentecode" in frame.columns else None
    # ranked on the figures as shown (the registry's decimals): areas that read the same share
    # a place, on the profile as in the map's popups (engine.js ranks the same integers)
    shown = pd.DataFrame(
        {k: np.round(values[k].to_numpy(dtype="float64") * 10 ** _decimals(k)) for k in keys},
        index=values.index,
    )
    ranks = rank_within(shown, keys, groups=groups)
    d_nl = difference_from(values, refs.nederland, keys)
    of = refs.group_of(frame)
    if groups is not None:  # how many areas of each one's gemeente have a value, per indicator
        counts = values.notna().groupby(np.asarray(groups)).transform("sum").astype("float64")
    cols: dict[str, pd.Series] = {}
    for key in keys:
        gem = pd.Series(refs.per_row(frame, key, of), index=values.index)
        if groups is not None:
            n = counts[key]
        else:
            n = pd.Series(float(values[key].notna().sum()), index=values.index)
        cols[key] = values[key]
        cols[f"{key}_gemeente"] = gem
        cols[f"{key}_verschil_gemeente"] = values[key].astype("float64") - gem
        cols[f"{key}_nederland"] = pd.Series(refs.nederland.get(key, np.nan), index=values.index)
        cols[f"{key}_verschil_nederland"] = d_nl[key]
        cols[f"{key}_rang"] = ranks[key]
        cols[f"{key}_rang_van"] = n
    return pd.DataFrame(cols, index=values.index)


@dataclass
class LevelFacts:
    """The facts of one level (``buurt``, ``wijk``, ``vierkant``), indexed by code."""

    level: str
    names: dict[str, str]
    table: pd.DataFrame
    reasons: pd.DataFrame | None = None
    change: pd.DataFrame | None = None
    present: Present | None = None
    #: the cells' outlines (RD, indexed by code); the cell level only, not in :meth:`to_dict`
    shapes: Any = field(default=None, repr=False)
    #: the cell variables the table holds (:func:`wijkgeo.grid.layer.cell_variables`)
    variables: list[dict[str, Any]] = field(default_factory=list, repr=False)

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
    year: int | None
    previous_year: int | None
    peildatum: dt.date
    keys: list[str]
    levels: dict[str, LevelFacts]
    cells: pd.DataFrame
    koppelkansen: Any = None
    series: AtlasSeries | None = field(default=None, repr=False)
    references: References | None = None

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
            "referenties": None if self.references is None else self.references.to_dict(),
        }


def cell_shares(atlas: Atlas, minimum: float = 0.0, cells: Any = None) -> pd.DataFrame:
    """Per buurt and 500 m cell: ``cel_in_buurt`` (share of the cell's area in the buurt)
    and ``buurt_in_cel`` (share of the buurt's area in the cell), from the one buurt-cell
    table :func:`wijkgeo.grid.interpolation_weights`.

    ``cells``: the cells' outlines indexed by ``celcode`` (the facts' cell level,
    :func:`cell_facts`, ``shapes``); default the cells a grid shows (:func:`grid_cells`), or
    CBS's own cells when there is no outline to lay a grid on. Pairs where both shares are
    below ``minimum`` are left out.
    """
    from ..grid.interpolate import interpolation_weights

    empty = pd.DataFrame(columns=["buurtcode", "celcode", "cel_in_buurt", "buurt_in_cel"])
    if cells is None:
        shown = grid_cells(atlas)
        if shown is not None:
            cells = shown.geometry.set_axis(shown["celcode"].astype(str).to_numpy())
    if cells is not None:
        import geopandas as gpd

        grid = gpd.GeoDataFrame(
            {"celcode": cells.index.astype(str)}, geometry=cells.to_numpy(), crs=cells.crs
        )
    else:
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


def grid_cells(atlas: Atlas, size: int = 500) -> Any:
    """The cells a grid shows, the **one** selection rule of the map's grid layer and the
    facts' cell level: every cell of :func:`wijkgeo.grid.atlas_grid` (the cells over the
    gemeente's outline, with or without CBS figures) that has an outline, each once.

    ``None`` when the Atlas has no CBS cells of that size (``atlas.vierkanten``) or no
    outline to lay them on (bare frames without a gemeente); the map then has no grid layer
    and the facts no cell level.
    """
    from ..grid.layer import atlas_grid

    own = (atlas.vierkanten or {}).get(f"{int(size)}m")
    if own is None or not len(own) or "celcode" not in own.columns:
        return None
    try:
        grid = atlas_grid(atlas, size=int(size))
    except WijkgeoError as exc:
        log.warning("geen %d m-vierkanten te tonen: %s", int(size), exc)
        return None
    grid = grid[grid.geometry.notna()].drop_duplicates("celcode")
    return grid.reset_index(drop=True)


def _share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den * 100, np.nan)


def _column_values(grid: pd.DataFrame, var: dict[str, Any]) -> np.ndarray | None:
    """A variable of plain columns, as CBS published them: its secret codes are missing,
    nothing more (a count is not hidden for being small; CBS rounded and suppressed its cells
    already)."""
    from ..conventions import SECRET_THRESHOLD

    def col(name: str) -> np.ndarray | None:
        if name not in grid.columns:
            return None
        v = pd.to_numeric(grid[name], errors="coerce").to_numpy(dtype=float)
        return np.where(v <= SECRET_THRESHOLD, np.nan, v)

    if var.get("column") and var["column"] in grid.columns:
        return col(var["column"])
    num, den = col(var.get("teller", "")), col(var.get("noemer", ""))
    if num is None or den is None:
        return None
    return _share(num, den)


def cell_column(var: dict[str, Any]) -> str:
    """The column of the cell level's table that holds a cell variable
    (:func:`wijkgeo.grid.layer.cell_variables`): the registry indicator, or its own key."""
    return str(var.get("indicator") or var["key"])


def cell_facts(
    atlas: Atlas,
    keys: Sequence[str] = (),
    refs: References | None = None,
    size: int = 500,
) -> LevelFacts | None:
    """The facts of the cells a grid shows (:func:`grid_cells`): the cell variables of
    ``grid/variables.json`` and the registry indicators ``keys``.

    A registry indicator (``keys`` and every variable with an ``indicator``) is computed on
    CBS's own cell figures (their columns under the KWB names, as the koppelkansen read them;
    ``koppelkansen/layers.toml`` ``[vierkant.kolommen]``) with the rule it has for buurten,
    the small-number rule included: a share of fewer inhabitants than the registry's
    ``min_population`` reads "te weinig inwoners", on a cell as on a buurt (CBS's rounding
    of cell counts to fives makes such a share noise). It gets the gemeente and Nederland
    references and the rank among the cells (1 = most favourable by its direction), as for
    buurten (:func:`level_table`). The other variables (counts, estimates from the buurten)
    are shown as published. A cell without CBS figures reads "geen gegevens".

    Returns ``None`` when there are no cells to show.
    """
    from ..grid.layer import cell_variables
    from ..koppelkansen.model import layer_schema
    from ..text import reason

    grid = grid_cells(atlas, size)
    if grid is None:
        return None
    variables = cell_variables()
    prefix = grid.attrs.get("naming", {}).get("cbs", "cbs_")
    frame = pd.DataFrame(grid.drop(columns=grid.geometry.name))
    own = {c[len(prefix):]: frame[c] for c in frame.columns if c.startswith(prefix)}
    cells = pd.DataFrame(own, index=frame.index)
    aliases = layer_schema()["vierkant"]["kolommen"]
    cells = cells.rename(
        columns={a: b for a, b in aliases.items() if a in cells.columns and b not in cells.columns}
    )
    codes = frame["celcode"].astype(str).to_numpy()
    named = [v["indicator"] for v in variables if v.get("indicator")]
    wanted = list(dict.fromkeys([*keys, *named]))
    if refs is None or any(k not in refs.gemeente.columns for k in wanted):
        refs = references_of(atlas, wanted)
    res = compute_with_reasons(cells, wanted, level="buurt")
    # one group: a cell on the gemeente's border belongs to the gemeente shown
    table = level_table(cells, res.values, refs)
    reasons = res.reasons.copy()
    absent = ~frame[[c for c in frame.columns if c.startswith(prefix)]].notna().any(axis=1)
    reasons.loc[absent.to_numpy()] = reason("missing")  # not in CBS's file: no figures
    shown = []
    for var in variables:
        if var.get("indicator"):
            shown.append(var)
            continue
        values = _column_values(frame, var)
        if values is None:
            continue
        table[var["key"]] = values
        reasons[var["key"]] = np.where(np.isnan(values), reason("missing"), None)
        shown.append(var)
    table.index = reasons.index = codes
    return LevelFacts(
        "vierkant",
        {c: c for c in codes},
        table,
        reasons,
        shapes=grid.geometry.set_axis(codes),
        variables=shown,
    )


def _koppelkansen(atlas: Atlas, given: Any, peildatum: dt.date) -> Any:
    if given is False:
        return None
    if given is not None:
        return given
    from ..koppelkansen import evaluate

    try:
        # with the near misses: the map draws them ("bijna"), the other outputs read matches
        return evaluate(atlas, peildatum=peildatum)
    except WijkgeoError as exc:
        log.warning("koppelkansen niet beoordeeld: %s", exc)
        return None


def _names(frame: pd.DataFrame, level: str, codes: np.ndarray) -> dict[str, str]:
    """Code -> name (the code when a name is missing: bare frames may have none)."""
    column = NAME_COLUMN[level]
    if column not in frame.columns:
        return {c: c for c in codes}
    names = frame[column].where(frame[column].notna(), pd.Series(codes, index=frame.index))
    return dict(zip(codes, names.astype(str), strict=True))


def _name_of(atlas: Atlas) -> str:
    """The gemeente's name; bare frames of several gemeenten may have none ("")."""
    if atlas.meta.get("frames"):
        gem = atlas.gemeente
        if not atlas.meta.get("naam") and (gem is None or "gemeentenaam" not in gem.columns
                                           or len(gem) != 1):
            return ""
    return atlas.name


def build_facts(
    atlas: Atlas | AtlasSeries,
    keys: Sequence[str] | None = None,
    *,
    koppelkansen: Any = None,
    peildatum: dt.date | str | None = None,
    change_keys: Sequence[str] | None = None,
    levels: Sequence[str] = LEVELS,
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
    levels : sequence of str
        The levels to compute (``buurt``, ``wijk``, ``vierkant``; the cell shares come with
        ``vierkant``); default all. An output asks for what it shows (the map: buurten and
        the wijken it draws).

    Returns
    -------
    Facts
    """
    series = AtlasSeries.of(atlas)
    now = series.latest
    keys = list(keys) if keys is not None else list(registry())
    when = reference_date(now, peildatum)
    prev = series.previous()
    refs = references_of(now, keys)
    out: dict[str, LevelFacts] = {}
    for level in ("buurt", "wijk"):
        if level not in levels:
            continue
        frame = now.buurten if level == "buurt" else now.wijken
        if frame is None or CODE_COLUMN[level] not in frame.columns:
            continue  # bare frames without wijken
        codes = frame[CODE_COLUMN[level]].astype(str).to_numpy()
        res = compute_with_reasons(frame, keys, level=level, local=now.local)
        table = level_table(frame, res.values, refs)
        table.index = codes
        reasons = res.reasons
        reasons.index = codes
        change = None
        if prev is not None:
            old = prev.buurten if level == "buurt" else prev.wijken
            same = series.unchanged(level, prev.year, now.year)
            wanted = list(change_keys if change_keys is not None else keys)
            # this year's values as computed above (with the local layers), the earlier
            # year's from its own frame
            current = pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(
                drop=True
            )
            for key in wanted:
                if key in res.values.columns:
                    current[key] = res.values[key].to_numpy()
            change = change_since(
                current, old, wanted, unchanged=same, id_col=CODE_COLUMN[level], level=level
            )
            change.index = codes
        out[level] = LevelFacts(
            level,
            _names(frame, level, codes),
            table,
            reasons,
            change,
            what_is_here(now, level, peildatum=when),
        )
    cells = pd.DataFrame(columns=["buurtcode", "celcode", "cel_in_buurt", "buurt_in_cel"])
    if "vierkant" in levels:
        level = cell_facts(now, keys, refs)
        if level is not None:
            out["vierkant"] = level
            cells = cell_shares(now, cells=level.shapes)  # the same cells
    return Facts(
        code=now.code,
        name=_name_of(now),
        year=now.year if now.meta.get("year") is not None else None,  # bare frames: none
        previous_year=None if prev is None else prev.year,
        peildatum=when,
        keys=keys,
        levels=out,
        cells=cells,
        koppelkansen=_koppelkansen(now, koppelkansen, when),
        series=series,
        references=refs,
    )
