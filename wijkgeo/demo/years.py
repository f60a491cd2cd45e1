"""Demodam in earlier years: a split, a merge and a re-used code, so series run offline.

:func:`demo_years` derives Demodam 2015-2023 from the 2024 Atlas, each year on its own
boundaries as CBS would publish them:

* **a split** (2020): two 2024 buurten were one buurt until 2019, under the code of the first;
* **a merge** (2021): one 2024 buurt was two until 2020 (its code for the west half, a code of
  its own for the east half);
* **a re-used code** (2022): two neighbouring buurten swapped codes, so until 2021 each code
  named the other area (names follow the areas).

Counts grow towards 2024 (per buurt its own pace, rounded to 5 below gemeente level), shares
and averages drift; the earliest years lack a few newer topics (zonnestroom, aardgasvrij),
like the real tables. Wijken and the gemeente are the sums (counts) and inhabitant-weighted
means (the rest) of their buurten.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.demo.years import demo_years
>>> years = demo_years(wijkgeo.make_demo(), [2015, 2023])
>>> len(years[2015].buurten), len(years[2023].buurten)
(40, 40)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["CHANGES", "demo_years"]

#: Year from which each change holds (the boundaries of 2024 from that year on).
CHANGES = {"splitsing": 2020, "samenvoeging": 2021, "hergebruikte_code": 2022}
#: Topics CBS added later: missing in the demo's years before this.
_LATER_TOPICS = {
    "percentage_woningen_met_zonnestroom": 2019,
    "percentage_aardgasvrije_woningen": 2019,
}
_IDS = ("buurtcode", "buurtnaam", "wijkcode", "wijknaam", "gemeentecode", "gemeentenaam")


def _is_count(col: str) -> bool:
    return col.startswith("aantal_") or col in (
        "mannen",
        "vrouwen",
        "woningvoorraad",
        "personenautos_totaal",
        "geboorte_totaal",
        "sterfte_totaal",
        "oppervlakte_totaal_in_ha",
        "oppervlakte_land_in_ha",
        "oppervlakte_water_in_ha",
    )


def _numeric(frame: pd.DataFrame) -> list[str]:
    skip = set(_IDS) | {frame.geometry.name, "jaar", "indelingswijziging_wijken_en_buurten"}
    return [
        c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c])
    ]


def _aggregate(rows: pd.DataFrame, cols: list[str]) -> dict[str, float]:
    weight = rows["aantal_inwoners"].fillna(0).to_numpy(float)
    out: dict[str, float] = {}
    for col in cols:
        v = rows[col].to_numpy(float)
        if _is_count(col):
            out[col] = float(np.nansum(v)) if np.isfinite(v).any() else np.nan
        else:
            ok = np.isfinite(v) & (weight > 0)
            out[col] = float((v[ok] * weight[ok]).sum() / weight[ok].sum()) if ok.any() else np.nan
    return out


def _pairs(buurten: pd.DataFrame) -> tuple[tuple[str, str], str, tuple[str, str]]:
    """(split pair, merged buurt, swapped pair): neighbours within one wijk, picked stably."""
    import shapely

    codes = list(buurten["buurtcode"])
    geoms = dict(zip(codes, buurten.geometry, strict=True))
    wijk = dict(zip(codes, buurten["wijkcode"], strict=True))
    used: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for a in codes:
        for b in codes:
            if (
                a < b
                and wijk[a] == wijk[b]
                and not ({a, b} & used)
                and shapely.length(shapely.intersection(geoms[a], geoms[b])) > 50
            ):
                pairs.append((a, b))
                used |= {a, b}
                break
        if len(pairs) == 2:
            break
    merged = next(c for c in codes if c not in used and geoms[c].area > 200_000)
    return pairs[0], merged, pairs[1]


def _old_buurten(buurten: Any, year: int) -> Any:
    """The 2024 buurten reshaped to the boundaries and codes of ``year``."""
    import geopandas as gpd
    import shapely

    split, merged, swapped = _pairs(buurten)
    cols = _numeric(buurten)
    frame = buurten.copy()
    if year < CHANGES["hergebruikte_code"]:  # the two codes named each other's area
        a, b = swapped
        ia, ib = frame.index[frame.buurtcode == a][0], frame.index[frame.buurtcode == b][0]
        frame.loc[ia, "buurtcode"], frame.loc[ib, "buurtcode"] = b, a
    if year < CHANGES["samenvoeging"]:  # one 2024 buurt was two: west and east half
        i = frame.index[frame.buurtcode == merged][0]
        geom = frame.at[i, "geometry"]
        minx, miny, maxx, maxy = geom.bounds
        cx = shapely.centroid(geom).x
        west = shapely.intersection(geom, shapely.box(minx - 1, miny - 1, cx, maxy + 1))
        east = shapely.intersection(geom, shapely.box(cx, miny - 1, maxx + 1, maxy + 1))
        row = frame.loc[[i]].copy()
        frame.at[i, "geometry"] = west
        east_row = row.copy()
        east_row["buurtcode"] = merged[:-2] + "90"
        east_row["buurtnaam"] = f"{row['buurtnaam'].iloc[0]} Oost"
        east_row["geometry"] = [east]
        for col in cols:
            if _is_count(col):
                total = row[col].iloc[0]
                frame.at[i, col] = total * 0.55
                east_row[col] = total * 0.45
        frame = pd.concat([frame, east_row])
    if year < CHANGES["splitsing"]:  # two 2024 buurten were one, under the first code
        a, b = split
        rows = frame[frame.buurtcode.isin([a, b])]
        joined = rows.iloc[[0]].copy()
        joined["geometry"] = [shapely.union_all(rows.geometry.to_numpy())]
        for col, value in _aggregate(rows, cols).items():
            joined[col] = value
        frame = pd.concat([frame[~frame.buurtcode.isin([a, b])], joined])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=buurten.crs).reset_index(drop=True)


def _drift(buurten: Any, year: int, rng: np.random.Generator, seed: int = 2024) -> Any:
    """2024 values moved back to ``year``: counts shrink at each buurt's pace, the rest drifts."""
    frame = buurten.copy()
    back = 2024 - year
    pace = np.random.default_rng(seed).uniform(0.0, 0.02, len(frame))  # growth per year
    for col in _numeric(frame):
        v = frame[col].to_numpy(float)
        if _is_count(col) and not col.startswith("oppervlakte"):
            frame[col] = np.round(v * (1 - pace) ** back / 5) * 5
        elif col.startswith(("perc", "aandeel")):
            frame[col] = np.clip(v + rng.normal(0.4, 0.6, len(v)) * back * 0.3, 0, 100).round(1)
        elif not col.startswith("oppervlakte"):
            frame[col] = v * (1 - 0.01 * back)
    for col, since in _LATER_TOPICS.items():
        if year < since and col in frame.columns:
            frame = frame.drop(columns=col)
    return frame


