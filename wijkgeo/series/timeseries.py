"""A gemeente's indicators over the years, on the boundaries of its newest year.

:func:`tijdreeks` reads every stored year of a gemeente, computes the registry indicators on
that year's own boundaries and carries them (:func:`~wijkgeo.series.carry.carry`) through a
:func:`~wijkgeo.series.crosswalk.crosswalk` onto the newest boundaries, per level (buurt,
wijk, gemeente). The series covers the gemeente's **current area**: for an earlier year it
takes the areas that lay there, from whichever gemeente they belonged to then (Voorne aan Zee,
GM1992, from Brielle, Hellevoetsluis and Westvoorne, when those are in the store). Counts
are carried dasymetrically with the 100 m cells (``aantal_woningen``) of the stored year
nearest to the old year, or by area when no cells are stored; the ``reden`` says which.

The result is the long table of ``wijkgeo tijdreeks``: ``niveau``, ``code``, ``naam``,
``jaar``, ``indicator``, ``waarde``, ``herkomst``, ``reden``. Years that are not in the store
are left out and listed in ``frame.attrs["ontbrekende_jaren"]`` with the command that gets
them (``frame.attrs["ophalen"]``).

Examples
--------
>>> from wijkgeo.series import tijdreeks
>>> frame = tijdreeks("GM9999", range(2015, 2025))                  # doctest: +SKIP
>>> frame.query("indicator == 'inwoners' and niveau == 'gemeente'")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import ConfigError, DataValidationError, NotInStoreError
from ..codes import normalize_code
from .carry import carry_values, count_columns, rule
from .crosswalk import crosswalk

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas
    from ..store import Store

__all__ = [
    "COLUMNS",
    "FORMATS",
    "fetch_command",
    "missing_years",
    "parse_years",
    "tijdreeks",
    "write_tijdreeks",
    "years_on_today",
]

log = logging.getLogger(__name__)

#: Columns of the long table (interface of ``wijkgeo tijdreeks``).
COLUMNS = ["niveau", "code", "naam", "jaar", "indicator", "waarde", "herkomst", "reden"]
FORMATS = ("csv", "xlsx", "json")
#: Level -> (Atlas attribute, code column, name column).
_LEVELS = {
    "buurt": ("buurten", "buurtcode", "buurtnaam"),
    "wijk": ("wijken", "wijkcode", "wijknaam"),
    "gemeente": ("gemeente", "gemeentecode", "gemeentenaam"),
}
#: An old area counts for the current gemeente when at least this share of it lies inside.
_MIN_INSIDE = 0.5
#: The first year CBS published the Wijk- en Buurtkaart as GeoPackage / through PDOK.
_FIRST_PDOK_YEAR = 2019


def parse_years(text: str | Iterable[int]) -> list[int]:
    """``"2015-2024"``, ``"2015,2020,2024"`` or an iterable of years -> sorted years.

    Examples
    --------
    >>> parse_years("2015-2018")
    [2015, 2016, 2017, 2018]
    >>> parse_years("2024,2015")
    [2015, 2024]
    """
    if not isinstance(text, str):
        return sorted({int(y) for y in text})
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                a, b = (int(p) for p in part.split("-", 1))
                if b < a:
                    raise ValueError
                years.update(range(a, b + 1))
            else:
                years.add(int(part))
        except ValueError:
            raise ConfigError(
                f"Ongeldige jaren {text!r}: geef bijvoorbeeld 2015-2024 of 2015,2020,2024."
            ) from None
    if not years or min(years) < 1990 or max(years) > 2100:
        raise ConfigError(f"Ongeldige jaren {text!r}: geef bijvoorbeeld 2015-2024.")
    return sorted(years)


def fetch_command(gemeente: str, year: int) -> str:
    """The command that puts a gemeente and year in the store.

    ``refresh`` for the PDOK years and the years whose zipped kaart CBS offers for download
    (``catalog.json``, ``wijkbuurtkaart_zip``); ``import`` of a downloaded file otherwise.

    Examples
    --------
    >>> fetch_command("GM0606", 2014)
    'wijkgeo import buurt_2014.zip --gemeente GM0606 --jaar 2014'
    >>> fetch_command("GM0606", 2015), fetch_command("GM0606", 2022)
    ('wijkgeo refresh GM0606 --jaar 2015', 'wijkgeo refresh GM0606 --jaar 2022')
    """
    from ..sources.catalog import kaart_zip_years

    if int(year) < _FIRST_PDOK_YEAR and int(year) not in kaart_zip_years():
        return f"wijkgeo import buurt_{int(year)}.zip --gemeente {gemeente} --jaar {int(year)}"
    return f"wijkgeo refresh {gemeente} --jaar {int(year)}"


def _store(store: Any) -> Store:
    from ..store import Store

    return store if isinstance(store, Store) else Store(store)


def _outline(atlas: Atlas) -> Any:
    import shapely

    geoms = np.asarray(atlas.gemeente.geometry.values, dtype=object)
    if not len(geoms) or shapely.is_empty(geoms).all():
        geoms = np.asarray(atlas.wijken.geometry.values, dtype=object)
    return shapely.union_all(shapely.make_valid(geoms))


def _atlases_of_year(st: Store, code: str, year: int, outline: Any) -> list[Atlas]:
    """The stored Atlases of ``year`` that cover the current area of ``code``."""
    import pyogrio
    import shapely

    found: list[Atlas] = []
    if st.has(code, year):
        found.append(st.read_atlas(code, year))
    for entry in st.entries():
        other = entry.get("gemeente")
        if entry.get("year") != year or other == code or "error" in entry:
            continue
        try:
            gem = pyogrio.read_dataframe(st.gpkg_path(other, year), layer="gemeente")
        except Exception as exc:  # a damaged file must not stop the series
            log.warning("%s %s niet leesbaar voor de tijdreeks: %s", other, year, exc)
            continue
        geom = shapely.union_all(shapely.make_valid(np.asarray(gem.geometry.values, object)))
        area = shapely.area(geom)
        if area > 0 and shapely.area(shapely.intersection(geom, outline)) / area > 0.01:
            log.info("%s %s: voorganger/deel van het huidige gebied van %s", other, year, code)
            found.append(st.read_atlas(other, year))
    return found


def _level_frame(atlases: Sequence[Atlas], level: str) -> Any:
    import geopandas as gpd

    attr, code_col, _name = _LEVELS[level]
    frames = [getattr(a, attr) for a in atlases if len(getattr(a, attr))]
    if not frames:
        return None
    frame = pd.concat(frames, ignore_index=True, sort=False)
    frame = gpd.GeoDataFrame(frame, geometry=frames[0].geometry.name, crs=frames[0].crs)
    frame = frame[~frame[code_col].duplicated()]
    return frame


def _inside(frame: Any, outline: Any) -> np.ndarray:
    """Share of each area's surface that lies within ``outline``."""
    import shapely

    geoms = shapely.make_valid(np.asarray(frame.geometry.values, dtype=object))
    area = shapely.area(geoms)
    inside = shapely.area(shapely.intersection(geoms, outline))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(area > 0, inside / np.where(area > 0, area, 1.0), 0.0)


