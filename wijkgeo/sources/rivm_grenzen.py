"""Which of today's areas may take a health figure published on another year's boundaries.

Each RIVM table is on one year's boundaries (``indeling`` in the catalog: 50090NED on those of
2020, 50150NED on those of 2024). A figure may only reach today's buurt when that buurt held
between the two years; joining on a code whose area changed would put one buurt's estimate
on another piece of town. :func:`carry_to_areas` is the ONE place that decides, so that it can
later route through the series over the years (crosswalks that also carry figures across
changed boundaries, marked):

1. **same year** (the table's indeling is the store's year): every code matches as published;
2. **that year's boundaries are stored**: a buurt held when its code existed then and its
   outline differs by at most 3 % of its area (symmetric difference); otherwise no value;
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

__all__ = ["AREA_TOLERANCE", "HELD", "UNCHECKED", "carry_to_areas"]

log = logging.getLogger(__name__)

#: Largest relative change of area (or outline) for which a buurt still counts as held.
AREA_TOLERANCE = 0.03
#: ``status`` values of :func:`carry_to_areas`.
HELD, UNCHECKED, SAME_YEAR, NONE = "gelijk", "niet_gecontroleerd", "zelfde_jaar", "geen"


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
        The areas of ``indeling`` (``code``, ``naam``, geometry in EPSG:28992), when the store
        has them: outlines are then compared (case 2).
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