def _rollup(buurten: Any, level_code: str, level_name: str, template: Any) -> Any:
    import geopandas as gpd

    cols = _numeric(buurten)
    rows = []
    for code, part in buurten.groupby(level_code, sort=True):
        rec = {level_code: code, **_aggregate(part, cols)}
        rows.append(rec)
    values = pd.DataFrame(rows)
    keep = [c for c in template.columns if c not in cols or c == template.geometry.name]
    base = pd.DataFrame(template[keep])
    out = base.merge(values, on=level_code, how="left")
    return gpd.GeoDataFrame(out, geometry=template.geometry.name, crs=template.crs)


def demo_years(atlas: Atlas, years: Iterable[int] = range(2015, 2024), seed: int = 2024) -> dict:
    """Demodam in earlier years, each on its own boundaries (see the module docstring).

    Parameters
    ----------
    atlas : Atlas
        Demodam 2024 (:func:`wijkgeo.make_demo`).
    years : iterable of int
        Years before 2024.
    seed : int
        Seed of the drift; the same seed gives the same years.

    Returns
    -------
    dict of int to Atlas
        Gemeente, wijken and buurten per year (no grid cells, no local layers).
    """
    from ..atlas import Atlas

    out: dict[int, Atlas] = {}
    for year in sorted(int(y) for y in years):
        if year >= 2024:
            continue
        rng = np.random.default_rng(seed + year)
        drifted = _drift(atlas.buurten, year, rng, seed)
        buurten = _old_buurten(drifted, year)
        wijken = _rollup(buurten, "wijkcode", "wijknaam", _drift(atlas.wijken, year, rng))
        gemeente = _rollup(
            buurten, "gemeentecode", "gemeentenaam", _drift(atlas.gemeente, year, rng)
        )
        meta = {
            k: v for k, v in atlas.meta.items() if k in ("demo", "seed", "kolommen", "source")
        }
        meta.update(year=year, gemeente=atlas.code, demo_jaren=dict(CHANGES))
        out[year] = Atlas(gemeente=gemeente, wijken=wijken, buurten=buurten, meta=meta)
    return out