def _old_parts(atlases: Sequence[Atlas], level: str, new: Any) -> list[tuple[str, Any]]:
    """The old areas to carry onto the current ``level``: ``[(level, frame), ...]``.

    The series covers the gemeente's current area. An old wijk or gemeente that lies there
    only in part (Nissewaard in 2015: its buurten of Oudenhoorn are Voorne aan Zee now)
    is replaced by its buurten that lie there, so a gemeente or wijk total of an earlier
    year is the total of the current area, whichever gemeente its pieces belonged to.
    Whether an old area lies there wholly is decided per buurt (at least half inside),
    so boundary files generalised differently do not split an area that stayed.
    """
    import shapely

    units = _level_frame(atlases, level)
    if units is None:
        return []
    if level == "buurt":
        return [("buurt", units)]
    buurten = _level_frame(atlases, "buurt")
    _attr, code_col, _name = _LEVELS[level]
    if buurten is None or code_col not in buurten.columns:
        return [(level, units)]
    outline = shapely.union_all(shapely.make_valid(np.asarray(new.geometry.values, object)))
    here = _inside(buurten, outline) >= _MIN_INSIDE
    owner = buurten[code_col].astype(str).to_numpy()
    inside_owners = set(owner[here])
    partial = inside_owners & set(owner[~here])
    if not partial:
        return [(level, units)]
    log.info(
        "%s %s ligt maar deels in het huidige gebied: meegeteld via de buurten die er liggen",
        level,
        ", ".join(sorted(partial)),
    )
    whole = units[~units[code_col].astype(str).isin(partial)]
    pieces = buurten[here & np.isin(owner, list(partial))]
    return [(level, whole), ("buurt", pieces)]


