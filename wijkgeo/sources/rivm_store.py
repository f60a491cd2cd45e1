"""Health figures with the gemeente: the RIVM rows kept in the store beside its Atlas.

Two non-spatial tables go with the Atlas of a gemeente and year (``atlas.local``, stored as
GeoPackage attribute tables like every local table):

``gezondheid_bron``
    the gemeente's rows as published (:func:`wijkgeo.sources.rivm.normalize_rows`: every
    table, period and age group stored so far, on the table's own boundaries);
``gezondheid``
    one row per area of this Atlas (gemeente, wijken, buurten, ``NL00``) with the newest
    edition's estimates and bounds as columns (``eenzaam_65plus``, ...), the table and year
    (``gezondheid_tabel``, ``gezondheid_jaar``) and ``herkomst``: where each value comes from
    (:func:`wijkgeo.sources.rivm_grenzen.carry_to_areas`).

:func:`attach` builds both; :func:`import_gezondheid` reads a downloaded copy into the store,
``wijkgeo refresh`` fetches the newest edition (see :mod:`wijkgeo.refresh`).

Examples
--------
>>> from wijkgeo.sources.rivm_store import TABLE, SOURCE_TABLE
>>> TABLE, SOURCE_TABLE
('gezondheid', 'gezondheid_bron')
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._errors import NotInStoreError, StoreError
from ..codes import normalize_code
from . import rivm
from .rivm_grenzen import carry_to_areas

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas
    from ..store import Store

__all__ = ["SOURCE_TABLE", "TABLE", "areas_of", "attach", "import_gezondheid", "newest_edition"]

log = logging.getLogger(__name__)

TABLE = "gezondheid"
SOURCE_TABLE = "gezondheid_bron"


#: Kerncijfers counts kept with the areas of an edition's year: the inhabitants per age group
#: that carry an estimate to changed boundaries (``inwoners`` per age group in the catalog).
COUNT_COLUMNS = (
    "aantal_inwoners",
    "aantal_personen_0_tot_15_jaar",
    "aantal_personen_15_tot_25_jaar",
    "aantal_personen_65_jaar_en_ouder",
)


def areas_of(atlas: Atlas) -> pd.DataFrame:
    """Code, level, name, published area, the counts of :data:`COUNT_COLUMNS` (where the
    Atlas has them) and geometry of every area of an Atlas (+ NL00)."""
    import geopandas as gpd

    parts = []
    for frame, level, code, name in (
        (atlas.gemeente, "gemeente", "gemeentecode", "gemeentenaam"),
        (atlas.wijken, "wijk", "wijkcode", "wijknaam"),
        (atlas.buurten, "buurt", "buurtcode", "buurtnaam"),
    ):
        part = gpd.GeoDataFrame(
            {
                "code": frame[code].astype(str).to_numpy(),
                "level": level,
                "naam": frame[name].to_numpy() if name in frame.columns else None,
                "oppervlakte_totaal_in_ha": (
                    pd.to_numeric(frame["oppervlakte_totaal_in_ha"], errors="coerce").to_numpy()
                    if "oppervlakte_totaal_in_ha" in frame.columns
                    else frame.geometry.area.to_numpy() / 1e4
                ),
            },
            geometry=frame.geometry.to_numpy(),
            crs=frame.crs,
        )
        for col in COUNT_COLUMNS:
            if col in frame.columns:
                part[col] = pd.to_numeric(frame[col], errors="coerce").to_numpy()
        parts.append(part)
    nl = gpd.GeoDataFrame(
        {"code": ["NL00"], "level": ["nederland"], "naam": ["Nederland"]},
        geometry=[None],
        crs=parts[0].crs,
    )
    return pd.concat([*parts, nl], ignore_index=True)


def newest_edition(tidy: pd.DataFrame) -> tuple[str, int]:
    """The table and year shown: the newest period of the table on the newest boundaries.

    Examples
    --------
    >>> import pandas as pd
    >>> newest_edition(pd.DataFrame({"tabel": ["50090NED", "50090NED"], "jaar": [2016, 2020],
    ...                              "indeling": [2020, 2020]}))
    ('50090NED', 2020)
    """
    order = tidy.sort_values(["indeling", "jaar"], kind="stable")
    last = order.iloc[-1]
    return str(last["tabel"]), int(last["jaar"])


def _merge_source(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Stored rows plus new rows; a (table, year, age group) read again replaces the old."""
    if old is None or old.empty:
        return new.reset_index(drop=True)
    keys = set(zip(new["tabel"], new["jaar"], new["leeftijd"], strict=True))
    keep = [
        (t, j, a) not in keys
        for t, j, a in zip(old["tabel"], old["jaar"], old["leeftijd"], strict=True)
    ]
    return pd.concat([old[keep], new], ignore_index=True)


