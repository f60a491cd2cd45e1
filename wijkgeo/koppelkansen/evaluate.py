"""Evaluate koppelkansen rules on an Atlas: matches with their numbers, assets and reasons.

Pure functions, no I/O except reading a rules file when a path is given. Everything is
computed in EPSG:28992 (metres). A rule whose data are absent is skipped with a Dutch reason
(never silently); a unit whose value is missing or suppressed ("te weinig inwoners") simply
does not meet that condition, and its ``condities`` entry says why.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .. import conventions as cv
from .. import text
from .._errors import ConfigError
from ..facts.present import reference_date, what_is_here
from ..indicators import compute_with_reasons, get_indicator, reference_values
from ..indicators.compute import estimate_bounds
from ..kinds import active_mask
from . import explain
from .model import Condition, Rule, RuleSet, layer_schema

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..atlas import Atlas

__all__ = ["COLUMNS", "SUMMARY_COLUMNS", "KoppelkansResult", "evaluate", "flat_table"]

log = logging.getLogger(__name__)

_CRS = cv.CRS
_SECRET = cv.SECRET_THRESHOLD
_MOVE = 0.10  # thresholds move 10 % for the robustness flag and near misses
_UNAVAILABLE = text.reason("unavailable")
_PLURAL = {"buurt": "buurten", "wijk": "wijken", "vierkant": "vierkanten"}
#: How a model estimate's year, margin and provenance are said (``wijkgeo/text.json``).
_ESTIMATE = text.words()["estimates"]

#: Columns of the matches (and near misses) GeoDataFrame, in order.
COLUMNS = (
    "niveau",
    "code",
    "naam",
    "wijkcode",
    "regel",
    "titel",
    "status",
    "score",
    "robuustheid",
    "n_voldaan",
    "n_condities",
    "condities",
    "initiatieven",
    "voorzieningen",
    "projecten",
    "niet_meegeteld",
    "uitleg",
    "partners",
    "bron",
    "geometry",
)


#: The short table for CSV, the CLI and spreadsheets (Dutch headers in ``flat_table``).
SUMMARY_COLUMNS = ("code", "naam", "regel", "titel", "score", "robuustheid", "uitleg")


class KoppelkansResult(NamedTuple):
    """What :func:`evaluate` returns: matches, skipped rules, near misses and the rules used."""

    matches: gpd.GeoDataFrame
    skipped: pd.DataFrame
    near_misses: gpd.GeoDataFrame
    rules: RuleSet


class _Absent(Exception):
    """The data a condition needs are not in this Atlas (the message is the Dutch reason)."""


# ------------------------------------------------------------------------------ the units
@dataclass
class _Units:
    level: str
    frame: Any  # GeoDataFrame with the attributes the indicators read
    code: np.ndarray
    name: np.ndarray
    wijkcode: np.ndarray
    geoms: np.ndarray
    centroids: np.ndarray
    values: pd.DataFrame | None = None
    reasons: pd.DataFrame | None = None
    _tree: Any = None

    def __len__(self) -> int:
        return len(self.code)

    @property
    def tree(self):
        import shapely

        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return self._tree


def _text_array(series: pd.Series) -> np.ndarray:
    return series.astype("string").str.strip().fillna("").to_numpy(dtype=object)


def _units(atlas: Atlas, level: str) -> _Units:
    import shapely

    if level == "buurt":
        frame = atlas.buurten
        code, name = _text_array(frame["buurtcode"]), _text_array(frame["buurtnaam"])
        wijk = _text_array(frame["wijkcode"]) if "wijkcode" in frame else code
    elif level == "wijk":
        frame = atlas.wijken
        code, name = _text_array(frame["wijkcode"]), _text_array(frame["wijknaam"])
        wijk = code
    else:
        grid = atlas.vierkanten.get("500m") if atlas.vierkanten else None
        if grid is None or not len(grid):
            raise _Absent(
                "geen 500 m-vierkanten in deze gegevens; haal ze op met `wijkgeo refresh` "
                "(zonder --zonder-vierkanten) of zonder netwerk met `wijkgeo import "
                "cbs_vk500_<jaar>_v<n>.gpkg`"
            )
        aliases = layer_schema()["vierkant"]["kolommen"]
        rename = {a: b for a, b in aliases.items() if a in grid.columns and b not in grid.columns}
        frame = grid.rename(columns=rename)
        code = _text_array(frame["celcode"])
        b = atlas.buurten
        tree = shapely.STRtree(b.geometry.to_numpy())
        cent = shapely.centroid(frame.geometry.to_numpy())
        (_src, idx) = tree.query_nearest(cent, all_matches=False)
        bnames = _text_array(b["buurtnaam"])[idx]
        wijk = _text_array(b["wijkcode"])[idx]
        name = np.array([f"vierkant {c} ({n})" for c, n in zip(code, bnames, strict=True)], object)
    if frame.crs is not None and frame.crs != _CRS:
        frame = frame.to_crs(_CRS)
    geoms = frame.geometry.to_numpy()
    return _Units(level, frame, code, name, wijk, geoms, shapely.centroid(geoms))


# --------------------------------------------------------------------------- local layers
@dataclass
class _Features:
    name: str
    spec: Mapping[str, Any]
    frame: pd.DataFrame
    geoms: np.ndarray  # None where a table row has no wijk geometry
    keys: np.ndarray | None  # wijkcode per row for table layers
    start: np.ndarray  # float years (NaN when unknown)
    end: np.ndarray

    @property
    def table(self) -> bool:
        return self.keys is not None

    def phrase(self, j: int) -> str:
        rec = self.frame.iloc[j].to_dict()
        start_col, end_col = self.spec.get("startjaar"), self.spec.get("eindjaar")
        if start_col:
            rec["startjaar"] = rec.get(start_col)
        if end_col:
            rec["eindjaar"] = rec.get(end_col)
        return explain.feature_phrase(self.spec.get("zin", "{naam}"), rec)


def _filter_mask(frame: pd.DataFrame, where: Mapping[str, Sequence[str]], name: str) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for col, allowed in where.items():
        if col not in frame.columns:
            raise _Absent(f"de laag {name!r} heeft geen kolom {col!r}")
        wanted = {str(v).strip().lower() for v in allowed}
        mask &= (
            frame[col].astype("string").str.strip().str.lower().isin(wanted).fillna(False)
        ).to_numpy(dtype=bool)
    return mask


def _years(frame: pd.DataFrame, col: str | None) -> np.ndarray:
    if not col or col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)


def _features(
    ctx: _Context, name: str, where: Mapping[str, Sequence[str]], year_column: str | None = None
) -> _Features:
    """The active features of a local layer (:func:`wijkgeo.kinds.active_mask` on the
    peildatum, the rule "wat er al is" uses too), filtered as the condition asks."""
    import geopandas as gpd

    atlas = ctx.atlas
    layer = (atlas.local or {}).get(name)
    if layer is None:
        raise _Absent(
            f"de gemeente heeft geen lokale laag {name!r}; voeg die toe met `wijkgeo lagen MAP` "
            "(map met lagen.json)"
        )
    spec = layer_schema()["lagen"].get(name, {})
    if len(layer):
        keep = _filter_mask(layer, where, name) & active_mask(name, layer, ctx.peildatum)
        frame = layer[keep]
    else:
        frame = layer
    start = _years(frame, year_column or spec.get("startjaar"))
    end = _years(frame, year_column or spec.get("eindjaar") or spec.get("startjaar"))
    end = np.where(np.isnan(end), start, end)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        if frame.crs is not None and frame.crs != _CRS:
            frame = frame.to_crs(_CRS)
        geoms = frame.geometry.to_numpy()
        keys = None
    else:
        key_col = spec.get("sleutel", "wijkcode")
        if key_col not in frame.columns:
            raise _Absent(f"de tabel {name!r} heeft geen kolom {key_col!r} om aan wijken te hangen")
        keys = _text_array(frame[key_col])
        w = atlas.wijken
        by_code = dict(zip(_text_array(w["wijkcode"]), w.geometry.to_numpy(), strict=True))
        geoms = np.array([by_code.get(k) for k in keys], dtype=object)
    frame = pd.DataFrame(frame.drop(columns=[c for c in ("geometry",) if c in frame.columns]))
    return _Features(name, spec, frame.reset_index(drop=True), geoms, keys, start, end)


def _pairs(units: _Units, feats: _Features, distance: float, origin: str) -> tuple[np.ndarray, ...]:
    """(unit index, feature index, distance) of features within ``distance`` of each unit."""
    import shapely

    if not len(feats.frame):
        return np.empty(0, int), np.empty(0, int), np.empty(0)
    if feats.table:
        pos = {}
        for j, k in enumerate(feats.keys):
            pos.setdefault(k, []).append(j)
        ui, fj = [], []
        for i, w in enumerate(units.wijkcode):
            for j in pos.get(w, ()):
                ui.append(i)
                fj.append(j)
        return np.array(ui, int), np.array(fj, int), np.zeros(len(ui))
    ok = np.array([g is not None for g in feats.geoms]) & ~shapely.is_empty(feats.geoms)
    idx = np.flatnonzero(ok)
    if not len(idx):
        return np.empty(0, int), np.empty(0, int), np.empty(0)
    tree = shapely.STRtree(feats.geoms[idx])
    src = units.centroids if origin == "midden" else units.geoms
    if distance > 0:
        ui, fj = tree.query(src, predicate="dwithin", distance=distance)
    else:
        ui, fj = tree.query(src, predicate="intersects")
    fj = idx[fj]
    dist = shapely.distance(src[ui], feats.geoms[fj])
    return ui.astype(int), fj.astype(int), np.asarray(dist, float)


def _nearest(units: _Units, feats: _Features, origin: str) -> np.ndarray:
    import shapely

    out = np.full(len(units), np.nan)
    if feats.table or not len(feats.frame):
        return out
    ok = np.array([g is not None for g in feats.geoms]) & ~shapely.is_empty(feats.geoms)
    if not ok.any():
        return out
    tree = shapely.STRtree(feats.geoms[ok])
    src = units.centroids if origin == "midden" else units.geoms
    (s, _t), d = tree.query_nearest(src, return_distance=True, all_matches=False)
    out[s] = d
    return out


# ------------------------------------------------------------------------- the evaluation
@dataclass
class _Eval:
    """One condition evaluated on all units of a level."""

    held: np.ndarray
    strict: np.ndarray  # held with every threshold 10 % less favourable
    loose: np.ndarray  # held with every threshold 10 % more favourable
    value: np.ndarray
    threshold: np.ndarray
    text: Callable[[int], str]
    label: str
    comparison: str
    reason: np.ndarray = field(default_factory=lambda: np.empty(0, object))


def _ops(op: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    return {
        ">=": np.greater_equal,
        ">": np.greater,
        "<=": np.less_equal,
        "<": np.less,
    }[op]


def _moved(threshold: np.ndarray | float, op: str, sign: int) -> np.ndarray:
    """The threshold moved 10 % against (``sign=+1``) or in favour of (``-1``) the unit."""
    t = np.asarray(threshold, float)
    up = op in (">=", ">")
    step = _MOVE * np.abs(t) * (1 if up else -1) * sign
    return t + step


def _at(values: np.ndarray, thr: np.ndarray | float, op: str) -> np.ndarray:
    """``values op thr`` where "exactly at the threshold" survives float noise.

    280 / 1000 * 100 is 28.000000000000004: a value within 1e-9 (relative) of the threshold
    counts as equal to it, so ``>= 28`` holds and ``> 28`` does not.
    """
    thr = np.asarray(thr, float)
    eps = 1e-9 * np.maximum(1.0, np.abs(thr))
    equal = np.abs(values - thr) <= eps
    if op in (">=", "<="):
        return equal | _ops(op)(values, thr)
    return ~equal & _ops(op)(values, thr)


def _compare(values: np.ndarray, thr: np.ndarray | float, op: str) -> tuple[np.ndarray, ...]:
    with np.errstate(invalid="ignore"):
        ok = ~np.isnan(values)
        held = ok & _at(values, thr, op)
        strict = ok & _at(values, _moved(thr, op, +1), op)
        loose = ok & _at(values, _moved(thr, op, -1), op)
    return held, strict, loose


def _window_steps(w: int) -> tuple[int, int]:
    """Strict and loose versions of a year window: 10 %, but at least one whole year."""
    if w <= 0:
        return 0, 1
    return max(0, min(w - 1, math.floor(w * (1 - _MOVE)))), max(w + 1, math.ceil(w * (1 + _MOVE)))


def _numeric(frame: pd.DataFrame, col: str) -> np.ndarray:
    s = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return s.mask(s <= _SECRET).to_numpy()


class _Context:
    def __init__(self, atlas: Atlas, settings: Mapping[str, Any], peildatum: date) -> None:
        self.atlas = atlas
        self.settings = settings
        self.peildatum = peildatum
        self.units: dict[str, _Units | _Absent] = {}
        self._refs: pd.DataFrame | None = None
        self._ref_keys: set[str] = set()

    def level(self, level: str, keys: Sequence[str]) -> _Units:
        if level not in self.units:
            try:
                self.units[level] = _units(self.atlas, level)
            except _Absent as exc:
                self.units[level] = exc
        units = self.units[level]
        if isinstance(units, _Absent):
            raise units
        missing = [k for k in keys if units.values is None or k not in units.values.columns]
        if missing:
            res = compute_with_reasons(
                units.frame,
                missing,
                level="wijk" if level == "wijk" else "buurt",
                local=self.atlas.local,
            )
            vals, reas = res.values, res.reasons
            vals.index = reas.index = range(len(units))
            if units.values is None:
                units.values, units.reasons = vals, reas
            else:
                units.values = pd.concat([units.values, vals], axis=1)
                units.reasons = pd.concat([units.reasons, reas], axis=1)
        return units

    def refs(self, keys: Sequence[str]) -> pd.DataFrame:
        need = set(keys) - self._ref_keys
        if need:
            new = reference_values(self.atlas, sorted(need))
            self._refs = new if self._refs is None else pd.concat([self._refs, new], axis=1)
            self._ref_keys |= need
        return self._refs

    def column_ref(self, col: str, per: str | None, scale: float) -> tuple[float, float]:
        out = []
        for frame in (self.atlas.gemeente, self.atlas.nederland):
            if frame is None or not len(frame) or col not in frame.columns:
                out.append(np.nan)
                continue
            v = float(_numeric(frame, col)[0])
            if per:
                d = float(_numeric(frame, per)[0]) if per in frame.columns else np.nan
                v = v / d * scale if d > 0 else np.nan
            else:
                v *= scale
            out.append(v)
        return out[0], out[1]


def _value_source(ctx: _Context, units: _Units, cond: Condition):
    """Values of an indicator or column per unit, with label, unit, reasons and references."""
    if cond.indicator:
        ind = get_indicator(cond.indicator)
        vals = units.values[ind.key].to_numpy(dtype=float)
        reasons = units.reasons[ind.key].to_numpy(dtype=object)
        label = _forms(cond.description)[1] if cond.description else ind.label
        if (reasons == _UNAVAILABLE).all():
            raise _Absent(f"geen gegevens voor {explain.lower_first(ind.label)} in deze gegevens")
        if np.isnan(vals).all():
            raise _Absent(
                f"geen cijfers over {explain.lower_first(ind.label)} voor de "
                f"{_PLURAL[units.level]} in {ctx.atlas.meta.get('year', 'dit jaar')}"
            )
        refs = ctx.refs([ind.key])
        gem = float(refs.at["gemeente", ind.key])
        nl = float(refs.at["nederland", ind.key])
        return vals, reasons, label, ind.key, "", ind.decimals, gem, nl
    col = cond.column
    frame = units.frame
    if col not in frame.columns or (cond.per and cond.per not in frame.columns):
        missing = col if col not in frame.columns else cond.per
        raise _Absent(f"de kolom {missing!r} staat niet in de {_PLURAL[units.level]}")
    vals = _numeric(frame, col)
    if cond.per:
        den = _numeric(frame, cond.per)
        with np.errstate(invalid="ignore", divide="ignore"):
            vals = np.where(den > 0, vals / den * cond.scale, np.nan)
    else:
        vals = vals * cond.scale
    if np.isnan(vals).all():
        raise _Absent(f"geen cijfers in de kolom {col!r} voor de {_PLURAL[units.level]}")
    kol = (ctx.atlas.meta.get("kolommen") or {}).get(col, {})
    label = (_forms(cond.description)[1] if cond.description else None) or kol.get("title") or col
    unit = "" if cond.per else (kol.get("unit") or "")
    if unit.lower() in ("aantal", "percentage"):
        unit = "%" if unit.lower() == "percentage" else ""
    if col.startswith(("percentage_", "perc_")) and not cond.per:
        unit = "%"
    reasons = np.where(np.isnan(vals), "geen gegevens", None).astype(object)
    gem, nl = ctx.column_ref(col, cond.per, cond.scale)
    return vals, reasons, label, None, unit, 1 if cond.per else 0, gem, nl


def _eval_value(ctx: _Context, units: _Units, cond: Condition) -> _Eval:
    from ..indicators.nederland import nederland_reason

    vals, reasons, label, key, unit, dec, gem, nl = _value_source(ctx, units, cond)
    n = len(units)
    def fmt(v: float) -> str:
        return explain.value_text(key, v, unit, dec)

    def no_extra(i: int) -> str | None:
        return None

    extra: Callable[[int], str | None] = no_extra
    if cond.kind == "drempel":
        thr = np.full(n, float(cond.value))
        held, strict, loose = _compare(vals, thr, cond.operator)
        comparison = f"{cond.operator} {fmt(cond.value)}"
    elif cond.kind == "vergelijking":
        ref = gem if cond.reference == "gemeente" else nl
        who = "gemeente" if cond.reference == "gemeente" else "NL"
        if math.isnan(ref):
            why = nederland_reason(ctx.atlas, key) if who == "NL" else None
            raise _Absent(
                f"geen {'gemeentecijfer' if who == 'gemeente' else 'cijfer voor Nederland'} "
                f"voor {explain.lower_first(label)}" + (f": {why}" if why else "")
            )
        thr = np.full(n, cond.factor * ref)
        held, strict, loose = _compare(vals, thr, cond.operator)
        comparison = (
            f"{cond.operator} {explain.format_number(cond.factor, 2)} x {who} "
            f"({fmt(cond.factor * ref)})"
        )
    elif cond.kind == "percentiel":
        ok = vals[~np.isnan(vals)]
        p = float(cond.percentile)
        t = float(np.percentile(ok, p)) if len(ok) else np.nan
        thr = np.full(n, t)
        held, strict, loose = _compare(vals, thr, cond.operator)
        if cond.operator in (">=", ">"):
            part = f"bij de hoogste {explain.format_number(100 - p, 0)}%"
        else:
            part = f"bij de laagste {explain.format_number(p, 0)}%"
        comparison = f"{cond.operator} percentiel {explain.format_number(p, 0)} ({fmt(t)})"
        def percentile_extra(i: int) -> str | None:
            return f"{part} van de {_PLURAL[units.level]}: grens {fmt(t)}"

        extra = percentile_extra
    else:  # rang
        s = pd.Series(vals)
        rank = s.rank(method="min", ascending=cond.direction == "laagste").to_numpy()
        top = int(cond.top)
        top_s, top_l = max(1, min(top - 1, math.floor(top * (1 - _MOVE)))), max(
            top + 1, math.ceil(top * (1 + _MOVE))
        )
        okr = ~np.isnan(rank)
        with np.errstate(invalid="ignore"):
            held, strict, loose = (okr & (rank <= t) for t in (top, top_s, top_l))
        thr = np.full(n, float(top))
        comparison = f"bij de {top} {cond.direction}"
        total = int(okr.sum())
        def rank_extra(i: int) -> str | None:
            return f"nummer {int(rank[i])} van {total}" if okr[i] else None

        extra = rank_extra

    bounds = _estimate_bounds(ctx, units, key)
    meta = _estimate_meta(ctx, units, key)

    def text(i: int) -> str:
        parts = [p for p in (extra(i), _bounds_text(bounds, i, key), _origin_text(meta, i)) if p]
        return explain.indicator_phrase(
            key,
            vals[i],
            label=_estimate_label(label, meta, i),
            unit=unit,
            decimals=dec,
            gemeente=gem,
            nederland=nl,
            extra=", ".join(parts) or None,
        )

    return _Eval(held, strict, loose, vals, thr, text, label, comparison, reasons)


def _estimate_bounds(ctx: _Context, units: _Units, key: str | None) -> Any:
    """95 % bounds of a model estimate per unit (RIVM), or ``None``."""
    if key is None or not get_indicator(key).estimate:
        return None
    level = "wijk" if units.level == "wijk" else "buurt"
    return estimate_bounds(units.frame, key, level=level, local=ctx.atlas.local)


class _EstimateMeta(NamedTuple):
    """Per unit: the year of the estimate, its status and the year of the areas it was
    published on (``gezondheid_jaar``, ``status``, ``gezondheid_indeling`` of the table)."""

    year: np.ndarray
    status: np.ndarray
    areas: np.ndarray


def _estimate_meta(ctx: _Context, units: _Units, key: str | None) -> _EstimateMeta | None:
    """Year and provenance of a model estimate per unit (RIVM table), or ``None``."""
    if key is None or not get_indicator(key).estimate:
        return None
    table = ctx.atlas.local.get("gezondheid")
    if table is None or "code" not in getattr(table, "columns", ()):
        return None
    table = pd.DataFrame(table).drop_duplicates("code").set_index("code")
    codes = pd.Index(units.code.astype(str))

    def column(name: str) -> np.ndarray:
        if name not in table.columns:
            return np.full(len(codes), None, dtype=object)
        return table[name].reindex(codes).to_numpy(dtype=object)

    return _EstimateMeta(
        column("gezondheid_jaar"), column("status"), column("gezondheid_indeling")
    )


def _year(value: Any) -> int | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else int(out)


def _estimate_label(label: str, meta: _EstimateMeta | None, i: int) -> str:
    """``"Eenzaam, 65+ (schatting 2020)"``: the label of an estimate names its year."""
    year = _year(meta.year[i]) if meta is not None else None
    if year is None:
        return label
    return label.replace("(schatting)", _ESTIMATE["label"].format(jaar=year))


def _bounds_text(bounds: Any, i: int, key: str | None) -> str | None:
    """``"schatting tussen 14% en 19%"`` where bounds exist, else ``"marge niet gepubliceerd"``
    (the label already says "(schatting 2020)")."""
    if key is None or not get_indicator(key).estimate:
        return None
    words = _ESTIMATE
    if bounds is not None:
        lo, hi = float(bounds[0].iloc[i]), float(bounds[1].iloc[i])
        if not (math.isnan(lo) or math.isnan(hi)):
            low, high = explain.value_text(key, lo), explain.value_text(key, hi)
            return words["bounds"].format(van=low, tot=high)
    return words["no_bounds"]


def _origin_text(meta: _EstimateMeta | None, i: int) -> str | None:
    """Where an estimate comes from when it is not the table's own value of this area:
    ``"omgerekend van de buurtindeling van 2020"`` (carried through the years' crosswalk)
    or ``"grens niet gecontroleerd"`` (code and name equal, outline not compared)."""
    if meta is None:
        return None
    words = _ESTIMATE
    status = meta.status[i]
    if status == "omgerekend":
        areas = _year(meta.areas[i])
        return words["carried"].format(jaar=areas) if areas is not None else None
    if status == "niet_gecontroleerd":
        return words["unchecked"]
    return None


def _forms(description: str) -> tuple[str, str]:
    """``"actief initiatief|actieve initiatieven"`` -> (singular, plural); one form serves both."""
    one, _, many = description.partition("|")
    return one.strip(), (many or one).strip()


def _layer_label(feats_spec: Mapping[str, Any], cond: Condition, name: str, plural: bool) -> str:
    if cond.description:
        return _forms(cond.description)[1 if plural else 0]
    word = feats_spec.get("meervoud" if plural else "enkelvoud", name)
    # status filters mostly mean "current"; name them only when nothing else is filtered
    shown = {k: v for k, v in cond.filter.items() if k != "status"} or dict(cond.filter)
    if shown:
        f = "; ".join(f"{', '.join(v).replace('_', ' ')}" for v in shown.values())
        return f"{word} ({f})"
    return word


def _kind_unknown(ctx: _Context, cond: Condition) -> str | None:
    """Why "none within reach" cannot be told for an absence condition: the layer holds
    objects, but not one of the kinds the filter asks for (a voorzieningen list without any
    buurthuis or bibliotheek was not made to answer that question). None when it can."""
    layer = (ctx.atlas.local or {}).get(cond.layer)
    kinds = {k: v for k, v in cond.filter.items() if k != "status"}  # status: what is active
    if cond.present or layer is None or not len(layer) or not kinds:
        return None
    if _filter_mask(layer, kinds, cond.layer).any():
        return None
    label = _layer_label({}, cond, cond.layer, False)
    return f"in de laag {cond.layer!r} staat geen {label}: of er een dichtbij is, is niet getoetst"


def _eval_layer(ctx: _Context, units: _Units, cond: Condition) -> _Eval:
    unknown = _kind_unknown(ctx, cond)
    if unknown:
        raise _Absent(unknown)
    feats = _features(ctx, cond.layer, cond.filter)
    d = float(cond.distance)
    d_strict, d_loose = (d * (1 - _MOVE), d * (1 + _MOVE)) if cond.present else (
        d * (1 + _MOVE),
        d * (1 - _MOVE),
    )
    ui, fj, dist = _pairs(units, feats, max(d, d_strict, d_loose), cond.origin)
    n = len(units)

    def counts(limit: float) -> np.ndarray:
        keep = dist <= limit + 1e-9
        return np.bincount(ui[keep], minlength=n)

    c, c_s, c_l = counts(d), counts(d_strict), counts(d_loose)
    k = cond.minimum
    if cond.present:
        held, strict, loose = c >= k, c_s >= k, c_l >= k
    else:
        held, strict, loose = c < k, c_s < k, c_l < k
    nearest = _nearest(units, feats, cond.origin)
    names_col = feats.spec.get("naamkolom", "naam")
    within = {}
    keep = dist <= d + 1e-9
    for i, j in zip(ui[keep], fj[keep], strict=True):
        within.setdefault(int(i), []).append(int(j))

    def text(i: int) -> str:
        js = sorted(set(within.get(i, [])))
        if cond.present:
            label = _layer_label(feats.spec, cond, cond.layer, len(js) != 1)
            names = [str(feats.frame.iloc[j].get(names_col, "")) for j in js]
            names = [x for x in names if x and x != "nan"]
            where = f" binnen {explain.metres(d)}" if d > 0 else ""
            listing = f" ({explain._listing(names)})" if names and not feats.table else ""
            return f"{len(js)} {label}{where}{listing}"
        label = _layer_label(feats.spec, cond, cond.layer, False)
        where = f"binnen {explain.metres(d)}" if d > 0 else "in het gebied"
        near = (
            f" (dichtstbijzijnde op {explain.metres(nearest[i])})"
            if not math.isnan(nearest[i]) and nearest[i] > 0
            else ""
        )
        return f"geen {label} {where}{near}"

    where = "in het gebied" if d == 0 else "binnen " + explain.metres(d)
    if cond.present:
        comparison = f"minstens {k} {where}"
    else:
        comparison = f"geen {where}" if k == 1 else f"minder dan {k} {where}"
    label = _layer_label(feats.spec, cond, cond.layer, True)
    reason = np.full(n, None, dtype=object)
    return _Eval(held, strict, loose, c.astype(float), np.full(n, float(k)), text, label,
                 comparison, reason)


def _year_window(ctx: _Context, cond: Condition) -> tuple[tuple[float, float], ...]:
    """(low, high) year windows: base, strict and loose."""
    if cond.window is not None:
        lo = float(ctx.peildatum.year)
        w = int(cond.window)
        ws, wl = _window_steps(w)
        return (lo, lo + w), (lo, lo + ws), (lo, lo + wl)
    lo = float(cond.year_from) if cond.year_from is not None else -np.inf
    hi = float(cond.year_to) if cond.year_to is not None else np.inf
    span = int(hi - lo) if np.isfinite(hi - lo) else 0
    ws, wl = _window_steps(span)
    shrink, grow = (span - ws) / 2, (wl - span) / 2
    return (lo, hi), (lo + shrink, hi - shrink), (lo - grow, hi + grow)


def _eval_year(ctx: _Context, units: _Units, cond: Condition) -> _Eval:
    feats = _features(ctx, cond.layer, cond.filter, cond.year_column)
    ui, fj, _dist = _pairs(units, feats, float(cond.distance), "gebied")
    base, strict_w, loose_w = _year_window(ctx, cond)
    n = len(units)
    s, e = feats.start[fj], feats.end[fj]

    def inside(win: tuple[float, float]) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return ~np.isnan(s) & (s <= win[1]) & (e >= win[0])

    out = []
    for win in (base, strict_w, loose_w):
        m = inside(win)
        out.append(np.bincount(ui[m], minlength=n) > 0)
    held, strict, loose = out
    m = inside(base)
    first = np.full(n, np.nan)
    for i, j, ok in zip(ui, fj, m, strict=True):
        y = feats.start[j]
        if ok and not math.isnan(y) and (math.isnan(first[i]) or y < first[i]):
            first[i] = y
    by_unit: dict[int, list[tuple[bool, int]]] = {}
    for i, j, ok in zip(ui, fj, m, strict=True):
        by_unit.setdefault(int(i), []).append((bool(ok), int(j)))
    lo, hi = base

    def text(i: int) -> str:
        items = by_unit.get(i, [])
        chosen = [j for ok, j in items if ok] or [j for _ok, j in items]
        chosen = sorted(set(chosen), key=lambda j: (feats.start[j], j))
        phrases = [feats.phrase(j) for j in chosen[:3]]
        more = len(chosen) - len(phrases)
        text = "; ".join(phrases) + (f" en {more} meer" if more > 0 else "")
        if cond.description:
            label = _forms(cond.description)[1 if len(chosen) != 1 else 0]
            text = f"{label}: {text}" if text else label
        if not items:
            return f"geen {_layer_label(feats.spec, cond, cond.layer, False)} bekend"
        if not any(ok for ok, _ in items):
            return f"{text} (buiten {_window_text(lo, hi)})"
        return text

    comparison = f"in {_window_text(lo, hi)}"
    label = _layer_label(feats.spec, cond, cond.layer, True)
    return _Eval(held, strict, loose, first, np.full(n, hi), text, label, comparison,
                 np.full(n, None, dtype=object))


def _window_text(lo: float, hi: float) -> str:
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{int(lo)}-{int(hi)}"
    if np.isfinite(hi):
        return f"uiterlijk {int(hi)}"
    if np.isfinite(lo):
        return f"vanaf {int(lo)}"
    return "elk jaar"


def _eval_overlap(ctx: _Context, units: _Units, cond: Condition) -> _Eval:
    import shapely

    a = _features(ctx, cond.layer, cond.filter)
    b = _features(ctx, cond.other_layer, cond.other_filter)
    n = len(units)
    w = int(cond.window or 0)
    w_s, w_l = _window_steps(w)
    d = float(cond.distance)
    d_l = d * (1 + _MOVE)
    d_s = d * (1 - _MOVE)
    ok_a = np.flatnonzero(np.array([g is not None for g in a.geoms], bool))
    ok_b = np.flatnonzero(np.array([g is not None for g in b.geoms], bool))
    held = np.zeros(n, bool)
    strict = np.zeros(n, bool)
    loose = np.zeros(n, bool)
    count = np.zeros(n)
    pairs_of: dict[int, list[tuple[int, int]]] = {}
    loose_of: dict[int, list[tuple[int, int, float]]] = {}  # pairs only the loose line admits
    if len(ok_a) and len(ok_b):
        tree = shapely.STRtree(b.geoms[ok_b])
        if d_l > 0:
            ai, bj = tree.query(a.geoms[ok_a], predicate="dwithin", distance=d_l)
        else:
            ai, bj = tree.query(a.geoms[ok_a], predicate="intersects")
        ai, bj = ok_a[ai], ok_b[bj]
        if cond.layer == cond.other_layer:  # one layer with itself: each pair once
            keep = ai != bj
            ai, bj = ai[keep], bj[keep]
            lo, hi = np.minimum(ai, bj), np.maximum(ai, bj)
            _, first = np.unique(np.column_stack([lo, hi]), axis=0, return_index=True)
            first = np.sort(first)
            ai, bj = ai[first], bj[first]
        if cond.different_owners:
            col_a, col_b = a.spec.get("eigenaar"), b.spec.get("eigenaar")
            if not col_a or not col_b or col_a not in a.frame or col_b not in b.frame:
                raise _Absent(
                    f"de lagen {cond.layer!r} en {cond.other_layer!r} hebben geen kolom eigenaar"
                )
            oa = _text_array(a.frame[col_a])[ai]
            ob = _text_array(b.frame[col_b])[bj]
            keep = (oa != ob) & (oa != "") & (ob != "")
            ai, bj = ai[keep], bj[keep]
        with np.errstate(invalid="ignore"):
            gap = np.maximum.reduce(
                [np.zeros(len(ai)), b.start[bj] - a.end[ai], a.start[ai] - b.end[bj]]
            )
        dist = shapely.distance(a.geoms[ai], b.geoms[bj]) if len(ai) else np.empty(0)
        known = ~np.isnan(gap)
        for variant, (wv, dv) in enumerate(((w, d), (w_s, d_s), (w_l, d_l))):
            m = known & (gap <= wv) & (dist <= dv + 1e-9)
            if not m.any():
                continue
            ga = a.geoms[ai[m]]
            if dv > 0:
                ga = shapely.buffer(ga, dv)
            loc = shapely.intersection(ga, b.geoms[bj[m]])
            empty = shapely.is_empty(loc)
            loc = np.where(empty, b.geoms[bj[m]], loc)
            pi, ui = units.tree.query(loc, predicate="intersects")
            target = (held, strict, loose)[variant]
            target[np.unique(ui)] = True
            pa, pb, pg = ai[m], bj[m], gap[m]
            if variant == 0:
                for p, i in zip(pi, ui, strict=True):
                    pairs_of.setdefault(int(i), []).append((int(pa[p]), int(pb[p])))
                count = np.bincount(ui, minlength=n).astype(float)
            elif variant == 2:
                for p, i in zip(pi, ui, strict=True):
                    loose_of.setdefault(int(i), []).append((int(pa[p]), int(pb[p]), float(pg[p])))

    def text(i: int) -> str:
        pairs = sorted(set(pairs_of.get(i, [])))
        if not pairs:
            near = sorted(set(loose_of.get(i, [])))
            if near:  # a near miss: say how far apart in time they are
                x, y, g = near[0]
                years = "1 jaar" if g == 1 else f"{int(g)} jaar"
                return f"{a.phrase(x)} en {b.phrase(y)} raken elkaar, {years} uit elkaar"
            return (
                f"geen {_layer_label(a.spec, cond, cond.layer, False)} en "
                f"{b.spec.get('enkelvoud', cond.other_layer)} die elkaar raken"
            )
        by_a: dict[int, list[int]] = {}
        for x, y in pairs:
            by_a.setdefault(x, []).append(y)
        shown = [
            f"{a.phrase(x)} en {explain._listing([b.phrase(y) for y in ys], 2)}"
            for x, ys in list(by_a.items())[:2]
        ]
        more = len(by_a) - len(shown)
        text = "; ".join(shown) + (f" (en {more} meer)" if more > 0 else "")
        when = "in dezelfde jaren" if w == 0 else f"binnen {w} jaar van elkaar"
        return f"{text} vallen hier samen, {when}"

    comparison = "raken elkaar " + ("in dezelfde jaren" if w == 0 else f"binnen {w} jaar")
    label = _forms(cond.description)[1] if cond.description else (
        f"{a.spec.get('meervoud', cond.layer)} en {b.spec.get('meervoud', cond.other_layer)}"
    )
    return _Eval(held, strict, loose, count, np.full(n, float(w)), text, label, comparison,
                 np.full(n, None, dtype=object))


_EVALUATORS = {
    "drempel": _eval_value,
    "percentiel": _eval_value,
    "rang": _eval_value,
    "vergelijking": _eval_value,
    "laag": _eval_layer,
    "jaar": _eval_year,
    "overlap": _eval_overlap,
}


def _combine(rule: Rule, conds: Sequence[Condition], held: np.ndarray) -> tuple[np.ndarray, ...]:
    """(match, score) per unit from a units x conditions matrix of held flags."""
    w = np.array([c.weight for c in conds], float)
    req = np.array([c.required for c in conds], bool)
    score = (held * w).sum(axis=1) / w.sum() if w.sum() > 0 else np.zeros(len(held))
    must = held[:, req].all(axis=1) if req.any() else np.ones(len(held), bool)
    if rule.combine == "alle":
        match = held.all(axis=1)
    elif rule.combine == "minstens":
        match = must & (held.sum(axis=1) >= int(rule.k))
    else:
        match = must & (score >= float(rule.min_score) - 1e-12)
    return match, score


# ------------------------------------------------------------------------------- assets
def _assets(ctx: _Context, units: _Units) -> dict[str, Any]:
    """Per unit: the texts of "wat er al is" (:func:`wijkgeo.facts.present.what_is_here`)."""
    months = int(ctx.settings.get("einde_binnen_maanden", 12))
    here = what_is_here(
        ctx.atlas, units.level, peildatum=ctx.peildatum, areas=(units.code, units.geoms)
    )
    schema = layer_schema()["lagen"]
    limit = _add_months(ctx.peildatum, months)
    out: dict[str, Any] = {"_known": here.any_known}
    for key, per_unit in here.items.items():
        out[key] = [[_asset_text(key, rec, schema, ctx.peildatum, limit) for rec in feats]
                    for feats in per_unit]
    return out


def _asset_text(
    key: str, rec: Mapping[str, Any], schema: Mapping[str, Any], peildatum: date, limit: date
) -> str:
    spec = schema.get(str(rec.get("laag")), {})
    name = str(rec.get(spec.get("naamkolom", "naam")) or "")
    if key == "initiatieven":
        end = pd.to_datetime(rec.get("einddatum"), errors="coerce")
        if pd.notna(end) and peildatum <= end.date() <= limit:
            name += f" (loopt af op {explain.dutch_date(end.date())})"
        achieved = explain.achieved_phrase(rec)  # what it has achieved, when recorded
        return f"{name} – {achieved}" if achieved else name
    if key == "voorzieningen":
        return f"{name} ({rec.get('categorie') or ''})"
    return explain.feature_phrase(spec.get("zin", "{naam}"), rec)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    import calendar

    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# -------------------------------------------------------------------------------- rules
def _resolve_rules(atlas: Atlas, rules: Any) -> RuleSet:
    from .load import default_rules, load_rules, rules_file_for

    if rules is None:
        base = default_rules()
        own = rules_file_for(atlas)
        return base.merged(load_rules(own)) if own is not None else base
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, (str, Path)):
        return default_rules().merged(load_rules(rules))
    if isinstance(rules, Rule):
        return RuleSet((rules,))
    if isinstance(rules, Sequence) and all(isinstance(r, Rule) for r in rules):
        return RuleSet(tuple(rules))
    raise ConfigError(
        "rules moet None, een pad naar een koppelkansen.toml, een RuleSet of een lijst Rule zijn."
    )


def _empty() -> gpd.GeoDataFrame:
    import geopandas as gpd

    cols = {c: pd.Series(dtype=object) for c in COLUMNS if c != "geometry"}
    for c in ("score",):
        cols[c] = pd.Series(dtype=float)
    for c in ("n_voldaan", "n_condities"):
        cols[c] = pd.Series(dtype="int64")
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=_CRS), crs=_CRS)


def _rows(
    rule: Rule,
    units: _Units,
    conds: Sequence[Condition],
    evals: Sequence[_Eval],
    idx: np.ndarray,
    status: str,
    held: np.ndarray,
    strict_match: np.ndarray,
    score: np.ndarray,
    assets: Mapping[str, Any],
    dropped: Sequence[str],
    settings: Mapping[str, Any],
) -> list[dict[str, Any]]:
    rows = []
    small = float(settings.get("klein_gebied_inwoners", 500))
    if "aantal_inwoners" in units.frame.columns:
        population = _numeric(units.frame, "aantal_inwoners")
    else:
        population = np.full(len(units), np.nan)
    for i in idx:
        i = int(i)
        conditions = []
        for c, ev in zip(conds, evals, strict=True):
            val = ev.value[i]
            thr = ev.threshold[i]
            conditions.append(
                {
                    "soort": c.kind,
                    "omschrijving": ev.label,
                    "waarde": None if math.isnan(val) else float(val),
                    "drempel": None if math.isnan(thr) else float(thr),
                    "vergelijking": ev.comparison,
                    "voldaan": bool(ev.held[i]),
                    "ruim": bool(ev.strict[i]),
                    "verplicht": bool(c.required),
                    "reden": (ev.reason[i] if len(ev.reason) and ev.reason[i] else None),
                    "tekst": ev.text(i),
                }
            )
        held_txt = [x["tekst"] for x in conditions if x["voldaan"] and _needs_text(x)]
        # a near miss names what fell just short: not met, but met with the line 10 % further
        missed = (
            [
                f"{x['tekst']} (nodig: {x['vergelijking']})"
                for x, ev in zip(conditions, evals, strict=True)
                if not x["voldaan"] and ev.loose[i]
            ]
            if status == "bijna"
            else []
        )
        assets_txt = explain.assets_sentence(
            assets["initiatieven"][i],
            assets["voorzieningen"][i],
            assets["projecten"][i],
            known=bool(assets["_known"]),
        )
        name = str(units.name[i])
        rows.append(
            {
                "niveau": units.level,
                "code": str(units.code[i]),
                "naam": name,
                "wijkcode": str(units.wijkcode[i]) or None,
                "regel": rule.key,
                "titel": rule.title,
                "status": status,
                "score": round(float(score[i]), 4),
                "robuustheid": (
                    ("ruim" if strict_match[i] else "krap") if status == "kans" else None
                ),
                "n_voldaan": int(held[i].sum()),
                "n_condities": len(conds),
                "condities": conditions,
                "initiatieven": list(assets["initiatieven"][i]),
                "voorzieningen": list(assets["voorzieningen"][i]),
                "projecten": list(assets["projecten"][i]),
                "niet_meegeteld": list(dropped),
                "uitleg": explain.explanation(
                    name if status == "kans" else f"{name} (bijna)",
                    held_txt,
                    assets_txt,
                    missed=missed,
                    dropped=dropped,
                    note=explain.small_note(float(population[i]), small),
                ),
                "partners": ", ".join(rule.partners),
                "bron": rule.source,
                "geometry": units.geoms[i],
            }
        )
    return rows


def _needs_text(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("tekst"))


def evaluate(
    atlas: Atlas,
    rules: RuleSet | Sequence[Rule] | str | Path | None = None,
    *,
    peildatum: date | str | None = None,
    near_misses: bool = True,
) -> KoppelkansResult:
    """Find koppelkansen: units where the conditions of a rule coincide, with the reasons.

    Parameters
    ----------
    atlas : Atlas
        One gemeente and year (buurten, wijken, optional 500 m cells, local layers).
    rules : RuleSet, list of Rule, path or None
        ``None``: the default rules plus the gemeente's own ``koppelkansen.toml`` when the
        Atlas knows its data folder (``atlas.meta["lokale_lagen"]``); a path: the default
        rules with that file on top; a RuleSet or list: exactly those rules.
    peildatum : date or str, optional
        Reference date for year windows ("binnen 8 jaar") and initiatives that end soon;
        default ``atlas.meta["peildatum"]``, else today. The same inputs and peildatum
        always give the same output.
    near_misses : bool
        Also collect near misses (units that meet the rule only when every threshold moves
        10 % in their favour).

    Returns
    -------
    KoppelkansResult
        ``matches``: a GeoDataFrame (EPSG:28992), one row per unit and rule, sorted by rule
        order, score (descending) and code, with columns

        ========================  ======================================================
        ``niveau``                ``"buurt"``, ``"wijk"`` or ``"vierkant"``
        ``code``, ``naam``        unit code (``BU…``, ``WK…``, celcode) and name
        ``wijkcode``              the wijk the unit belongs to
        ``regel``, ``titel``      rule key and Dutch title
        ``status``                ``"kans"`` (``"bijna"`` in ``near_misses``)
        ``score``                 float 0..1: weighted share of conditions met
        ``robuustheid``           ``"ruim"`` when it still holds with every threshold 10 %
                                  less favourable, else ``"krap"`` (None for near misses)
        ``n_voldaan``             int, conditions met; ``n_condities`` int, evaluated
        ``condities``             list of dicts per condition: ``soort``, ``omschrijving``,
                                  ``waarde`` (float|None), ``drempel`` (float|None),
                                  ``vergelijking`` (str), ``voldaan`` (bool), ``ruim``
                                  (bool), ``verplicht`` (bool), ``reden`` (str|None, why a
                                  value is missing), ``tekst`` (Dutch phrase)
        ``initiatieven``          list of str: active bewonersinitiatieven in or near the unit
                                  (with "loopt af op …" when they end soon)
        ``voorzieningen``         list of str: voorzieningen in or near the unit
        ``projecten``             list of str: current projects in or near the unit
        ``niet_meegeteld``        list of str: optional conditions without data this run
        ``uitleg``                str: the Dutch explanation, needs beside assets (plain
                                  text with names from local layers: escape it before it
                                  goes into HTML, see ``wijkgeo.maps.escape``)
        ``partners``, ``bron``    str: who it brings together, what practice it rests on
        ``geometry``              the unit's polygon
        ========================  ======================================================

        ``skipped``: DataFrame ``regel, titel, niveau, reden`` of rules that could not be
        evaluated; ``near_misses``: as ``matches`` with ``status == "bijna"``; ``rules``: the
        RuleSet used.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.koppelkansen import evaluate
    >>> res = evaluate(wijkgeo.make_demo())
    >>> first = res.matches.iloc[0]
    >>> first["naam"], first["regel"], first["robuustheid"]
    ('Duinrand', 'warmtetransitie_energiearmoede', 'ruim')
    >>> first["uitleg"][:47]
    'Duinrand: aardgasvrij gepland 2026 (warmtenet);'
    >>> res.skipped.empty
    True
    """
    import geopandas as gpd

    ruleset = _resolve_rules(atlas, rules)
    ctx = _Context(atlas, ruleset.settings, reference_date(atlas, peildatum))
    found: list[dict[str, Any]] = []
    near: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    assets_by_level: dict[str, Mapping[str, Any]] = {}
    for rule in ruleset.active():

        def skip(reason: str, rule: Rule = rule) -> None:
            log.info("koppelkans %s overgeslagen: %s", rule.key, reason)
            skipped.append(
                {"regel": rule.key, "titel": rule.title, "niveau": rule.level, "reden": reason}
            )

        keys = [c.indicator for c in rule.conditions if c.indicator]
        try:
            units = ctx.level(rule.level, keys)
        except _Absent as exc:
            skip(str(exc))
            continue
        conds: list[Condition] = []
        evals: list[_Eval] = []
        dropped: list[str] = []
        absent: str | None = None
        for cond in rule.conditions:
            try:
                evals.append(_EVALUATORS[cond.kind](ctx, units, cond))
                conds.append(cond)
            except _Absent as exc:
                if cond.optional:
                    dropped.append(_short_label(cond))
                    log.debug("koppelkans %s: conditie niet meegeteld: %s", rule.key, exc)
                else:
                    absent = str(exc)
                    break
        if absent is not None:
            skip(absent)
            continue
        if not conds:
            skip("geen enkele conditie heeft gegevens")
            continue
        if rule.combine == "minstens" and int(rule.k) > len(conds):
            skip(
                f"minstens {rule.k} condities nodig, maar er zijn er maar {len(conds)} met "
                f"gegevens (zonder: {', '.join(dropped)})"
            )
            continue
        held = np.column_stack([e.held for e in evals])
        strict = np.column_stack([e.strict for e in evals])
        loose = np.column_stack([e.loose for e in evals])
        match, score = _combine(rule, conds, held)
        match_s, _ = _combine(rule, conds, strict)
        match_l, _ = _combine(rule, conds, loose)
        if rule.level not in assets_by_level:
            assets_by_level[rule.level] = _assets(ctx, units)
        assets = assets_by_level[rule.level]

        def order(mask, units: _Units = units, score=score, match_s=match_s) -> np.ndarray:
            # best first: score, then still holding with stricter thresholds, then code
            idx = np.flatnonzero(mask)
            keys = (units.code[idx].astype(str), ~match_s[idx], -score[idx])
            return idx[np.lexsort(keys)]

        found += _rows(rule, units, conds, evals, order(match), "kans", held, match & match_s,
                       score, assets, dropped, ruleset.settings)
        if near_misses:
            near += _rows(rule, units, conds, evals, order(~match & match_l), "bijna", held,
                          np.zeros(len(units), bool), score, assets, dropped, ruleset.settings)

    def frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
        if not rows:
            return _empty()
        df = pd.DataFrame(rows, columns=list(COLUMNS))
        return gpd.GeoDataFrame(df, geometry="geometry", crs=_CRS).reset_index(drop=True)

    skipped_df = pd.DataFrame(skipped, columns=["regel", "titel", "niveau", "reden"])
    return KoppelkansResult(frame(found), skipped_df, frame(near), ruleset)


def _short_label(cond: Condition) -> str:
    if cond.description:
        return _forms(cond.description)[1]
    if cond.indicator:
        return explain.lower_first(get_indicator(cond.indicator).label)
    return cond.column or cond.layer or cond.kind


def flat_table(matches: pd.DataFrame, *, full: bool = False) -> pd.DataFrame:
    """Matches as a flat table (no geometry, no lists) for CSV, GeoPackage and Excel.

    Parameters
    ----------
    matches : DataFrame
        ``evaluate(...).matches`` (or ``near_misses``).
    full : bool
        All columns, with lists joined by ``"; "`` and ``condities`` as JSON text; default
        the short table (:data:`SUMMARY_COLUMNS` plus ``niveau`` and ``status``).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.koppelkansen import evaluate, flat_table
    >>> flat_table(evaluate(wijkgeo.make_demo()).matches).columns[:3].tolist()
    ['niveau', 'code', 'naam']
    """
    import json

    cols = [c for c in COLUMNS if c != "geometry"] if full else [
        "niveau", *SUMMARY_COLUMNS[:4], "status", *SUMMARY_COLUMNS[4:]
    ]
    out = pd.DataFrame({c: matches[c].to_numpy() for c in cols}, index=range(len(matches)))
    for col in ("initiatieven", "voorzieningen", "projecten", "niet_meegeteld"):
        if col in out:
            out[col] = ["; ".join(v) for v in out[col]]
    if "condities" in out:
        out["condities"] = [json.dumps(v, ensure_ascii=False) for v in out["condities"]]
    return out