def _as_areas(parts: Sequence[tuple[str, Any]]) -> Any:
    """One frame of ``code``, ``naam`` and geometry over areas of several levels."""
    import geopandas as gpd

    frames = []
    for level, frame in parts:
        _attr, code_col, name_col = _LEVELS[level]
        frames.append(
            gpd.GeoDataFrame(
                {
                    "code": frame[code_col].astype(str).to_numpy(),
                    "naam": frame[name_col].to_numpy() if name_col in frame.columns else None,
                },
                geometry=np.asarray(frame.geometry.values, dtype=object),
                crs=frame.crs,
            )
        )
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def _old_values(
    parts: Sequence[tuple[str, Any]], keys: Sequence[str], counts_needed: Sequence[str]
) -> tuple[Any, Any, Any]:
    """Unsuppressed values, reasons and counts of the old areas, indexed by code."""
    values, reasons, counts = [], [], []
    for level, frame in parts:
        code_col = _LEVELS[level][1]
        v, r = _compute(frame, keys, level, suppress=False)
        index = frame[code_col].astype(str).to_numpy()
        v.index = index
        r.index = index
        c = pd.DataFrame(
            {
                col: pd.to_numeric(frame[col], errors="coerce").to_numpy()
                if col in frame.columns
                else np.nan
                for col in counts_needed
            },
            index=index,
        )
        values.append(v)
        reasons.append(r)
        counts.append(c)
    return pd.concat(values), pd.concat(reasons), pd.concat(counts)


def _weights_for(st: Store, code: str, year: int, years: Sequence[int]) -> tuple[Any, str]:
    """100 m cells of the stored year nearest to ``year`` (``None`` when none are stored)."""
    for other in sorted(years, key=lambda y: (abs(y - year), -y)):
        if not st.has(code, other):
            continue
        manifest = st.manifest(code, other) or {}
        if "vierkanten_100m" not in (manifest.get("layers") or {}):
            continue
        cells = st.read_atlas(code, other).vierkanten.get("100m")
        if cells is None or not len(cells):
            continue
        column = _weight_column(cells)
        if column:
            return (cells, column), f"omgerekend via de 100 m-vierkanten ({column}, {other})"
    return None, "omgerekend via de oppervlakte (geen 100 m-vierkanten in de store)"


def _keys(indicators: Sequence[str] | None) -> list[str]:
    from ..indicators.registry import get_indicator, list_indicators

    if indicators is None:
        return [i.key for i in list_indicators() if rule(i.key) is not None]
    return [get_indicator(k).key for k in indicators]


def _compute(frame: Any, keys: Sequence[str], level: str, *, suppress: bool) -> tuple[Any, Any]:
    try:  # the one-return-type API of the indicators
        from ..indicators import compute_with_reasons
    except ImportError:  # pragma: no cover - before it existed
        from ..indicators import compute

        values, reasons = compute(frame, keys, level=level, suppress=suppress, with_reasons=True)
        return values, reasons
    values, reasons = compute_with_reasons(frame, keys, level=level, suppress=suppress)
    return values, reasons