def _boundaries_then(store: Store | None, code: str, indeling: int, year: int) -> Any:
    if store is None or indeling == year or not store.has(code, indeling):
        return None
    try:
        then = store.read_atlas(code, indeling)
    except (StoreError, NotInStoreError) as exc:
        log.warning("grenzen van %s niet leesbaar (%s); grens niet gecontroleerd", indeling, exc)
        return None
    return areas_of(then)


def _reference_then(store: Store | None, code: str, indeling: int) -> pd.DataFrame | None:
    """Names and areas of the gemeente's areas in ``indeling`` from the stored national
    reference of that year (``wijkgeo refresh --nederland --jaar 2020``), or None."""
    if store is None:
        return None
    try:
        if not store.has_reference(indeling):
            return None
        ref = store.read_reference(indeling)
    except (StoreError, NotInStoreError) as exc:
        log.warning("landelijke referentie %s niet leesbaar (%s)", indeling, exc)
        return None
    if "naam" not in ref.columns:
        return None
    mine = ref[ref["code"].astype(str).str[2:6] == code[2:6]]
    keep = [c for c in ("code", "naam", "oppervlakte_totaal_in_ha") if c in mine.columns]
    log.info("namen en oppervlakten van %s uit de landelijke referentie %s", code, indeling)
    return mine[keep].reset_index(drop=True)


def attach(
    atlas: Atlas,
    tidy: pd.DataFrame,
    *,
    store: Store | None = None,
    kerncijfers_then: pd.DataFrame | None = None,
) -> Atlas:
    """Put health rows with an Atlas: ``atlas.local["gezondheid_bron"]`` and
    ``atlas.local["gezondheid"]`` (see the module docstring). The Atlas is changed in place
    and returned.

    Parameters
    ----------
    atlas : Atlas
        The gemeente and year the figures go with.
    tidy : DataFrame
        New rows (:func:`wijkgeo.sources.rivm.normalize_rows`); merged with those stored.
    store : Store, optional
        Where to look for the boundaries of the table's year (outlines then compared).
    kerncijfers_then : DataFrame, optional
        Names and areas of the table's year (``code``, ``naam``,
        ``oppervlakte_totaal_in_ha``) for the fallback check, when the table itself has no
        names (a downloaded copy) and its year's boundaries are not stored. Default: the
        stored national reference of that year, where the store has one.

    Returns
    -------
    Atlas
    """
    source = _merge_source(atlas.local.get(SOURCE_TABLE), tidy)
    table, year = newest_edition(source)
    edition = rivm.wide(source[source["tabel"] == table], year)
    indeling = int(edition["indeling"].iloc[0])
    now = areas_of(atlas)
    then = _boundaries_then(store, atlas.code, indeling, atlas.year)
    if then is None and kerncijfers_then is None and indeling != atlas.year:
        kerncijfers_then = _reference_then(store, atlas.code, indeling)
    matched = carry_to_areas(
        now,
        edition,
        year=atlas.year,
        indeling=indeling,
        boundaries_then=then,
        kerncijfers_then=kerncijfers_then,
    )
    matched.insert(1, "level", now["level"].to_numpy())
    matched.insert(2, "gezondheid_tabel", table)
    matched.insert(3, "gezondheid_jaar", year)
    matched.insert(4, "gezondheid_indeling", indeling)
    atlas.local[SOURCE_TABLE] = source
    atlas.local[TABLE] = matched
    held = matched[matched["level"] == "buurt"]
    log.info(
        "%s %s: gezondheid %s %s, %d van %d buurten met cijfers",
        atlas.code,
        atlas.year,
        table,
        year,
        int(held["bron_code"].notna().sum()),
        len(held),
    )
    return atlas


