"""Which of today's areas may take a health figure published on another year's boundaries.

Each RIVM table is on one year's boundaries (``indeling`` in the catalog: 50090NED on those of
2020, 50150NED on those of 2024). A figure may only reach today's buurt when that buurt held
between the two years; joining on a code whose area changed would put one buurt's estimate
on another piece of town. :func:`carry_to_areas` is the ONE place that decides; changed areas
go through the series over the years (the crosswalk of :mod:`wijkgeo.series.crosswalk`; the
teller/noemer arithmetic of ``series/carry.py``'s ``verhouding`` rule, done here because that
module sits in a layer above the sources), marked:

1. **same year** (the table's indeling is the store's year): every code matches as published;
2. **that year's boundaries are stored**: a buurt held when its code existed then and its
   outline differs by at most 3 % of its area (symmetric difference): the value as published.
   A buurt (or wijk) whose outline changed, or whose code is new, gets its value **through
   the series**: :func:`wijkgeo.series.crosswalk` tells which share of each area of that year
   lies in it, and the estimate is carried as teller and noemer (estimate x the age group's
   inhabitants of that year, from that year's Kerncijfers, ``inwoners`` per age group in
   the catalog), never averaged: status ``omgerekend``, the ``herkomst`` says from which
   areas and how; bounds are carried the same way and marked as approximate;
3. **fallback, boundaries not in the store**: a buurt counts as held when its code AND its
   name agree in both years (and, where that year's Kerncijfers are given, its area agrees
   within 3 %); the value then carries ``grens niet gecontroleerd`` in its provenance. A code
   whose name changed gets no value; so does a code whose name that year is unknown.

Examples
--------
>>> import pandas as pd
>>> now = pd.DataFrame({"code": ["BU00010001", "BU00010002"], "level": "buurt",
...                     "naam": ["Oost", "West"]})
>>> then = pd.DataFrame({"code": ["BU00010001", "BU00010002"], "naam": ["Oost", "Westpunt"],
...                      "eenzaam_65plus": [50.0, 40.0]})
>>> out = carry_to_areas(now, then, year=2024, indeling=2020)
>>> out[["code", "eenzaam_65plus", "herkomst"]].to_dict("records")[0]["herkomst"]
'grens niet gecontroleerd: code en naam gelijk aan 2020'
>>> out["eenzaam_65plus"].tolist()
[50.0, nan]
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["AREA_TOLERANCE", "CARRIED", "HELD", "UNCHECKED", "carry_changed", "carry_to_areas"]

log = logging.getLogger(__name__)

#: Largest relative change of area (or outline) for which a buurt still counts as held.
AREA_TOLERANCE = 0.03
#: ``status`` values of :func:`carry_to_areas`.
HELD, UNCHECKED, SAME_YEAR, NONE = "gelijk", "niet_gecontroleerd", "zelfde_jaar", "geen"
CARRIED = "omgerekend"
_BOUNDS = ("_ondergrens", "_bovengrens")


def _name_key(name: Any) -> str | None:
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    text = re.sub(r"\s+", " ", str(name)).strip().casefold()
    return text or None


def _areas_ha(frame: pd.DataFrame) -> pd.Series:
    """Area in hectares per row: the published KWB area where present, else the geometry's."""
    for col in ("oppervlakte_totaal_in_ha", "oppervlakte_totaal", "area_ha"):
        if col in frame.columns:
            values = pd.to_numeric(frame[col], errors="coerce")
            return values.where(values > 0)
    if "geometry" in frame.columns:
        return pd.Series(frame.geometry.area.to_numpy() / 1e4, index=frame.index)
    return pd.Series(np.nan, index=frame.index)