def tijdreeks(
    gemeente: str | Any,
    years: Iterable[int] | str | None = None,
    *,
    store: str | Path | Store | None = None,
    indicators: Sequence[str] | None = None,
    levels: Sequence[str] = ("buurt", "wijk", "gemeente"),
) -> pd.DataFrame:
    """The indicators of a gemeente over the years, on the boundaries of its newest year.

    Parameters
    ----------
    gemeente : str or AtlasSeries
        Gemeente code as it is now (``"GM1992"``; its predecessors are found in the store),
        or a series of Atlases (:class:`~wijkgeo.series.AtlasSeries`, any iterable of
        Atlases; predecessor gemeenten of a year may be among them): the same frame from
        the Atlases held, without the store.
    years : iterable of int or str, optional
        The years (``range(2015, 2025)`` or ``"2015-2024"``); the newest stored one gives
        the boundaries. Default for a series: its years.
    store : str, Path or Store, optional
        Where to read; default ``$WIJKGEO_STORE`` or the user data folder.
    indicators : sequence of str, optional
        Registry keys; default every indicator that can be carried (``carry.json``).
    levels : sequence of str
        Any of ``buurt``, ``wijk``, ``gemeente``.

    Returns
    -------
    pandas.DataFrame
        The long table (:data:`COLUMNS`), one row per level, area, year and indicator.
        ``attrs["ontbrekende_jaren"]`` lists the requested years that are not stored,
        ``attrs["ophalen"]`` the commands that get them, ``attrs["grenzen"]`` the year of
        the boundaries.

    Raises
    ------
    NotInStoreError
        When none of the years of the gemeente is in the store (the message names the
        commands that get them).

    Examples
    --------
    See the module docstring.
    """
    for level in levels:
        if level not in _LEVELS:
            raise ConfigError(f"Onbekend niveau {level!r}; kies uit {', '.join(_LEVELS)}.")
    if not isinstance(gemeente, str):
        return _of_atlases(list(gemeente), years, indicators, levels)
    if years is None:
        raise ConfigError("Geef de jaren, bijvoorbeeld tijdreeks('GM0606', '2015-2024').")
    st = _store(store)
    code = normalize_code(gemeente, "gemeente")
    wanted = parse_years(years)
    own = [y for y in wanted if st.has(code, y)]
    if not own:
        commands = "; ".join(fetch_command(code, y) for y in (wanted[0], wanted[-1]))
        raise NotInStoreError(
            f"{code} staat voor geen van de jaren {wanted[0]}-{wanted[-1]} in de store "
            f"{st.path}. Haal ze op, bijvoorbeeld: {commands}."
        )
    newest = max(own)
    target = st.read_atlas(code, newest)
    outline = _outline(target)
    by_year: dict[int, list[Atlas]] = {}
    weights: dict[int, tuple[Any, str]] = {}
    for year in wanted:
        atlases = [target] if year == newest else _atlases_of_year(st, code, year, outline)
        if atlases:
            by_year[year] = atlases
            weights[year] = (None, "") if year == newest else _weights_for(st, code, year, own)
    return _frame(target, by_year, wanted, weights, indicators, levels)


def _of_atlases(
    atlases: list[Atlas],
    years: Iterable[int] | str | None,
    indicators: Sequence[str] | None,
    levels: Sequence[str],
) -> pd.DataFrame:
    """:func:`tijdreeks` of Atlases held in memory (a series): the newest gives the boundaries."""
    if not atlases:
        raise ConfigError("Een tijdreeks vraagt minstens één Atlas.")
    target = max(atlases, key=lambda a: a.year)
    wanted = parse_years(years) if years is not None else sorted({a.year for a in atlases})
    outline = _outline(target)
    by_year: dict[int, list[Atlas]] = {}
    for atlas in atlases:
        if atlas.year not in wanted:
            continue
        if atlas.year == target.year and atlas is not target:
            continue
        if atlas.code == target.code or _covers(atlas, outline):
            by_year.setdefault(atlas.year, []).append(atlas)
    cells = [a for a in atlases if len(a.vierkanten.get("100m", ())) and a.code == target.code]
    weights: dict[int, tuple[Any, str]] = {}
    for year in by_year:
        weights[year] = (None, "")
        if year == target.year:
            continue
        weights[year] = (None, "omgerekend via de oppervlakte (geen 100 m-vierkanten)")
        for atlas in sorted(cells, key=lambda a: (abs(a.year - year), -a.year)):
            column = _weight_column(atlas.vierkanten["100m"])
            if column:
                weights[year] = (
                    (atlas.vierkanten["100m"], column),
                    f"omgerekend via de 100 m-vierkanten ({column}, {atlas.year})",
                )
                break
    return _frame(target, by_year, wanted, weights, indicators, levels)


def _covers(atlas: Atlas, outline: Any) -> bool:
    import shapely

    geom = _outline(atlas)
    area = shapely.area(geom)
    return bool(area > 0 and shapely.area(shapely.intersection(geom, outline)) / area > 0.01)


def _weight_column(cells: Any) -> str | None:
    for column in ("aantal_woningen", "woningvoorraad", "aantal_inwoners"):
        if column in cells.columns and pd.to_numeric(cells[column], errors="coerce").gt(0).any():
            return column
    return None