def import_gezondheid(
    path: str | Path,
    gemeente: str,
    *,
    year: int | None = None,
    store: str | Path | Store | None = None,
    kerncijfers_then: pd.DataFrame | None = None,
    lock_timeout: float = 300,
) -> str:
    """Read a downloaded RIVM health table into the store, with the gemeente's Atlas.

    Parameters
    ----------
    path : str or Path
        Excel, CSV or parquet copy of the TypedDataSet (table, year and age group are read
        from its rows).
    gemeente : str
        Gemeente code.
    year : int, optional
        The stored year to put the figures with; default the newest stored year.
    store : str, Path or Store, optional
        The store; default ``$WIJKGEO_STORE``.
    kerncijfers_then : DataFrame, optional
        See :func:`attach`.
    lock_timeout : float
        Seconds to wait for another process holding the store.

    Returns
    -------
    str
        A Dutch summary line (table, year, age groups, buurten with a figure).

    Raises
    ------
    DataValidationError
        Another table (named), no row of the gemeente, an unreadable file.
    NotInStoreError
        When the gemeente is not in the store yet.

    Examples
    --------
    >>> import_gezondheid("2020_65+.xlsx", "GM0599")                # doctest: +SKIP
    'GM0599 2024: gezondheid 50090NED 2020 (65+) opgeslagen; 88 van 91 buurten met cijfers ...'
    """
    from ..store import Store
    from .rivm_file import read_gezondheid_file

    code = normalize_code(gemeente, "gemeente")
    target = store if isinstance(store, Store) else Store(store)
    tidy = read_gezondheid_file(path, code)
    if year is None:
        years = sorted(int(e["year"]) for e in target.entries() if e.get("gemeente") == code)
        if not years:
            raise NotInStoreError(
                f"{code} staat nog niet in de store {target.path}; haal eerst de gemeente op "
                f"(`wijkgeo refresh {code} --jaar 2024` of `wijkgeo import "
                f"WijkBuurtkaart_2024_v1.gpkg --gemeente {code} --jaar 2024`) en importeer "
                "daarna de gezondheidstabel."
            )
        year = years[-1]
    with target.lock(timeout=lock_timeout):
        atlas = target.read_atlas(code, int(year))
        attach(atlas, tidy, store=target, kerncijfers_then=kerncijfers_then)
        manifest = target.manifest(code, int(year)) or {}
        extra = {k: manifest[k] for k in ("sources", "retrieved_at") if k in manifest}
        sources = dict(extra.get("sources") or {})
        sources["rivm"] = {"file": Path(path).name, "table": str(tidy["tabel"].iloc[0])}
        extra["sources"] = sources
        target.write_atlas(atlas, manifest_extra=extra, lock_timeout=lock_timeout)
    return summary(atlas, tidy)


def summary(atlas: Atlas, tidy: pd.DataFrame) -> str:
    """The Dutch one-line summary of what :func:`attach` stored."""
    matched = atlas.local[TABLE]
    buurten = matched[matched["level"] == "buurt"]
    ok = int(buurten["bron_code"].notna().sum())
    unchecked = int((buurten["status"] == "niet_gecontroleerd").sum())
    carried = int((buurten["status"] == "omgerekend").sum())
    ages = ", ".join(sorted(set(tidy["leeftijd"])))
    years = ", ".join(map(str, sorted(set(tidy["jaar"]))))
    text = (
        f"{atlas.code} {atlas.year}: gezondheid {tidy['tabel'].iloc[0]} {years} ({ages}) "
        f"opgeslagen; {ok} van {len(buurten)} buurten met cijfers"
    )
    notes = []
    if unchecked:
        notes.append(f"{unchecked} met grens niet gecontroleerd")
    if carried:
        notes.append(f"{carried} omgerekend naar de huidige grenzen")
    if notes:
        text += f" ({'; '.join(notes)})"
    without = buurten.loc[buurten["bron_code"].isna(), "herkomst"]
    if len(without):
        text += f"; zonder cijfer: {str(without.iloc[0]).removeprefix('geen cijfer: ')}"
        if len(without) > 1:
            text += f" (en {len(without) - 1} meer)"
    unknown = int(without.str.contains("onbekend").sum())
    changed = int(without.str.contains("gewijzigd").sum())
    indeling = int(matched["gezondheid_indeling"].iloc[0])
    grenzen = (
        f"wijkgeo refresh {atlas.code} --jaar {indeling}, of wijkgeo import "
        f"WijkBuurtkaart_{indeling}_v3.gpkg --gemeente {atlas.code} --jaar {indeling}"
    )
    if unknown:
        text += (
            f". Deze tabel noemt de buurtnamen van {indeling} niet: sla eenmalig de landelijke "
            f"referentie van {indeling} op (wijkgeo refresh --nederland --jaar {indeling}; "
            f"daarna werkt dit offline) of de grenzen van {indeling} ({grenzen}) en importeer "
            "dit bestand opnieuw"
        )
    elif changed and not (matched["status"] == "gelijk").any():
        text += (
            f". Buurten met een gewijzigde grens krijgen een omgerekend cijfer zodra de grenzen "
            f"van {indeling} in de store staan ({grenzen}); importeer dit bestand dan opnieuw"
        )
    return text