def carry_to_areas(
    now: pd.DataFrame,
    edition: pd.DataFrame,
    *,
    year: int,
    indeling: int,
    boundaries_then: Any = None,
    kerncijfers_then: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Today's areas with the edition's values where the area held, and why not elsewhere.

    Parameters
    ----------
    now : DataFrame or GeoDataFrame
        Today's areas: ``code``, ``level`` and ``naam`` (and geometry in EPSG:28992 or
        ``oppervlakte_totaal_in_ha`` for the area checks).
    edition : DataFrame
        One row per area of the table's year (``code``, optional ``naam``, value columns),
        as :func:`wijkgeo.sources.rivm.wide` gives it.
    year : int
        The year of ``now``'s boundaries.
    indeling : int
        The year of the edition's boundaries.
    boundaries_then : GeoDataFrame, optional
        The areas of ``indeling`` (``code``, ``level``, ``naam``, geometry in EPSG:28992, and
        the Kerncijfers counts of that year where known), when the store has them: outlines
        are then compared and changed areas carried through the series (case 2).
    kerncijfers_then : DataFrame, optional
        The Kerncijfers of ``indeling`` (``code``, ``naam``, ``oppervlakte_totaal_in_ha``):
        names and areas for the fallback (case 3).

    Returns
    -------
    DataFrame
        One row per row of ``now``, in its order: ``code``, ``bron_code`` (the edition's
        code used, or None), ``status`` (``zelfde_jaar``, ``gelijk``,
        ``niet_gecontroleerd``, ``geen``), ``herkomst`` (Dutch: where the value comes from,
        or why there is none) and the edition's value columns (NaN without a match).
    """
    ed = edition.drop_duplicates("code").set_index("code")
    values = [c for c in ed.columns if c not in ("level", "naam", "jaar", "tabel", "indeling")]
    then_names: dict[str, str | None] = {}
    if "naam" in ed.columns:
        then_names.update({k: v for k, v in ed["naam"].items() if _name_key(v)})
    then_area: dict[str, float] = {}
    if kerncijfers_then is not None and len(kerncijfers_then):
        kc = kerncijfers_then.drop_duplicates("code").set_index("code")
        if "naam" in kc.columns:
            for k, v in kc["naam"].items():
                then_names.setdefault(k, v)
        then_area = {k: v for k, v in _areas_ha(kc).items() if pd.notna(v)}
    geoms_then: dict[str, Any] = {}
    if boundaries_then is not None and len(boundaries_then):
        bt = boundaries_then.drop_duplicates("code").set_index("code")
        geoms_then = dict(bt.geometry.items())
        if "naam" in bt.columns:
            for k, v in bt["naam"].items():
                then_names.setdefault(k, v)
    now_area = _areas_ha(now.reset_index(drop=True))
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for i, area in enumerate(now.reset_index(drop=True).itertuples(index=False)):
        code = str(area.code)
        level = str(getattr(area, "level", ""))
        status, note, source = _decide(
            code,
            level,
            getattr(area, "naam", None),
            now_area.iloc[i],
            getattr(area, "geometry", None),
            year=int(year),
            indeling=int(indeling),
            published=code in ed.index,
            then_name=then_names.get(code),
            then_area=then_area.get(code),
            then_geom=geoms_then.get(code),
            boundaries=bool(geoms_then),
        )
        counts[status] = counts.get(status, 0) + 1
        rows.append({"code": code, "bron_code": source, "status": status, "herkomst": note})
    out = pd.DataFrame.from_records(rows, columns=["code", "bron_code", "status", "herkomst"])
    vals = ed.reindex(out["bron_code"].where(out["bron_code"].notna(), "")).reset_index(drop=True)
    for col in values:
        out[col] = pd.to_numeric(vals[col], errors="coerce").to_numpy()
    if geoms_then:
        out = carry_changed(
            out, now.reset_index(drop=True), ed[values], boundaries_then, indeling=int(indeling)
        )
        counts = out["status"].value_counts().to_dict()
    log.info("gezondheidscijfers %s naar grenzen %s: %s", indeling, year, counts)
    return out


def _decide(
    code: str,
    level: str,
    name: Any,
    area_ha: float,
    geom: Any,
    *,
    year: int,
    indeling: int,
    published: bool,
    then_name: Any,
    then_area: float | None,
    then_geom: Any,
    boundaries: bool,
) -> tuple[str, str, str | None]:
    if not published:
        return NONE, f"geen cijfer: code {code} bestond niet op de indeling van {indeling}", None
    if year == indeling or level in ("gemeente", "nederland"):
        if level == "gemeente" and year != indeling:
            a, b = _name_key(name), _name_key(then_name)
            if a and b and a != b:
                return NONE, f"geen cijfer: gemeente heette in {indeling} {then_name}", None
        return SAME_YEAR, f"op de grenzen van {indeling}", code
    if boundaries:
        if then_geom is None or geom is None:
            return NONE, f"geen cijfer: {code} niet in de grenzen van {indeling}", None
        try:
            changed = then_geom.symmetric_difference(geom).area / max(geom.area, 1.0)
        except Exception:  # invalid geometry: do not guess
            changed = 1.0
        if changed <= AREA_TOLERANCE:
            return HELD, f"grens gelijk aan {indeling}", code
        return (
            NONE,
            (f"geen cijfer: grens gewijzigd sinds {indeling} ({changed:.0%} van de oppervlakte)"),
            None,
        )
    a, b = _name_key(name), _name_key(then_name)
    if b is None:
        return NONE, f"geen cijfer: naam in {indeling} onbekend, grens niet te controleren", None
    if a != b:
        return NONE, f"geen cijfer: code hergebruikt, heette in {indeling} {then_name}", None
    if then_area is not None and pd.notna(area_ha) and area_ha > 0:
        diff = abs(area_ha - then_area) / area_ha
        if diff > AREA_TOLERANCE:
            return NONE, (f"geen cijfer: oppervlakte gewijzigd sinds {indeling} ({diff:.0%})"), None
    return UNCHECKED, f"grens niet gecontroleerd: code en naam gelijk aan {indeling}", code


def _age_suffix(column: str) -> str | None:
    """The age group suffix of a value column (``eenzaam_65plus_ondergrens`` -> ``65plus``)."""
    from . import catalog

    base = column
    for bound in _BOUNDS:
        base = base.removesuffix(bound)
    for group in catalog.catalog()["rivm"]["age_groups"].values():
        if base.endswith("_" + group["suffix"]):
            return str(group["suffix"])
    return None


def _inhabitants(then: pd.DataFrame, suffix: str) -> tuple[pd.Series, str]:
    """Inhabitants of one age group per area of that year (catalog ``inwoners`` weights of
    the Kerncijfers counts), and how they were counted (Dutch, for the provenance)."""
    from . import catalog

    group = next(
        g for g in catalog.catalog()["rivm"]["age_groups"].values() if g["suffix"] == suffix
    )
    weights = group.get("inwoners") or {}
    if not weights or any(c not in then.columns for c in weights):
        return pd.Series(np.nan, index=then.index), "oppervlakte"
    total = sum(pd.to_numeric(then[c], errors="coerce") * float(w) for c, w in weights.items())
    return total.clip(lower=0), f"inwoners {group['label']}"


def carry_changed(
    out: pd.DataFrame,
    now: pd.DataFrame,
    values: pd.DataFrame,
    then: Any,
    *,
    indeling: int,
) -> pd.DataFrame:
    """Carry the estimates of that year's areas to today's changed buurten and wijken.

    For every buurt and wijk of ``out`` without a value (outline changed, or a new code):
    the crosswalk of the series (:func:`wijkgeo.series.crosswalk`, the shares of each area of
    ``indeling`` in today's areas) and, per age group, teller (estimate x inhabitants of the
    group in that year) and noemer (the inhabitants) carried by those shares; the value is
    teller / noemer. An area of that year without inhabitants adds nothing; one without a
    published estimate (or unknown inhabitants) leaves the changed area without a value, and
    its ``herkomst`` says why. Without counts for the group, the shares of the area are used
    (said in the provenance). Bounds are carried the same way: an approximation, marked.

    Parameters
    ----------
    out : DataFrame
        :func:`carry_to_areas`' rows (``code``, ``bron_code``, ``status``, ``herkomst`` and
        the value columns), in the order of ``now``.
    now : GeoDataFrame
        Today's areas (``code``, ``level``, ``naam``, geometry).
    values : DataFrame
        The edition's value columns indexed by the code of that year.
    then : GeoDataFrame
        The areas of ``indeling`` (``code``, ``level``, ``naam``, geometry, counts).
    indeling : int
        The year of the edition's boundaries.

    Returns
    -------
    DataFrame
        ``out`` with the carried values filled in, ``status`` ``omgerekend``, ``bron_code``
        the areas of that year (joined with ``+``) and the Dutch ``herkomst``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> then = gpd.GeoDataFrame({"code": ["BU00010001", "BU00010002"], "level": "buurt",
    ...     "naam": ["Oost", "West"], "aantal_personen_65_jaar_en_ouder": [100.0, 300.0]},
    ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=28992)
    >>> now = gpd.GeoDataFrame({"code": ["BU00010009"], "level": "buurt", "naam": ["Samen"]},
    ...     geometry=[box(0, 0, 200, 100)], crs=28992)
    >>> values = pd.DataFrame({"eenzaam_65plus": [40.0, 60.0]}, index=then["code"])
    >>> out = pd.DataFrame({"code": ["BU00010009"], "bron_code": [None], "status": ["geen"],
    ...                     "herkomst": ["geen cijfer"], "eenzaam_65plus": [np.nan]})
    >>> got = carry_changed(out, now, values, then, indeling=2020)
    >>> got["eenzaam_65plus"].tolist(), got["status"].tolist()
    ([55.0], ['omgerekend'])
    """
    from .._errors import DataValidationError
    from ..series.crosswalk import crosswalk

    out = out.copy()
    todo = (out["status"] == NONE).to_numpy()
    columns = [c for c in values.columns if c in out.columns]
    level_now = now["level"].astype(str).to_numpy() if "level" in now.columns else None
    level_then = then["level"].astype(str) if "level" in then.columns else None
    for level in ("buurt", "wijk"):
        if level_now is None or level_then is None:
            break
        rows = np.flatnonzero(todo & (level_now == level))
        if not len(rows):
            continue
        old = then[level_then.to_numpy() == level]
        new = now[level_now == level]
        try:
            cw = crosswalk(old[["code", "naam", "geometry"]], new[["code", "naam", "geometry"]])
        except DataValidationError as exc:
            log.warning("gezondheid %s: niet om te rekenen (%s)", level, exc)
            continue
        old_idx = old.set_index(old["code"].astype(str))
        inhabitants = {}
        for col in columns:
            suffix = _age_suffix(col)
            if suffix and suffix not in inhabitants:
                inhabitants[suffix] = _inhabitants(old_idx, suffix)
        names = {
            k: str(v) if _name_key(v) else k
            for k, v in (old_idx["naam"].items() if "naam" in old_idx.columns else [])
        }
        for i in rows:
            code = str(out.at[i, "code"])
            part = cw[cw["naar"] == code]
            if part.empty:
                continue
            _carry_one(out, i, part, values, columns, inhabitants, level, indeling, names)
    return out


def _carry_one(
    out: pd.DataFrame,
    i: int,
    part: pd.DataFrame,
    values: pd.DataFrame,
    columns: list[str],
    inhabitants: dict[str, tuple[pd.Series, str]],
    level: str,
    indeling: int,
    names: dict[str, str],
) -> None:
    """Fill one changed area's row of ``out`` from the crosswalk rows ``part`` (in place)."""
    van = part["van"].astype(str).to_numpy()
    share = part["aandeel"].to_numpy(float)
    if len(part) == 1 and part["herkomst"].iloc[0] == "hercodeerd":
        # the same area under another code then: its estimate as published, marked
        for col in columns:
            out.at[i, col] = pd.to_numeric(values.at[van[0], col], errors="coerce")
        out.at[i, "status"] = CARRIED
        out.at[i, "bron_code"] = van[0]
        out.at[i, "herkomst"] = (
            f"omgerekend: andere code sinds {indeling}; hetzelfde gebied had in {indeling} "
            f"code {van[0]} ({names.get(van[0], van[0])}), met deze schatting"
        )
        return
    how: set[str] = set()
    missing: set[str] = set()
    any_value = False
    for col in columns:
        suffix = _age_suffix(col)
        if suffix is None:
            continue
        pop, label = inhabitants[suffix]
        v = pd.to_numeric(values[col].reindex(van), errors="coerce").to_numpy(float)
        w = pop.reindex(van).to_numpy(float) if label != "oppervlakte" else np.ones(len(van))
        w = w * share
        counts = w > 0
        bad = (np.isnan(w) | (counts & np.isnan(v))).any()
        if bad or not counts.any():
            if not np.isnan(v).all():
                missing.add(col)
            continue
        out.at[i, col] = float(np.sum(v[counts] * w[counts]) / np.sum(w[counts]))
        how.add(label)
        any_value = True
    plural = "buurten" if level == "buurt" else "wijken"
    sources = "+".join(van)
    named = ", ".join(names.get(c, c) for c in van)
    if not any_value:
        out.at[i, "herkomst"] = (
            f"geen cijfer: grens gewijzigd sinds {indeling} en niet om te rekenen (geen "
            f"schatting of geen inwoners bekend in {named})"
        )
        return
    groups = sorted(h.removeprefix("inwoners ") for h in how if h != "oppervlakte")
    weights = "oppervlakte"
    if groups:
        weights = f"hun inwoners van de leeftijdsgroep ({', '.join(groups)})"
    if groups and "oppervlakte" in how:
        weights += " (en oppervlakte)"
    note = (
        f"omgerekend: grens gewijzigd sinds {indeling}; berekend uit de {plural} van "
        f"{indeling} die hier lagen ({named}), naar {weights} in {indeling} (benadering"
    )
    note += ", ook de marge)" if any(c.endswith(_BOUNDS) for c in columns) else ")"
    if missing:
        note += f"; {len(missing)} cijfers niet om te rekenen"
    out.at[i, "status"] = CARRIED
    out.at[i, "bron_code"] = sources
    out.at[i, "herkomst"] = note