def _frame(
    target: Atlas,
    by_year: dict[int, list[Atlas]],
    wanted: Sequence[int],
    weights: dict[int, tuple[Any, str]],
    indicators: Sequence[str] | None,
    levels: Sequence[str],
) -> pd.DataFrame:
    code, newest = target.code, target.year
    keys = _keys(indicators)
    counts_needed = count_columns(keys)
    rows: list[pd.DataFrame] = []
    missing = [y for y in wanted if y not in by_year]
    for year in sorted(by_year):
        w, label = weights.get(year, (None, ""))
        for level in levels:
            rows.append(
                _level_rows(
                    target, by_year[year], level, year, newest, keys, counts_needed, w, label
                )
            )
    frame = pd.concat([r for r in rows if r is not None and len(r)], ignore_index=True)
    order = {lvl: i for i, lvl in enumerate(levels)}
    frame = frame.sort_values(
        ["niveau", "code", "indicator", "jaar"],
        key=lambda s: s.map(order) if s.name == "niveau" else s,
        kind="stable",
    ).reset_index(drop=True)[COLUMNS]
    frame.attrs["grenzen"] = newest
    frame.attrs["ontbrekende_jaren"] = missing
    frame.attrs["ophalen"] = [fetch_command(code, y) for y in missing]
    if missing:
        log.info(
            "%s: geen gegevens in de store voor %s; ophalen met: %s",
            code,
            ", ".join(map(str, missing)),
            "; ".join(frame.attrs["ophalen"]),
        )
    return frame


def _level_rows(
    target: Atlas,
    atlases: Sequence[Atlas],
    level: str,
    year: int,
    newest: int,
    keys: Sequence[str],
    counts_needed: Sequence[str],
    weights: Any,
    label: str,
) -> pd.DataFrame | None:
    attr, code_col, name_col = _LEVELS[level]
    new = getattr(target, attr)
    if not len(new):
        return None
    names = new.set_index(code_col)[name_col] if name_col in new.columns else None
    if year == newest:
        values, reasons = _compute(new, keys, level, suppress=True)
        values.index = new[code_col].to_numpy()
        reasons.index = values.index
        herkomst = pd.DataFrame(
            np.where(values.isna(), "ontbreekt", "gemeten"), index=values.index, columns=keys
        )
        reden = reasons.where(values.isna())
    else:
        parts = _old_parts(atlases, level, new)
        if not parts:
            return None
        old = _as_areas(parts)
        try:
            cw = crosswalk(old, new, weights=weights)
        except DataValidationError as exc:
            log.warning("%s %s: geen kruistabel (%s)", level, year, exc)
            return None
        cw = cw[cw["dekking"] >= _MIN_INSIDE]
        values, reasons, counts = _old_values(parts, keys, counts_needed)
        labels = {m: label for m in cw["methode"].unique() if m not in ("zelfde gebied",)}
        labels["oppervlakte"] = "omgerekend via de oppervlakte"
        carried = carry_values(
            values,
            counts,
            cw,
            keys,
            level=level,
            reasons=reasons,
            targets=list(new[code_col]),
            year=year,
            method_label=labels,
        )
        values, herkomst, reden = carried.values, carried.herkomst, carried.reden
    long = values.stack(future_stack=True).rename("waarde").reset_index()
    long.columns = ["code", "indicator", "waarde"]
    long["herkomst"] = herkomst.stack(future_stack=True).to_numpy()
    long["reden"] = reden.stack(future_stack=True).to_numpy()
    long["niveau"] = level
    long["jaar"] = int(year)
    long["naam"] = long["code"].map(names) if names is not None else None
    return long


def years_on_today(
    store: Any, gemeente: str, year: int, *, levels: Sequence[str] = ("buurt", "wijk")
) -> pd.DataFrame | None:
    """Every stored year up to ``year`` on the boundaries of ``year``, or ``None``.

    What the map's year switch and the profile's "Hoe ontwikkelt de buurt zich" show: the
    years the store holds (for this gemeente or, before a merger, for gemeenten that lay
    where it lies now). ``None`` when only one year is stored or the series fails (logged).

    Examples
    --------
    >>> years_on_today(None, "GM9999", 2024) is None or True          # doctest: +SKIP
    True
    """
    from .._errors import WijkgeoError

    st = _store(store)
    years = sorted({int(e["year"]) for e in st.entries() if int(e["year"]) <= int(year)})
    if len(years) < 2 or not st.has(gemeente, year):
        return None
    try:
        frame = tijdreeks(gemeente, years, store=st, levels=levels)
    except WijkgeoError as exc:
        log.warning("%s: geen reeks over de jaren (%s)", gemeente, exc)
        return None
    if frame["jaar"].nunique() < 2:
        return None
    return frame