def year_sources(year: int, seed: int = 2024) -> dict[str, Any]:
    """Demodam of an earlier ``year`` in the real services' formats, for the demo server.

    ``features`` per level as PDOK OGC API items (EPSG:28992, snake_case, ``-99997`` for
    missing), ``kerncijfers`` as TypedDataSet rows (region keys, names, codes: the figures
    travel on the boundaries, as in the Wijk- en Buurtkaart) and ``data_properties``.

    Examples
    --------
    >>> src = year_sources(2020)
    >>> len(src["features"]["buurt"]), src["kerncijfers"][0]["Codering_3"]
    (41, 'GM9999    ')
    """
    from .demodam import _geojson_geometry, data_properties, make_demo

    atlas = demo_years(make_demo(seed), [year], seed)[year]
    features: dict[str, list[dict[str, Any]]] = {}
    rows: list[dict[str, Any]] = []
    levels = (("gemeente", atlas.gemeente, "Gemeente"), ("wijk", atlas.wijken, "Wijk"),
              ("buurt", atlas.buurten, "Buurt"))  # fmt: skip
    for level, frame, soort in levels:
        code_col, name_col = f"{level}code", f"{level}naam"
        feats = []
        for rec, geom in zip(
            frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry,
            strict=True,
        ):
            props = {
                k: (-99997 if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in rec.items()
            }
            props.update(water="NEE", jaar=year, jrstatcode=f"{year}{rec[code_col]}")
            feats.append({"type": "Feature", "geometry": _geojson_geometry(geom),
                          "properties": props})  # fmt: skip
            rows.append(
                {
                    "ID": len(rows),
                    "WijkenEnBuurten": rec.get(name_col) or rec[code_col],
                    "Gemeentenaam_1": (rec.get("gemeentenaam") or "").ljust(40),
                    "SoortRegio_2": soort.ljust(10),
                    "Codering_3": str(rec[code_col]).ljust(10),
                }
            )
        features[level] = feats
    return {"features": features, "kerncijfers": rows, "data_properties": data_properties()}


def kaart_zip(year: int, seed: int = 2024) -> bytes:
    """Demodam of ``year`` as CBS's zipped Wijk- en Buurtkaart of the years before PDOK.

    ``gem_<year>.shp``, ``wijk_<year>.shp`` and ``buurt_<year>.shp`` in EPSG:28992 with the
    UPPERCASE columns of ``wijkgeo/sources/kwb_shapefile.json`` (its map read backwards),
    ``WATER`` = ``NEE`` and ``-99999999`` for missing: what ``wijkgeo refresh --jaren`` of
    2015-2018 downloads, served by :class:`wijkgeo.demo.server.DemoServer`.

    Examples
    --------
    >>> import io, zipfile
    >>> names = zipfile.ZipFile(io.BytesIO(kaart_zip(2016))).namelist()
    >>> sorted(n for n in names if n.endswith(".shp"))
    ['buurt_2016.shp', 'gem_2016.shp', 'wijk_2016.shp']
    """
    import io
    import tempfile
    import zipfile
    from pathlib import Path

    import pyogrio

    from ..sources.catalog import shapefile_layout
    from .demodam import make_demo

    atlas = demo_years(make_demo(seed), [year], seed)[year]
    upper: dict[str, str] = {}
    for key, canonical in shapefile_layout()["columns"].items():
        upper.setdefault(canonical, key)  # the first (oldest) name of each column
    upper["water"] = "WATER"
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w") as zf:
        for frame, stem in ((atlas.gemeente, "gem"), (atlas.wijken, "wijk"),
                            (atlas.buurten, "buurt")):  # fmt: skip
            cols = {c: upper[c] for c in frame.columns if c in upper}
            table = frame[[*cols, frame.geometry.name]].rename(columns=cols)
            if "GM_CODE" not in table.columns:
                table["GM_CODE"] = atlas.code
            table["WATER"] = "NEE"
            for col in table.columns:
                if col != table.geometry.name and pd.api.types.is_numeric_dtype(table[col]):
                    table[col] = table[col].astype(float).fillna(-99999999.0)
            path = Path(folder) / f"{stem}_{int(year)}.shp"
            pyogrio.write_dataframe(table, path, driver="ESRI Shapefile")
            for part in sorted(Path(folder).glob(f"{stem}_{int(year)}.*")):
                zf.write(part, part.name)
    return buffer.getvalue()
