"""Plausibility of imported boundaries: refuse a Wijk- en Buurtkaart that would give nonsense.

:func:`check_boundaries` is called once by the Wijk- en Buurtkaart import, after reading
and normalising the three levels and before anything is stored. It refuses the file
*whole* (a :class:`~wijkgeo.DataValidationError` listing every problem found, at most
:data:`MAX_LISTED` per kind) when

* a boundary lies outside the Netherlands in EPSG:28992, with a hint when x and y look
  swapped, or when the numbers look like degrees stored as metres (or RD metres labelled
  as degrees);
* a code occurs twice, belongs to another gemeente, or a buurt's wijk is not in the file;
* a geometry is missing or empty (invalid ones were repaired, with a count, by the
  normalisation; what could not be repaired is empty and refused here);
* a column that holds counts, percentages or areas is not numeric (the column is named),
  or holds negative counts or areas;
* the area of the boundaries disagrees with the file's own ``oppervlakte_totaal_in_ha``
  (systematically: a unit or CRS error);
* a name is longer than :data:`MAX_TEXT` characters or holds NUL or control characters.

Examples
--------
>>> import geopandas as gpd, shapely
>>> b = gpd.GeoDataFrame({"buurtcode": ["BU99990101"], "wijkcode": ["WK999901"],
...                       "gemeentecode": ["GM9999"], "buurtnaam": ["Oost"]},
...                      geometry=[shapely.box(150000, 400000, 151000, 401000)],
...                      crs="EPSG:28992")
>>> w = gpd.GeoDataFrame({"wijkcode": ["WK999901"], "gemeentecode": ["GM9999"]},
...                      geometry=[shapely.box(150000, 400000, 151000, 401000)],
...                      crs="EPSG:28992")
>>> problems({"wijken": w, "buurten": b}, "GM9999")
[]
>>> problems({"buurten": b.set_geometry([shapely.box(400000, 150000, 401000, 151000)])},
...          "GM9999")[0][:60]
'laag buurten: 1 grens/grenzen liggen buiten Nederland (EPSG:'
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from .._clean import has_control
from .._errors import DataValidationError

__all__ = ["MAX_LISTED", "MAX_TEXT", "check_boundaries", "problems"]

log = logging.getLogger(__name__)

#: Bounds of the Netherlands in EPSG:28992 (x_min, y_min, x_max, y_max), with a margin.
RD_BOUNDS = (-7000.0, 289000.0, 300000.0, 629000.0)
#: Longest name (characters) wijkgeo accepts in a boundary or layer text field.
MAX_TEXT = 200
#: At most this many examples per kind of problem in the message.
MAX_LISTED = 5
#: Column prefixes that hold numbers in the Wijk- en Buurtkaart (counts, shares, areas).
NUMERIC_PREFIXES = (
    "aantal_",
    "percentage_",
    "gemiddeld",
    "oppervlakte_",
    "bevolkingsdichtheid",
    "omgevingsadressendichtheid",
    "mannen",
    "vrouwen",
)
#: Of those, the ones that can never be negative.
NON_NEGATIVE_PREFIXES = ("aantal_", "oppervlakte_", "mannen", "vrouwen", "bevolkingsdichtheid")
_LAYER_LEVEL = {"gemeente": "gemeente", "wijken": "wijk", "buurten": "buurt"}
_AREA_COLUMN = "oppervlakte_totaal_in_ha"
_LAND_COLUMN = "oppervlakte_land_in_ha"
#: A median ratio of boundary area to the file's own area beyond this factor refuses it.
AREA_FACTOR = 5.0


def _examples(values: Any) -> str:
    items = [str(v) for v in list(values)[:MAX_LISTED]]
    more = len(list(values)) - len(items)
    return ", ".join(items) + (f" en {more} meer" if more > 0 else "")


def _bounds_hint(bounds: np.ndarray) -> str:
    """Why boundaries lie outside the Netherlands, judged from their coordinates."""
    x0, y0, x1, y1 = RD_BOUNDS
    finite = bounds[np.isfinite(bounds).all(axis=1)]
    if len(finite) < len(bounds):
        return (
            "sommige coördinaten zijn niet om te rekenen; zijn RD-meters als graden "
            "(EPSG:4326) gelabeld? Zet het coördinatenstelsel van het bestand op EPSG:28992."
        )
    if not len(finite):
        return "er zijn geen coördinaten."
    minx, miny = finite[:, 0].min(), finite[:, 1].min()
    maxx, maxy = finite[:, 2].max(), finite[:, 3].max()
    if x0 <= miny and maxy <= x1 and y0 <= minx and maxx <= y1:
        return (
            "x en y lijken verwisseld; exporteer het bestand opnieuw met de assen "
            "x=oost, y=noord."
        )
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return (
            "dit lijken graden (lengte/breedte) opgeslagen als meters: het bestand zegt "
            "EPSG:28992 maar de coördinaten zijn graden. Zet het juiste coördinatenstelsel "
            "(EPSG:4326) in het bestand, of download de kaart opnieuw bij CBS."
        )
    if minx > 3 and miny > 45 and maxx < 8 and maxy < 60:
        return "dit lijken graden; zet het coördinatenstelsel op EPSG:4326."
    return (
        f"de coördinaten ({minx:.0f}, {miny:.0f}) - ({maxx:.0f}, {maxy:.0f}) liggen niet in "
        "Nederland; is het bestand beschadigd of in een ander coördinatenstelsel?"
    )


def _check_geometry(name: str, frame: Any, code_col: str | None, out: list[str]) -> None:
    import shapely

    geoms = np.asarray(frame.geometry.values, dtype=object)
    codes = frame[code_col].astype(str).to_numpy() if code_col in frame.columns else None
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        which = codes[missing] if codes is not None else np.flatnonzero(missing) + 1
        out.append(
            f"laag {name}: {int(missing.sum())} object(en) zonder (bruikbare) geometrie: "
            f"{_examples(which)}; een ongeldige ring die niet te herstellen was telt ook mee. "
            + (
                "Geen enkel object heeft een geometrie: zijn RD-meters als graden (EPSG:4326) "
                "gelabeld, of is het bestand afgekapt? "
                if missing.all()
                else ""
            )
            + "Download de kaart opnieuw bij CBS."
        )
    present = ~missing
    if not present.any():
        return
    bounds = shapely.bounds(geoms[present])
    x0, y0, x1, y1 = RD_BOUNDS
    with np.errstate(invalid="ignore"):
        outside = ~(
            (bounds[:, 0] >= x0)
            & (bounds[:, 1] >= y0)
            & (bounds[:, 2] <= x1)
            & (bounds[:, 3] <= y1)
        )
    if outside.any():
        which = codes[present][outside] if codes is not None else np.flatnonzero(outside) + 1
        out.append(
            f"laag {name}: {int(outside.sum())} grens/grenzen liggen buiten Nederland "
            f"(EPSG:28992), bv. {_examples(which)}: {_bounds_hint(bounds[outside])}"
        )


def _check_codes(name: str, frame: Any, gemeente: str, out: list[str]) -> None:
    level = _LAYER_LEVEL.get(name)
    if level is None:
        return
    code_col = f"{level}code"
    if code_col not in frame.columns:
        return
    codes = frame[code_col].astype(str)
    dup = codes[codes.duplicated()].unique()
    if len(dup):
        out.append(
            f"laag {name}: {len(dup)} {level}code(s) komen meer dan eens voor: "
            f"{_examples(dup)}. Elke {level} hoort één rij te hebben (naast hooguit een "
            "waterrij)."
        )
    digits = gemeente[2:]
    wrong = [c for c in codes if c[2:6] != digits]
    if wrong:
        out.append(
            f"laag {name}: {len(wrong)} {level}code(s) horen niet bij {gemeente}: "
            f"{_examples(wrong)}. Is dit de kaart van de goede gemeente?"
        )
    for parent in ("wijkcode", "gemeentecode"):
        if parent == code_col or parent not in frame.columns:
            continue
        own = frame[parent].astype(str)
        bad = own[own != gemeente] if parent == "gemeentecode" else own[own.str[2:6] != digits]
        if len(bad):
            out.append(
                f"laag {name}: {len(bad)} rij(en) met een {parent} van een andere gemeente: "
                f"{_examples(bad.unique())}."
            )


def _check_columns(name: str, frame: Any, out: list[str]) -> None:
    import pandas as pd

    geom = frame.geometry.name if hasattr(frame, "geometry") else None
    for col in frame.columns:
        if col == geom:
            continue
        series = frame[col]
        if str(col).startswith(NUMERIC_PREFIXES):
            if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
                shown = [v for v in series.dropna().astype(str).head(3)]
                out.append(
                    f"laag {name}, kolom {col!r}: getallen verwacht, maar de kolom is tekst "
                    f"(bv. {_examples(shown) or 'leeg'}). Sla de kolom op als getal."
                )
                continue
            values = series.to_numpy(dtype=float, na_value=np.nan)
            if np.isinf(values).any():
                out.append(f"laag {name}, kolom {col!r}: oneindige waarden.")
            if str(col).startswith(NON_NEGATIVE_PREFIXES) and (values < 0).any():
                n = int((values < 0).sum())
                out.append(
                    f"laag {name}, kolom {col!r}: {n} negatieve waarde(n) (bv. "
                    f"{_examples(values[values < 0])}); aantallen en oppervlakten kunnen niet "
                    "negatief zijn (geheime waarden zijn -99997)."
                )
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            texts = [v for v in series.dropna() if isinstance(v, str)]
            long = [v for v in texts if len(v) > MAX_TEXT]
            ctrl = [v for v in texts if has_control(v)]
            if long:
                out.append(
                    f"laag {name}, kolom {col!r}: {len(long)} tekst(en) langer dan {MAX_TEXT} "
                    "tekens; is het bestand beschadigd?"
                )
            if ctrl:
                out.append(
                    f"laag {name}, kolom {col!r}: {len(ctrl)} tekst(en) met NUL-, stuur- of "
                    "richtingtekens (U+202E e.d.); verwijder die uit de bron."
                )


def _check_areas(name: str, frame: Any, code_col: str | None, out: list[str]) -> None:
    """Boundary areas against the file's own ``oppervlakte_totaal_in_ha`` / ``_land_in_ha``.

    A coastal gemeente's land row is far smaller than its total area (water), so each row
    is compared with whichever of the two is closer; only a systematic difference (a unit or
    CRS error: the median beyond a factor :data:`AREA_FACTOR`) refuses the file.
    """
    if _AREA_COLUMN not in frame.columns or not len(frame):
        return
    with np.errstate(invalid="ignore", divide="ignore"):
        measured = frame.geometry.area.to_numpy(dtype=float) / 1e4
        best = np.full(len(frame), np.nan)
        for col in (_AREA_COLUMN, _LAND_COLUMN):
            if col not in frame.columns:
                continue
            given = frame[col].to_numpy(dtype=float, na_value=np.nan)
            given = np.where(given >= 5, given, np.nan)  # tiny areas are rounded
            ratio = measured / given
            closer = np.isnan(best) | (np.abs(np.log(ratio)) < np.abs(np.log(best)))
            best = np.where(np.isfinite(ratio) & closer, ratio, best)
    valid = np.isfinite(best)
    if not valid.any():
        return
    ratio = best[valid]
    median = float(np.median(ratio))
    far = (ratio < 1 / 3) | (ratio > 3)
    if not (1 / AREA_FACTOR <= median <= AREA_FACTOR):
        codes = frame[code_col].astype(str).to_numpy()[valid][far] if code_col else []
        example = f", bv. {_examples(codes)}" if len(codes) else ""
        out.append(
            f"laag {name}: de oppervlakte van de grenzen klopt niet met de kolom "
            f"{_AREA_COLUMN} (mediaan {median:.3g} keer{example}); staan de coördinaten in "
            "een andere eenheid of ander stelsel?"
        )
    elif far.any():
        log.warning(
            "laag %s: %d grens/grenzen wijken meer dan 3x af van %s",
            name,
            int(far.sum()),
            _AREA_COLUMN,
        )


def problems(boundaries: dict[str, Any], gemeente: str) -> list[str]:
    """Every plausibility problem of the boundary layers (Dutch, one line each).

    Parameters
    ----------
    boundaries : dict
        ``"gemeente"``, ``"wijken"``, ``"buurten"`` -> GeoDataFrame in EPSG:28992 (as
        :func:`wijkgeo.sources.pdok.normalize_boundaries` returns them).
    gemeente : str
        The normalised gemeente code the file was read for.
    """
    out: list[str] = []
    for name, frame in boundaries.items():
        if frame is None or not len(frame):
            continue
        level = _LAYER_LEVEL.get(name)
        code_col = f"{level}code" if level else None
        if code_col is not None and code_col not in frame.columns:
            code_col = None
        _check_geometry(name, frame, code_col, out)
        _check_codes(name, frame, gemeente, out)
        _check_columns(name, frame, out)
        _check_areas(name, frame, code_col, out)
    wijken, buurten = boundaries.get("wijken"), boundaries.get("buurten")
    if wijken is not None and buurten is not None and len(wijken) and "wijkcode" in buurten:
        known = set(wijken["wijkcode"].astype(str))
        orphans = sorted(set(buurten["wijkcode"].astype(str)) - known)
        if orphans:
            out.append(
                f"laag buurten: {len(orphans)} wijkcode(s) van buurten staan niet in laag "
                f"wijken: {_examples(orphans)}."
            )
    return out


def check_boundaries(boundaries: dict[str, Any], gemeente: str, file: str | Path) -> None:
    """Refuse the whole file when any boundary layer is implausible (nothing is stored).

    Raises
    ------
    DataValidationError
        Listing every problem, with the file.
    """
    found = problems(boundaries, gemeente)
    if found:
        lines = "\n".join(f"  - {p}" for p in found)
        raise DataValidationError(
            f"{file}: de Wijk- en Buurtkaart is niet ingelezen, er is niets opgeslagen "
            f"({len(found)} probleem/problemen):\n{lines}"
        )
    log.debug("plausibiliteit %s in %s: in orde", gemeente, file)