def missing_years(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The requested years that are not in the store, each with the command that gets it.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame(columns=COLUMNS)
    >>> f.attrs.update(ontbrekende_jaren=[2016], ophalen=["wijkgeo refresh GM0606 --jaar 2016"])
    >>> missing_years(f)
    [{'jaar': 2016, 'ophalen': 'wijkgeo refresh GM0606 --jaar 2016'}]
    """
    years = list(frame.attrs.get("ontbrekende_jaren") or [])
    commands = list(frame.attrs.get("ophalen") or [])
    commands += [""] * (len(years) - len(commands))
    return [{"jaar": int(y), "ophalen": c} for y, c in zip(years, commands, strict=False)]


def _toelichting(frame: pd.DataFrame) -> pd.DataFrame:
    """The Excel "Toelichting" sheet: boundaries, provenance, and every year left out."""
    rows = [
        ("Grenzen", f"alle jaren op de grenzen van {frame.attrs.get('grenzen', '')}"),
        (
            "Herkomst",
            "gemeten (zelfde gebied en code), hercodeerd (zelfde gebied, andere code), "
            "omgerekend (grens veranderd; schatting, de reden zegt waarmee) of ontbreekt "
            "(de reden staat erbij)",
        ),
    ]
    for item in missing_years(frame):
        rows.append(
            (
                f"Niet in de store: {item['jaar']}",
                f"weggelaten; ophalen met: {item['ophalen']}",
            )
        )
    if not frame.attrs.get("ontbrekende_jaren"):
        rows.append(("Ontbrekende jaren", "geen: alle gevraagde jaren staan in de store"))
    return pd.DataFrame(rows, columns=["onderwerp", "toelichting"])


def write_tijdreeks(
    frame: pd.DataFrame, path: str | Path, fmt: str | None = None, *, csv_dialect: str = "nl"
) -> Path:
    """Write the long table atomically as CSV (Dutch: ``;`` and decimal comma), xlsx or JSON.

    The years left out because they are not in the store travel with the table where a user
    reads it: in JSON as the field ``ontbrekende_jaren`` (``jaar`` and the ``ophalen``
    command) beside ``grenzen`` and the ``rijen``; in xlsx as rows of the sheet
    "Toelichting"; a CSV holds only the table (``wijkgeo tijdreeks`` names them on screen).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"niveau": ["buurt"], "code": ["BU1"], "naam": ["A"], "jaar": [2015],
    ...                   "indicator": ["inkomen_per_inwoner"], "waarde": [31.54],
    ...                   "herkomst": ["gemeten"],
    ...                   "reden": [None]})
    >>> import tempfile, pathlib
    >>> p = write_tijdreeks(f, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()[1]
    'buurt;BU1;A;2015;inkomen_per_inwoner;31,5;gemeten;'
    """
    from ..indicators.registry import registry

    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt not in FORMATS:
        raise ConfigError(f"Onbekend formaat {fmt!r}; kies uit {', '.join(FORMATS)}.")
    # carried values have many digits: write each with its indicator's decimals
    reg = registry()
    decimals = frame["indicator"].map(lambda k: reg[k].decimals if k in reg else 2)
    frame = frame.assign(
        waarde=[
            round(v, int(d)) if pd.notna(v) else v
            for v, d in zip(frame["waarde"], decimals, strict=True)
        ]
    )
    from .._write import write_output
    from ..text import safe_frame, spreadsheet_csv

    def write(tmp: Path) -> None:  # atomic and exclusive like every output; no formulas
        if fmt == "csv":
            sep, dec = (";", ",") if csv_dialect == "nl" else (",", ".")
            spreadsheet_csv(frame, tmp, sep=sep, decimal=dec, encoding="utf-8-sig")
        elif fmt == "xlsx":
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                safe_frame(frame).to_excel(writer, sheet_name="Tijdreeks", index=False)
                safe_frame(_toelichting(frame)).to_excel(
                    writer, sheet_name="Toelichting", index=False
                )
        else:
            body = {
                "grenzen": frame.attrs.get("grenzen"),
                "ontbrekende_jaren": missing_years(frame),
                "rijen": json.loads(frame.to_json(orient="records", force_ascii=False)),
            }
            with open(tmp, "x", encoding="utf-8") as fh:
                fh.write(json.dumps(body, ensure_ascii=False, indent=1))

    write_output(path, write, what="tijdreeks")
    return path
